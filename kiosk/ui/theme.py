"""Colours and sizes of the kiosk, designed at 1080p and scaled to the window.

Sizes are the 1080p pixel values; :class:`Theme` multiplies them by
``min(width, height) / 1080`` so a portrait 1080x1920 screen gets the same sizes as a
landscape 1920x1080 one. The accessibility rules (kiosk.ui.a11y) check the result.
"""

from __future__ import annotations

from dataclasses import dataclass

RGBA = tuple[float, float, float, float]


def hex_rgba(value: str) -> RGBA:
    """``"#0B3D91"`` -> (r, g, b, 1.0) with components in 0..1 as Kivy expects."""
    value = value.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, 1.0)


# Palette: every text/background pair below is >= 7:1 (WCAG AAA), checked by the tests.
BACKGROUND = hex_rgba("#FAFAF5")
TEXT = hex_rgba("#111111")
TEXT_ON_DARK = hex_rgba("#FFFFFF")
HEADER_BG = hex_rgba("#1F2A44")
PRIMARY = hex_rgba("#0B3D91")
PRIMARY_PRESSED = hex_rgba("#072A66")
EMERGENCY = hex_rgba("#A00000")
EMERGENCY_PRESSED = hex_rgba("#6E0000")
NEUTRAL = hex_rgba("#333333")
NEUTRAL_PRESSED = hex_rgba("#000000")
CONFIRM = hex_rgba("#0E5A1C")
CONFIRM_PRESSED = hex_rgba("#083B12")
PANEL_INFO = hex_rgba("#E3ECFA")
PANEL_WARNING = hex_rgba("#FFF1C2")
PANEL_SUCCESS = hex_rgba("#DDF2E0")
PANEL_STRIP = hex_rgba("#FFF8DC")
TILE = hex_rgba("#FFFFFF")
TILE_PRESSED = hex_rgba("#D6E2F5")
STAR = hex_rgba("#FFFFFF")
OFF = hex_rgba("#D9D9D9")
OFF_PRESSED = hex_rgba("#C2C2C2")

BUTTON_STYLES: dict[str, tuple[RGBA, RGBA]] = {
    "primary": (PRIMARY, PRIMARY_PRESSED),
    "emergency": (EMERGENCY, EMERGENCY_PRESSED),
    "neutral": (NEUTRAL, NEUTRAL_PRESSED),
    "confirm": (CONFIRM, CONFIRM_PRESSED),
    "tile": (TILE, TILE_PRESSED),
    "off": (OFF, OFF_PRESSED),
}
"""Button style name -> (normal, pressed) background."""
BUTTON_TEXT: dict[str, RGBA] = {"tile": TEXT, "off": TEXT}
"""Text colour of a button style when it is not TEXT_ON_DARK (light tiles and greyed-out buttons carry dark text)."""
TONE_PANELS: dict[str, RGBA] = {"info": PANEL_INFO, "warning": PANEL_WARNING, "success": PANEL_SUCCESS}


@dataclass(frozen=True, slots=True)
class Theme:
    """Pixel sizes for one window size."""

    scale: float
    width: float = 1920
    height: float = 1080

    @classmethod
    def for_window(cls, width: float, height: float) -> Theme:
        """Theme for a window of ``width`` x ``height`` pixels."""
        return cls(scale=min(width, height) / 1080, width=width, height=height)

    def px(self, value_at_1080p: float) -> float:
        """Scale a 1080p pixel value to this window."""
        return round(value_at_1080p * self.scale)

    @property
    def body_font(self) -> float:
        """Running text (rule: >= 32 px)."""
        return self.px(40)

    @property
    def title_font(self) -> float:
        """Screen titles."""
        return self.px(64)

    @property
    def huge_font(self) -> float:
        """The duty phone number and the home screen's main buttons."""
        return self.px(84)

    @property
    def button_font(self) -> float:
        """Button labels (rule: >= 48 px)."""
        return self.px(52)

    @property
    def button_height(self) -> float:
        """Buttons (rule: >= 150 px tall)."""
        return self.px(170)

    @property
    def header_height(self) -> float:
        """Top bar with site name and time."""
        return self.px(100)

    @property
    def nav_height(self) -> float:
        """Bottom bar with 返回首页 / 再听一遍, always at the same place."""
        return self.px(200)

    @property
    def gap(self) -> float:
        """Space between touch targets (rule: >= 24 px)."""
        return self.px(40)

    @property
    def padding(self) -> float:
        """Space around screen content."""
        return self.px(40)
