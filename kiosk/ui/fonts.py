"""Find and register a Simplified-Chinese font so no text renders as tofu.

Kivy's bundled Roboto has no CJK glyphs. We use the vendored Noto Sans SC of the ``assets``
package (``assets/fonts/``, found next to the installed package) first, then Debian's
``fonts-wqy-microhei`` (installed by ``scripts/bootstrap.sh``) when it is missing.
Noto CJK ``.ttc`` collections are deliberately not in the list: face 0 is the Japanese
variant, which draws several common characters (直, 令, 骨) wrongly for Chinese readers.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import assets
from kiosk.errors import FontNotFound

logger = logging.getLogger(__name__)

FONT_NAME = "AnxinSans"
"""Name under which the CJK font is registered with Kivy."""
FONT_ENV_VAR = "ANXIN_KIOSK_FONT"
"""Environment variable that may point at a font file to use instead of the search list."""
VENDORED_FONT = assets.path("fonts", "NotoSansSC-Regular.otf")
"""Noto Sans SC Regular (OFL), shipped as package data of ``assets``."""
DEBIAN_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
"""Debian's Chinese fonts, the fallback when the vendored font is missing."""
FONT_SEARCH_PATHS: tuple[Path, ...] = (VENDORED_FONT, *DEBIAN_FONTS)
"""Candidate fonts, best first."""
LINE_SPACING = 1.3
"""Wanted distance between the baselines of wrapped lines, as a multiple of the font size."""
_natural_pitch: dict[str, float] = {}
"""The registered font's own baseline distance per font size (measured at registration)."""


def line_height_factor() -> float:
    """Kivy ``line_height`` that gives :data:`LINE_SPACING` with the registered font.

    Kivy multiplies the font's own line distance, which differs between fonts (Noto Sans SC
    1.45, WenQuanYi Micro Hei about 1.2); before a font is registered this is LINE_SPACING.
    """
    pitch = _natural_pitch.get(FONT_NAME)
    return LINE_SPACING if pitch is None else max(1.0, LINE_SPACING / pitch)


def measure_pitch(font_name: str, line_height: float = 1.0) -> float:
    """Baseline distance of two wrapped lines in ``font_name`` divided by the font size (needs a window)."""
    from kivy.core.text import Label as CoreLabel

    heights = []
    for text in ("国", "国\n国"):
        label = CoreLabel(text=text, font_size=100, font_name=font_name, line_height=line_height)
        label.refresh()
        heights.append(label.texture.size[1] if label.texture is not None else 0)
    return (heights[1] - heights[0]) / 100


def find_cjk_font(candidates: Sequence[Path] | None = None) -> Path:
    """Return the first existing font file with Simplified-Chinese glyphs, or raise FontNotFound."""
    override = os.environ.get(FONT_ENV_VAR)
    if candidates is None:
        candidates = ((Path(override),) if override else ()) + FONT_SEARCH_PATHS
    for path in candidates:
        if path.is_file():
            return path
    looked = "\n  ".join(str(p) for p in candidates)
    raise FontNotFound(
        "no Simplified-Chinese font found; install Debian's fonts-wqy-microhei "
        "(`apt-get install fonts-wqy-microhei`, done by scripts/bootstrap.sh), put "
        f"NotoSansSC-Regular.otf into assets/fonts/, or set {FONT_ENV_VAR}. Looked at:\n  {looked}"
    )


def register_cjk_font(candidates: Sequence[Path] | None = None) -> Path:
    """Register the CJK font as ``AnxinSans`` and as Kivy's default font; return its path.

    Registering it under Kivy's default name too means widgets Kivy creates on its own
    (e.g. error popups) also show Chinese instead of tofu.
    """
    from kivy.core.text import DEFAULT_FONT, LabelBase

    path = find_cjk_font(candidates)
    LabelBase.register(name=FONT_NAME, fn_regular=str(path))
    if DEFAULT_FONT:
        LabelBase.register(name=DEFAULT_FONT, fn_regular=str(path))
    _natural_pitch[FONT_NAME] = measure_pitch(FONT_NAME) or LINE_SPACING
    logger.info("kiosk font: %s (line pitch %.2f)", path, _natural_pitch[FONT_NAME])
    return path
