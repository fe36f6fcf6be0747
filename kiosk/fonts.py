"""Find and register a Simplified-Chinese font so no text renders as tofu.

Kivy's bundled Roboto has no CJK glyphs. We look for a vendored font in ``assets/fonts/``
first, then for Debian's ``fonts-wqy-microhei`` (installed by ``scripts/bootstrap.sh``).
Noto CJK ``.ttc`` collections are deliberately not in the list: face 0 is the Japanese
variant, which draws several common characters (直, 令, 骨) wrongly for Chinese readers.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from kiosk.errors import FontNotFound

logger = logging.getLogger(__name__)

FONT_NAME = "AnxinSans"
"""Name under which the CJK font is registered with Kivy."""
FONT_ENV_VAR = "ANXIN_KIOSK_FONT"
"""Environment variable that may point at a font file to use instead of the search list."""
_REPO_ROOT = Path(__file__).resolve().parent.parent
FONT_SEARCH_PATHS: tuple[Path, ...] = (
    _REPO_ROOT / "assets" / "fonts" / "NotoSansSC-Regular.otf",
    _REPO_ROOT / "assets" / "fonts" / "NotoSansSC-Regular.ttf",
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
"""Candidate fonts, best first."""


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
    logger.info("kiosk font: %s", path)
    return path
