"""买菜代购 screens: categories, then big picture tiles of one category (tap to add)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.screens.common import PagedScreen, Toolbar, title_label
from kiosk.state.cart import categories, quantity_text, yuan_words
from kiosk.tiles import PictureTile
from kiosk.widgets import TextLabel, set_shown

NO_CATALOG = "商品目录还没有下载好。请稍等，或者拨打值班电话。"


def tile_grid(screen: PagedScreen, prefix: str) -> tuple[GridLayout, list[PictureTile]]:
    """Four tile slots: one row in landscape, two by two in portrait."""
    t = screen.theme
    grid = GridLayout(cols=2 if screen.portrait else 4, spacing=t.gap)
    tiles = []
    for i in range(screen.per_page):
        tile = PictureTile("", font_size=t.button_font, kiosk_id=f"{prefix}.tile.{i}",
                           on_tap=lambda i=i: screen.choose(i))
        grid.add_widget(tile)
        tiles.append(tile)
    return grid, tiles


class _TileScreen(PagedScreen):
    """Common layout: title, four tiles, toolbar with 换一类/购物车 and paging."""

    first_tool = ("", "")

    def __init__(self, name: str, **kwargs: Any) -> None:
        """Build title, tiles and toolbar."""
        super().__init__(name=name, **kwargs)
        t = self.theme
        box = BoxLayout(orientation="vertical", padding=t.px(24), spacing=t.px(24))
        self.title_label = title_label(t, f"{name}.title")
        self.empty_label = TextLabel("", font_size=t.body_font, auto_height=True, kiosk_id=f"{name}.empty")
        grid, self.tiles = tile_grid(self, name)
        toolbar = Toolbar(theme=t, portrait=self.portrait)
        first_text, first_id = self.first_tool
        self.first_button = toolbar.button(first_text, f"{name}.{first_id}", self.first_action)
        self.add_paging(toolbar)
        self.cart_button = toolbar.button("购物车", f"{name}.cart", self.actions.groceries.show_cart,
                                          style="confirm")
        for widget in (self.title_label, self.empty_label, grid, toolbar):
            box.add_widget(widget)
        self.add_widget(box)

    def first_action(self) -> None:
        """The toolbar's first button."""

    def choose(self, slot: int) -> None:
        """A tile was tapped."""

    def show_cart_count(self) -> None:
        """``购物车（2 样）``."""
        count = len(self.actions.groceries.cart.lines)
        self.cart_button.text = f"购物车（{count} 样）" if count else "购物车"


class GroceryCategoriesScreen(_TileScreen):
    """买菜代购: one tile per category (蔬菜, 肉蛋, 粮油, 日用 …)."""

    first_tool = ("返回首页", "back")

    def __init__(self, **kwargs: Any) -> None:
        """Build the screen."""
        super().__init__("grocery_categories", **kwargs)
        set_shown(self.first_button, False)  # 返回首页 is in the bottom bar already

    def refresh(self) -> None:
        """Show a page of categories, each with its first item's picture."""
        desk = self.actions.groceries
        names = categories(desk.catalog)
        page = self.paginate(names)
        self.title_label.text = "买菜代购：请选一类"
        self.empty_label.text = "" if names else NO_CATALOG
        for tile, category in zip(self.tiles, [*page.items, *[None] * self.per_page], strict=False):
            set_shown(tile, category is not None)
            if category is not None:
                items = desk.items_in(category)
                tile.text = f"{category}\n（{len(items)} 样）"
                tile.set_picture(desk.pictures.path_for(items[0].picture_url) if items else None)
        self.show_cart_count()

    def choose(self, slot: int) -> None:
        """Open the tapped category."""
        if slot < len(self.page.items):
            self.actions.groceries.choose_category(self.page.items[slot])

    def speech_text(self) -> str:
        """The categories on this page."""
        if not self.page.items:
            return f"买菜代购。{NO_CATALOG}"
        return f"买菜代购。请选一类：{'，'.join(self.page.items)}。{self.page_speech()}"


class GroceryItemsScreen(_TileScreen):
    """One category's items as picture tiles; a tap adds one step (半斤 / 1 袋) to the cart."""

    first_tool = ("换一类", "categories")

    def __init__(self, **kwargs: Any) -> None:
        """Build the screen."""
        super().__init__("grocery_items", **kwargs)
        self.category = ""

    def start(self, category: str) -> None:
        """Show ``category`` from its first page."""
        self.category = category
        self.page_index = 0

    def reset(self) -> None:
        """A new visit: no category chosen."""
        self.start("")

    def first_action(self) -> None:
        """换一类: back to the categories."""
        self.actions.go("grocery_categories")

    def refresh(self) -> None:
        """Show a page of items with price and how much is in the cart."""
        desk = self.actions.groceries
        items = desk.items_in(self.category)
        page = self.paginate(items)
        self.title_label.text = f"{self.category}：点图片，加进购物车"
        self.empty_label.text = "" if items else NO_CATALOG
        for tile, item in zip(self.tiles, [*page.items, *[None] * self.per_page], strict=False):
            set_shown(tile, item is not None)
            if item is None:
                continue
            chosen = desk.cart.quantity_of(item.id)
            lines = [item.name, f"已选 {quantity_text(chosen, item.unit)}" if chosen else item.price_text]
            tile.text = "\n".join(line for line in lines if line)
            tile.set_picture(desk.pictures.path_for(item.picture_url))
        self.show_cart_count()

    def choose(self, slot: int) -> None:
        """Add the tapped item."""
        if slot < len(self.page.items):
            self.actions.groceries.add(self.page.items[slot].id)

    def speech_text(self) -> str:
        """The category and its items on this page."""
        names = "，".join(i.name + (f"，每{i.unit}大约{yuan_words(i.price_fen)}" if i.price_fen else "")
                         for i in self.page.items)
        return f"{self.category}。点图片就加进购物车。有：{names}。{self.page_speech()}"
