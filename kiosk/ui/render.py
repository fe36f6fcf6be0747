"""One Kivy widget draws every screen from its :class:`~kiosk.core.view.View` (:class:`ViewScreen`).

Pieces become labels (titles, framed status panels, large digits), choices become very large
buttons (picture tiles, cards, answers; at most four), keys a keypad or five stars. Every gap
between targets is the theme's ``gap`` (40 px at 1080p, 10 mm on a 21.5-inch panel). A tap
is only reported (``emit(choice)``): the core decides what it means.

Widgets are rebuilt only when the screen's shape changes (other pieces or buttons); a changed
text (a countdown, a count, a strip line) is written into the widgets already there, so a
finger on a button never finds it replaced by a new one that is not laid out yet. The header
and the bottom bar (the view's ``bar``) are drawn by :mod:`kiosk.ui.chrome`, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget
from kivy.utils import escape_markup

from kiosk.core.view import Bar, Choice, Piece, View
from kiosk.ui import theme as th
from kiosk.ui.theme import Theme
from kiosk.ui.tiles import PictureTile, StarButton
from kiosk.ui.widgets import BigButton, TextLabel, fitted_panel

Emit = Callable[[Choice], None]
Pictures = Callable[[str | None], Path | None]
BIG_KINDS = ("tile", "card")
STRIP = ("strip-heading", "strip")
NO_BAR = Bar()


class ViewScreen(BoxLayout):
    """The area between the header and the bottom bar, rebuilt from each new view."""

    def __init__(self, *, theme: Theme, portrait: bool, emit: Emit, pictures: Pictures, **kwargs: Any) -> None:
        """``emit(choice)`` reports a tap; ``pictures(url)`` is the cached picture of an item."""
        pad = theme.px(24)  # the bottom one with the bottom bar's own margin makes a full gap to its buttons
        bottom = max(pad, theme.gap - (theme.nav_height - theme.button_height) / 2 + 2)
        super().__init__(orientation="vertical", padding=(pad, pad, pad, bottom), spacing=theme.gap, **kwargs)
        self.theme = theme
        self.portrait = portrait
        self.emit = emit
        self.pictures = pictures
        self.view: View | None = None

    def render(self, view: View) -> None:
        """Show ``view``: nothing changes when only the bar did, texts change in place when only they did."""
        body = replace(view, bar=NO_BAR)
        if body == self.view:
            return
        before, self.view = self.view, body
        if before is not None and shape(before) == shape(body):
            self._retext(body)
            return
        self.clear_widgets()
        if view.keys and view.keys[0].kind == "key" and not self.portrait:
            self._side_by_side(view)
            return
        _fill(self, self._pieces(view.pieces))
        self._controls(self, view)

    def _retext(self, view: View) -> None:
        """Write the view's texts into the widgets of the same shape."""
        texts = {p.id: p.text for p in view.pieces}
        texts.update((c.widget_id, _markup(c)) for c in (*view.choices, *view.keys))
        for widget in self.walk(restrict=True):
            text = texts.get(getattr(widget, "kiosk_id", ""))
            if text is not None and widget.text != text:
                widget.text = text

    def _side_by_side(self, view: View) -> None:
        """Landscape keypad: the texts on the left, the keys on the right."""
        row = BoxLayout(spacing=self.theme.gap * 2)
        left = BoxLayout(orientation="vertical", spacing=self.theme.gap)
        _fill(left, self._pieces(view.pieces))
        left.add_widget(Widget())
        row.add_widget(left)
        row.add_widget(self._keypad(view.keys, size_hint_x=0.9))
        self.add_widget(row)

    # ---- texts -------------------------------------------------------------------------------
    def _pieces(self, pieces: Sequence[Piece]) -> list[Widget]:
        t = self.theme
        widgets: list[Widget] = []
        strip = [p for p in pieces if p.style in STRIP and p.text]
        for piece in pieces:
            if not piece.shown or piece.style in STRIP:
                continue
            if piece.style.startswith("panel-") or piece.style == "caption":
                tone = "warning" if piece.style == "caption" else piece.style.removeprefix("panel-")
                panel = fitted_panel(th.TONE_PANELS.get(tone, th.PANEL_INFO), t.px(4), padding=(t.px(24), t.px(8)))
                panel.add_widget(self._label(piece, t.title_font if piece.style != "caption" else t.body_font))
                widgets.append(panel)
            elif piece.style == "phone":
                widgets.append(self._label(piece, t.huge_font, bold=True))
            elif piece.style in ("title", "step"):
                widgets.append(self._label(piece, t.title_font, bold=True))
            else:
                widgets.append(self._label(piece, t.body_font))
        if strip:
            widgets.append(self._strip(strip))
        return widgets

    def _label(self, piece: Piece, font: float, *, bold: bool = False) -> TextLabel:
        return TextLabel(piece.text, font_size=font, bold=bold, auto_height=True, kiosk_id=piece.id)

    def _strip(self, pieces: Sequence[Piece]) -> Widget:
        t = self.theme
        panel = fitted_panel(th.PANEL_STRIP, t.px(4), padding=(t.px(32), t.px(16)))
        for piece in pieces:
            panel.add_widget(TextLabel(piece.text, font_size=t.body_font, bold=piece.style == "strip-heading",
                                       halign="left", auto_height=True, kiosk_id=piece.id))
        return panel

    # ---- choices -----------------------------------------------------------------------------
    def _controls(self, box: BoxLayout, view: View) -> None:
        big = [c for c in view.choices if c.kind in BIG_KINDS]
        buttons = [c for c in view.choices if c.kind not in BIG_KINDS]
        if big and buttons and not self.portrait:
            row = self._big_row(big, huge=False)  # landscape: the tools in a column beside the cards
            row.add_widget(self._tool_column(buttons))
            box.add_widget(row)
            return
        if big:
            box.add_widget(self._big_row(big, huge=view.screen == "home"))
        if view.keys:
            box.add_widget(self._keypad(view.keys) if view.keys[0].kind == "key" else self._stars(view.keys))
        if not big and not view.keys:
            box.add_widget(Widget())  # the answers sit at the bottom, near the hand
        if buttons:
            box.add_widget(self._buttons(buttons))

    def _big_row(self, choices: Sequence[Choice], *, huge: bool) -> BoxLayout:
        t = self.theme
        row = BoxLayout(orientation="vertical" if self.portrait else "horizontal", spacing=t.gap)
        for choice in choices:
            font = t.huge_font if huge else t.button_font
            if choice.kind == "tile" and not huge:
                widget: BigButton = PictureTile(choice.shown, picture=self.pictures(choice.picture), font_size=font,
                                                kiosk_id=choice.widget_id, on_tap=self._tap(choice))
            else:
                widget = BigButton(_markup(choice), style=choice.style if choice.kind != "tile" or huge else "tile",
                                   font_size=font, kiosk_id=choice.widget_id, on_tap=self._tap(choice),
                                   markup=choice.kind == "card")
            row.add_widget(widget)
        return row

    def _tool_column(self, choices: Sequence[Choice]) -> Widget:
        t = self.theme
        column = BoxLayout(orientation="vertical", spacing=t.gap, size_hint_x=None, width=t.px(380))
        for choice in choices:
            column.add_widget(BigButton(_markup(choice), style=choice.style, font_size=t.button_font,
                                        kiosk_id=choice.widget_id, on_tap=self._tap(choice)))
        column.add_widget(Widget(size_hint_y=0.01))
        return column

    def _buttons(self, choices: Sequence[Choice]) -> Widget:
        t = self.theme
        cols = max(1, min(2, len(choices)) if self.portrait else len(choices))
        rows = -(-len(choices) // cols)
        grid = GridLayout(cols=cols, spacing=(t.gap * 3 if cols == 2 and len(choices) == 2 else t.gap, t.gap),
                          size_hint_y=None, height=rows * t.button_height + (rows - 1) * t.gap)
        for choice in choices:
            grid.add_widget(BigButton(_markup(choice), style=choice.style, font_size=t.button_font,
                                      kiosk_id=choice.widget_id, on_tap=self._tap(choice),
                                      size_hint_y=None, height=t.button_height))
        return grid

    def _keypad(self, keys: Sequence[Choice], **kwargs: Any) -> Widget:
        t = self.theme
        grid = GridLayout(cols=3, spacing=t.gap, **kwargs)
        for key in keys:
            grid.add_widget(BigButton(_markup(key), style=key.style, role="key", font_size=t.huge_font,
                                      kiosk_id=key.widget_id, on_tap=self._tap(key)))
        return grid

    def _stars(self, stars: Sequence[Choice]) -> Widget:
        t = self.theme
        row = BoxLayout(spacing=t.gap, size_hint_y=None, height=t.px(300 if self.portrait else 250))
        for star in stars:
            row.add_widget(StarButton(_markup(star), filled=star.selected, font_size=t.button_font,
                                      kiosk_id=star.widget_id, on_tap=self._tap(star)))
        return row

    def _tap(self, choice: Choice) -> Callable[[], None]:
        return lambda: self.emit(choice)


def shape(view: View) -> tuple[object, ...]:
    """What decides which widgets a view needs (everything but their texts)."""
    pieces = tuple((p.id, p.style, p.shown) for p in view.pieces)
    controls = tuple((c.widget_id, c.kind, c.style, c.picture, c.selected) for c in (*view.choices, *view.keys))
    return view.screen, pieces, controls


def _markup(choice: Choice) -> str:
    """A button's text: a card's first line bold (markup-escaped); other buttons as they are shown."""
    if choice.kind != "card":
        return choice.shown
    head, *rest = [escape_markup(line) for line in choice.lines if line] or [""]
    return "\n".join([f"[b]{head}[/b]", *rest])


def _fill(box: BoxLayout, widgets: Sequence[Widget]) -> None:
    for widget in widgets:
        box.add_widget(widget)
