"""The cart: each line with a very large − and + and its amount spelled out (2 斤, 1 袋)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk import theme as th
from kiosk.screens.common import PagedScreen, Toolbar, title_label
from kiosk.state.cart import CartLine, yuan_text
from kiosk.widgets import BigButton, Panel, TextLabel, set_shown


class _CartRow(Panel):
    """名称 · 数量 · − · +."""

    def __init__(self, screen: CartScreen, index: int) -> None:
        t = screen.theme
        super().__init__(th.PANEL_INFO, border_px=t.px(3), orientation="horizontal", spacing=t.gap,
                         size_hint_y=None, height=t.button_height + t.px(20), padding=(t.px(24), t.px(10)))
        self.border_rgba = list(th.TEXT)
        self.line: CartLine | None = None
        self._sign_font, self._word_font = t.huge_font, t.button_font
        self.name_label = TextLabel("", font_size=t.title_font, halign="left", kiosk_id=f"cart.row.{index}.name")
        self.amount_label = TextLabel("", font_size=t.title_font, bold=True, size_hint_x=0.7,
                                      kiosk_id=f"cart.row.{index}.amount")
        side = {"size_hint": (None, None), "width": t.button_height, "height": t.button_height, "role": "key",
                "font_size": t.huge_font}
        self.less = BigButton("−", style="neutral", kiosk_id=f"cart.row.{index}.less",
                              on_tap=lambda: screen.change(self, more=False), **side)
        self.more = BigButton("+", style="primary", kiosk_id=f"cart.row.{index}.more",
                              on_tap=lambda: screen.change(self, more=True), **side)
        for widget in (self.name_label, self.amount_label, self.less, self.more):
            self.add_widget(widget)

    def show(self, line: CartLine | None) -> None:
        """Show one line (or hide the row)."""
        self.line = line
        set_shown(self, line is not None)
        if line is not None:
            self.name_label.text = line.item.name
            self.amount_label.text = line.text
            at_minimum = line.quantity <= line.item.step
            self.less.text = "删除" if at_minimum else "−"
            self.less.font_size = self._word_font if at_minimum else self._sign_font


class CartScreen(PagedScreen):
    """购物车: reads itself aloud; 下单 leads to "确定要下单吗？"."""

    per_page_landscape = 2
    per_page_portrait = 4

    def __init__(self, **kwargs: Any) -> None:
        """Build title, rows and toolbar."""
        super().__init__(name="cart", **kwargs)
        t = self.theme
        box = BoxLayout(orientation="vertical", padding=t.px(24), spacing=t.px(24))
        self.title_label = title_label(t, "cart.title")
        box.add_widget(self.title_label)
        self.rows = [_CartRow(self, i) for i in range(self.per_page)]
        rows = BoxLayout(orientation="vertical", spacing=t.px(30))
        for row in self.rows:
            rows.add_widget(row)
        self.empty_label = TextLabel("", font_size=t.title_font, kiosk_id="cart.empty")
        rows.add_widget(self.empty_label)
        box.add_widget(rows)
        toolbar = Toolbar(theme=t, portrait=self.portrait)
        toolbar.button("继续买菜", "cart.more_items", lambda: self.actions.go("grocery_categories"))
        self.add_paging(toolbar)
        self.order_button = toolbar.button("下单", "cart.checkout", self.actions.groceries.checkout, style="confirm")
        box.add_widget(toolbar)
        self.add_widget(box)

    def refresh(self) -> None:
        """Show the current page of the cart."""
        cart = self.actions.groceries.cart
        page = self.paginate(cart.lines)
        for row, line in zip(self.rows, [*page.items, *[None] * self.per_page], strict=False):
            row.show(line)
        count = len(cart.lines)
        self.title_label.text = f"购物车：{count} 样。{self.cost_text()}" if count else "购物车"
        self.empty_label.text = "" if count else "购物车是空的。\n请按“继续买菜”，点商品图片。"
        set_shown(self.empty_label, not count)
        set_shown(self.order_button, bool(count))

    def cost_text(self) -> str:
        """``按参考价大约 43 元。`` (empty when unknown)."""
        fen = self.actions.groceries.cart.estimated_fen
        return f"按参考价大约 {yuan_text(fen)}。" if fen is not None and fen > 0 else ""

    def change(self, row: _CartRow, *, more: bool) -> None:
        """+ / − on a row."""
        if row.line is not None:
            self.actions.groceries.change(row.line.item.id, more)

    def speech_text(self) -> str:
        """The cart reads itself aloud, then what to do."""
        cart = self.actions.groceries.cart
        if cart.empty:
            return "购物车是空的。请按“继续买菜”，点商品图片。"
        return f"{cart.speech}按加号多要一些，按减号少要一些。都对了请按“下单”。{self.page_speech()}"
