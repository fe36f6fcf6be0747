"""Kiosk building blocks that are accessible by construction.

Every widget here paints flat, known colours (so kiosk.ui.a11y can compute contrast from the
widget tree), uses the registered CJK font, wraps its text inside its own box, and takes
its sizes from :class:`kiosk.ui.theme.Theme`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.graphics import Color, Line, Rectangle
from kivy.properties import ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.core.linebreak import wrap_text
from kiosk.ui import theme as th
from kiosk.ui.fonts import FONT_NAME, line_height_factor


def phrase_wrapped(label: Label, text: str, width: float | None) -> str:
    """``text`` with its line breaks between phrases for a wrapping ``width`` (Kivy breaks anywhere).

    Markup lines (the cards' bold first line, ``[b]…[/b]``) are broken the same way, a bold
    line measured with room for its wider glyphs; labels without a width are left to Kivy.
    """
    if not text or not width:
        return text
    core = label._label
    if not label.markup:
        return wrap_text(text, lambda line: core.get_extents(line)[0] <= width)
    return "\n".join(_wrap_markup_line(core, line, width) for line in text.split("\n"))


BOLD_ROOM = 0.9
"""Bold glyphs are wider than the regular ones measured: a bold line gets 90 % of the width."""


def _wrap_markup_line(core: Any, line: str, width: float) -> str:
    bold = line.startswith("[b]") and line.endswith("[/b]")
    plain = line[3:-4] if bold else line
    room = width * (BOLD_ROOM if bold else 1.0)
    lines = wrap_text(plain, lambda part: core.get_extents(part)[0] <= room).split("\n")
    return "\n".join(f"[b]{part}[/b]" for part in lines) if bold else "\n".join(lines)


def _render_text(label: Label, name: str | None, source: Any, value: Any) -> Any:
    """What Kivy's text renderer gets: the label's text broken between phrases."""
    if source and name == "text" and isinstance(value, str):
        return phrase_wrapped(label, value, (label.text_size or (None,))[0])
    if source and name == "text_size" and value and value[0]:
        label._label.text = phrase_wrapped(label, label.text, value[0])
    return value


class Panel(BoxLayout):
    """A BoxLayout that paints a background (``bg_rgba``) and optionally a thick border."""

    bg_rgba = ListProperty(list(th.BACKGROUND))
    border_rgba = ListProperty([0, 0, 0, 0])

    def __init__(self, bg_rgba: th.RGBA = th.BACKGROUND, *, border_px: float = 0, **kwargs: Any) -> None:
        """``border_px`` > 0 draws a frame in ``border_rgba`` (a shape cue besides colour)."""
        super().__init__(**kwargs)
        self.bg_rgba = list(bg_rgba)
        self._border_px = border_px
        with self.canvas.before:
            self._bg_color = Color(rgba=self.bg_rgba)
            self._bg_rect = Rectangle(pos=self.pos, size=self.size)
            self._border_color = Color(rgba=self.border_rgba)
            self._border = Line(width=max(border_px, 1))
        self.bind(pos=self._redraw, size=self._redraw, bg_rgba=self._redraw, border_rgba=self._redraw)

    def _redraw(self, *_args: Any) -> None:
        self._bg_color.rgba = self.bg_rgba
        self._bg_rect.pos = self.pos
        self._bg_rect.size = self.size
        self._border_color.rgba = self.border_rgba if self._border_px else [0, 0, 0, 0]
        inset = self._border_px
        self._border.rectangle = (
            self.x + inset,
            self.y + inset,
            max(self.width - 2 * inset, 0),
            max(self.height - 2 * inset, 0),
        )


class TextLabel(Label):
    """Wrapped, centred text in the CJK font with 1.3 line spacing (whatever the font).

    With ``auto_height`` the label is as tall as its text (for use in vertical boxes);
    otherwise it fills the box it is given and centres the text vertically.
    """

    kiosk_id = StringProperty("")

    def __init__(
        self,
        text: str = "",
        *,
        font_size: float,
        color: th.RGBA = th.TEXT,
        auto_height: bool = False,
        halign: str = "center",
        valign: str = "middle",
        **kwargs: Any,
    ) -> None:
        """Create a label; ``kiosk_id`` lets tests and the harness find it."""
        super().__init__(
            text=text,
            font_name=FONT_NAME,
            font_size=font_size,
            color=color,
            halign=halign,
            valign=valign,
            line_height=line_height_factor(),
            **kwargs,
        )
        self._auto_height = auto_height
        if auto_height:
            self.size_hint_y = None
            self.bind(texture_size=self._fit_height)
            self._fit_height()  # an empty label never changes texture_size: start at its true height
        self.bind(size=self._wrap)

    def _wrap(self, *_args: Any) -> None:
        self.text_size = (self.width, None) if self._auto_height else self.size

    def _trigger_texture_update(self, name: str | None = None, source: Any = None, value: Any = None) -> None:
        super()._trigger_texture_update(name, source, _render_text(self, name, source, value))

    def _fit_height(self, *_args: Any) -> None:
        self.height = self.texture_size[1]


class BigButton(Button):
    """A large flat button; taps are reported to the core, whose tap guard ignores shaky double taps.

    ``role`` is ``"main"`` for a screen's choices (at most four per screen), ``"nav"`` for
    the bottom bar and ``"key"`` for keypad keys.
    """

    role = StringProperty("main")
    kiosk_id = StringProperty("")
    bg_pressed = ListProperty(list(th.PRIMARY_PRESSED))

    def __init__(
        self,
        text: str,
        *,
        on_tap: Callable[[], None],
        font_size: float,
        style: str = "primary",
        role: str = "main",
        kiosk_id: str = "",
        **kwargs: Any,
    ) -> None:
        """``on_tap`` runs on release when the tap guard accepts the tap."""
        normal, pressed = th.BUTTON_STYLES[style]
        super().__init__(
            text=text,
            font_name=FONT_NAME,
            font_size=font_size,
            color=th.BUTTON_TEXT.get(style, th.TEXT_ON_DARK),
            background_normal="",
            background_down="",
            background_color=normal,
            halign="center",
            valign="middle",
            line_height=line_height_factor(),
            **kwargs,
        )
        self.role = role
        self.kiosk_id = kiosk_id
        self.bg_normal = list(normal)
        self.bg_pressed = list(pressed)
        self._on_tap = on_tap
        self.bind(state=self._show_state, size=self._wrap)

    def set_style(self, style: str) -> None:
        """Switch colours, e.g. when a button's meaning changes."""
        normal, pressed = th.BUTTON_STYLES[style]
        self.bg_normal, self.bg_pressed = list(normal), list(pressed)
        self.color = th.BUTTON_TEXT.get(style, th.TEXT_ON_DARK)
        self._show_state()

    def _show_state(self, *_args: Any) -> None:
        self.background_color = self.bg_pressed if self.state == "down" else self.bg_normal

    def _wrap(self, *_args: Any) -> None:
        self.text_size = (self.width * 0.92, None)

    def _trigger_texture_update(self, name: str | None = None, source: Any = None, value: Any = None) -> None:
        super()._trigger_texture_update(name, source, _render_text(self, name, source, value))

    def on_release(self) -> None:
        """Report the tap (the core's tap guard decides whether it counts)."""
        self._on_tap()


def fitted_panel(bg: th.RGBA, border_px: float, **kwargs: Any) -> Panel:
    """A framed panel exactly as tall as its (auto-height) contents (status screens)."""
    kwargs.setdefault("orientation", "vertical")
    panel = Panel(bg, border_px=border_px, size_hint_y=None, **kwargs)
    panel.border_rgba = list(th.TEXT)
    panel.bind(minimum_height=panel.setter("height"))
    return panel


def set_shown(widget: Widget, shown: bool) -> None:
    """Show or hide a widget while keeping its place (hidden: invisible and untouchable)."""
    widget.opacity = 1 if shown else 0
    widget.disabled = not shown


def spacer(**kwargs: Any) -> Widget:
    """An empty widget that takes up the remaining room."""
    return Widget(**kwargs)
