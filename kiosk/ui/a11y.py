"""Accessibility rules of the kiosk (issue 7.6) and an audit over a live Kivy widget tree.

The rules are stated at 1080p and scaled like :class:`kiosk.ui.theme.Theme`. The audit reads
only widget attributes (text, font_size, color, background_color, size, position), so it
needs no Kivy import here; the tests run it on every screen of the real app at 1920x1080.

Conventions the audit relies on (by construction in :mod:`kiosk.ui.widgets`):

- a widget that paints a background exposes it as ``bg_rgba``;
- buttons paint a flat colour (``background_normal == ""``) so ``background_color`` is
  what the eye sees, and expose their pressed colour as ``bg_pressed``;
- buttons carry ``role``: ``"main"`` (the screen's choices), ``"nav"`` or ``"key"``;
- hidden widgets have ``opacity == 0``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

RGBA = Sequence[float]


def relative_luminance(rgb: RGBA) -> float:
    """WCAG 2.x relative luminance of an sRGB colour with components in 0..1."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(float(c)) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: RGBA, bg: RGBA) -> float:
    """WCAG contrast ratio (1..21) of text colour ``fg`` over opaque background ``bg``.

    A translucent ``fg`` is first blended over ``bg``, as the screen would show it.
    """
    alpha = float(fg[3]) if len(fg) > 3 else 1.0
    blended = [alpha * float(f) + (1 - alpha) * float(b) for f, b in zip(fg[:3], bg[:3], strict=True)]
    lighter, darker = sorted((relative_luminance(blended), relative_luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True, slots=True)
class A11yRules:
    """Thresholds at 1080p (pixels) and in physical units."""

    min_text_px: float = 32
    min_button_height_px: float = 150
    min_button_font_px: float = 48
    min_target_mm: float = 15
    min_gap_px: float = 40
    min_contrast: float = 7.0
    max_main_choices: int = 4
    min_line_height: float = 1.3


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule on one widget."""

    rule: str
    widget: str
    detail: str

    def __str__(self) -> str:
        """Readable one-liner for assertion messages."""
        return f"[{self.rule}] {self.widget}: {self.detail}"


def visible_widgets(root: Any) -> Iterator[Any]:
    """Depth-first walk of widgets that can be seen (skips subtrees with opacity 0)."""
    if getattr(root, "opacity", 1) == 0:
        return
    yield root
    for child in reversed(list(getattr(root, "children", []))):
        yield from visible_widgets(child)


def is_button(widget: Any) -> bool:
    """Touchable widget: has a press state (Kivy ButtonBehavior)."""
    return callable(getattr(widget, "trigger_action", None))


def window_rect(widget: Any) -> tuple[float, float, float, float]:
    """(x, y, right, top) of a widget in window coordinates."""
    x, y = widget.to_window(widget.x, widget.y)
    return (x, y, x + widget.width, y + widget.height)


def background_of(widget: Any, window_bg: RGBA) -> RGBA:
    """Colour behind a label: its own or the nearest ancestor's ``bg_rgba``, else the window's."""
    node = widget
    for _ in range(200):  # the depth of any sane widget tree
        if node is None:
            break
        bg = getattr(node, "bg_rgba", None)
        if bg is not None:
            return tuple(bg)
        node = getattr(node, "parent", None)
    return tuple(window_bg)


def rendered_text_size(widget: Any) -> tuple[float, float]:
    """Size the label's text really needs when wrapped to its width.

    ``texture_size`` is no help for a label with a fixed ``text_size``: Kivy then renders
    into a texture of exactly that size and silently cuts off what does not fit.
    """
    from kivy.core.text import Label as CoreLabel
    from kivy.core.text.markup import MarkupLabel

    text_size = getattr(widget, "text_size", None) or (None, None)
    cls = MarkupLabel if getattr(widget, "markup", False) else CoreLabel
    rendered = getattr(getattr(widget, "_label", None), "text", None)  # with the kiosk's phrase breaks
    text = rendered if isinstance(rendered, str) else widget.text
    core = cls(
        text=text, font_size=widget.font_size, font_name=widget.font_name, bold=widget.bold,
        italic=widget.italic, line_height=widget.line_height, halign=widget.halign,
        padding=widget.padding, text_size=(text_size[0], None),
    )
    core.refresh()
    width, height = core.texture.size if core.texture is not None else (0, 0)
    return float(width), float(height)


def line_spacing(widget: Any) -> float:
    """Distance between the baselines of the widget's wrapped lines, per font size (as rendered)."""
    from kiosk.ui.fonts import measure_pitch

    return measure_pitch(widget.font_name, getattr(widget, "line_height", 1.0))


def describe(widget: Any) -> str:
    """Short name of a widget for messages: class plus text or id."""
    text = getattr(widget, "text", "") or ""
    label = text.replace("\n", " ")[:24] if text else getattr(widget, "kiosk_id", "") or ""
    return f"{type(widget).__name__}({label!r})"


def audit(
    root: Any,
    *,
    window_size: tuple[float, float],
    window_bg: RGBA,
    dpi: float,
    rules: A11yRules | None = None,
) -> list[Violation]:
    """Check every visible widget under ``root`` against the rules; return the violations."""
    rules = rules or A11yRules()
    scale = min(window_size) / 1080
    widgets = list(visible_widgets(root))
    buttons = [w for w in widgets if is_button(w)]
    found: list[Violation] = []
    for widget in widgets:
        if getattr(widget, "text", "") and hasattr(widget, "font_size"):
            found += _check_text(widget, rules, scale, window_bg, is_button(widget))
    for button in buttons:
        found += _check_target(button, rules, scale, dpi, window_size)
    found += _check_gaps(buttons, rules, scale)
    mains = [b for b in buttons if getattr(b, "role", "") == "main"]
    if len(mains) > rules.max_main_choices:
        found.append(
            Violation("choices", describe(root), f"{len(mains)} main choices > {rules.max_main_choices}")
        )
    return found


def _check_text(widget: Any, rules: A11yRules, scale: float, window_bg: RGBA, button: bool) -> list[Violation]:
    found = []
    name = describe(widget)
    min_font = (rules.min_button_font_px if button else rules.min_text_px) * scale
    if widget.font_size < min_font - 0.5:
        found.append(Violation("text-size", name, f"font {widget.font_size:.0f} px < {min_font:.0f} px"))
    if button:
        if getattr(widget, "background_normal", "") != "":
            found.append(Violation("flat-button", name, "background_normal must be '' to know its colour"))
        backgrounds = [widget.background_color, getattr(widget, "bg_pressed", widget.background_color)]
    else:
        backgrounds = [background_of(widget, window_bg)]
    for bg in backgrounds:
        ratio = contrast_ratio(widget.color, bg)
        if ratio < rules.min_contrast:
            found.append(Violation("contrast", name, f"{ratio:.2f}:1 < {rules.min_contrast}:1"))
    tw, th = rendered_text_size(widget)
    if tw > widget.width + 1 or th > widget.height + 1:
        found.append(
            Violation("text-fits", name, f"text {tw:.0f}x{th:.0f} overflows {widget.width:.0f}x{widget.height:.0f}")
        )
    if th > 1.6 * widget.font_size:
        spacing = line_spacing(widget)
        if spacing < rules.min_line_height - 0.02:
            found.append(Violation("line-height", name, f"line spacing {spacing:.2f} < {rules.min_line_height}"))
    return found


def _check_target(
    button: Any, rules: A11yRules, scale: float, dpi: float, window_size: tuple[float, float]
) -> list[Violation]:
    found = []
    name = describe(button)
    min_h = rules.min_button_height_px * scale
    if button.height < min_h - 0.5:
        found.append(Violation("button-height", name, f"{button.height:.0f} px < {min_h:.0f} px"))
    min_side = rules.min_target_mm * dpi / 25.4
    if min(button.width, button.height) < min_side:
        found.append(
            Violation("target-size", name, f"{button.width:.0f}x{button.height:.0f} px < {min_side:.0f} px (15 mm)")
        )
    x, y, right, top = window_rect(button)
    if x < -0.5 or y < -0.5 or right > window_size[0] + 0.5 or top > window_size[1] + 0.5:
        found.append(Violation("on-screen", name, f"rect {x:.0f},{y:.0f},{right:.0f},{top:.0f} leaves the window"))
    return found


def _check_gaps(buttons: list[Any], rules: A11yRules, scale: float) -> list[Violation]:
    found = []
    min_gap = rules.min_gap_px * scale
    for a, b in combinations(buttons, 2):
        ax, ay, ar, at = window_rect(a)
        bx, by, br, bt = window_rect(b)
        gap = max(max(ax, bx) - min(ar, br), max(ay, by) - min(at, bt))
        if gap < min_gap - 0.5:
            found.append(Violation("gap", f"{describe(a)} / {describe(b)}", f"gap {gap:.0f} px < {min_gap:.0f} px"))
    return found
