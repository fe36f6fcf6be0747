"""Pieces shared by the service screens: a toolbar of secondary buttons, paging, card texts.

A screen's *main* choices (role ``main``: tiles, cards, answers) are at most four; paging and
"go to the cart" live in the toolbar (role ``tool``), whose slots never move.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.utils import escape_markup

from kiosk.screens.base import KioskScreen
from kiosk.state.paging import Page, page_of
from kiosk.theme import Theme
from kiosk.widgets import BigButton, TextLabel, set_shown


class Toolbar(GridLayout):
    """One row of up to four buttons (two rows of two in portrait)."""

    def __init__(self, *, theme: Theme, portrait: bool, slots: int = 4, **kwargs: Any) -> None:
        """A fixed grid: hidden buttons keep their place."""
        cols = min(slots, 2) if portrait else slots
        rows = -(-slots // cols)
        height = rows * theme.button_height + (rows - 1) * theme.gap
        super().__init__(cols=cols, spacing=theme.gap, size_hint_y=None, height=height, **kwargs)
        self.theme = theme

    def button(self, text: str, kiosk_id: str, on_tap: Callable[[], None], *, style: str = "neutral") -> BigButton:
        """Add a toolbar button."""
        button = BigButton(text, style=style, role="tool", font_size=self.theme.button_font, kiosk_id=kiosk_id,
                           on_tap=on_tap, size_hint_y=None, height=self.theme.button_height)
        self.add_widget(button)
        return button


def card_markup(lines: Sequence[str]) -> str:
    """Card text: the first line bold, then the others (markup-escaped)."""
    head, *rest = [escape_markup(line) for line in lines if line] or [""]
    return "\n".join([f"[b]{head}[/b]", *rest])


class PagedScreen(KioskScreen):
    """A screen showing a list a few items at a time, with 上一页 / 下一页 in its toolbar."""

    per_page_landscape = 4
    per_page_portrait = 4

    def __init__(self, **kwargs: Any) -> None:
        """Set up paging state; subclasses build the layout and call :meth:`add_paging`."""
        super().__init__(**kwargs)
        self.portrait = self.actions.config.orientation == "portrait"
        self.page_index = 0
        self.page: Page[Any] = page_of([], 0, 1)

    def reset(self) -> None:
        """A new visit starts on the first page."""
        self.page_index = 0

    @property
    def per_page(self) -> int:
        """How many items fit on one page in this orientation."""
        return self.per_page_portrait if self.portrait else self.per_page_landscape

    def add_paging(self, toolbar: Toolbar) -> None:
        """Put 上一页 / 下一页 into ``toolbar``."""
        self.prev_button = toolbar.button("上一页", f"{self.name}.prev", lambda: self.turn(-1))
        self.next_button = toolbar.button("下一页", f"{self.name}.next", lambda: self.turn(+1))

    def turn(self, delta: int) -> None:
        """Show the previous / next page and say it."""
        self.page_index += delta
        self.refresh()
        self.actions.speak(self.speech_text())

    def paginate(self, items: Sequence[Any]) -> Page[Any]:
        """Cut ``items`` into the current page and show / hide the paging buttons."""
        self.page = page_of(items, self.page_index, self.per_page)
        self.page_index = self.page.index
        set_shown(self.prev_button, self.page.has_previous)
        set_shown(self.next_button, self.page.has_next)
        return self.page

    def page_speech(self) -> str:
        """``第 1 页，共 2 页，按“下一页”看更多。`` (empty for one page)."""
        if self.page.count <= 1:
            return ""
        more = "按“下一页”看更多。" if self.page.has_next else "这是最后一页。"
        return f"{self.page.label}，{more}"


def title_label(theme: Theme, kiosk_id: str, text: str = "") -> TextLabel:
    """A screen title as tall as its text."""
    return TextLabel(text, font_size=theme.title_font, bold=True, auto_height=True, kiosk_id=kiosk_id)


def slot_row(theme: Theme, *, portrait: bool) -> BoxLayout:
    """A row (column in portrait) that holds a page of tiles or cards."""
    return BoxLayout(orientation="vertical" if portrait else "horizontal", spacing=theme.px(30))
