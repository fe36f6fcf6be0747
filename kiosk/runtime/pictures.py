"""Item pictures: fetched from the portal once (``/static/catalog/…``), kept on disk, drawn as SVG.

The portal serves Twemoji SVGs; Kivy draws them with ``kivy.graphics.svg.Svg``. A picture that
cannot be fetched or drawn is simply left out: the tile still shows the item's name.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
Fetcher = Callable[[str], bytes]
MAX_PICTURE_BYTES = 512 * 1024


class PictureCache:
    """Item pictures on disk, keyed by their portal path."""

    def __init__(self, directory: Path | None, fetch: Fetcher | None) -> None:
        """``directory`` None or ``fetch`` None: no pictures (tiles show names only)."""
        self.directory = directory
        self._fetch = fetch

    def path_for(self, url: str | None) -> Path | None:
        """The cached file of ``url`` if it has been fetched."""
        if not url or self.directory is None:
            return None
        path = self.directory / (hashlib.sha256(url.encode()).hexdigest()[:16] + Path(url).suffix.lower())
        return path if path.is_file() else None

    def fetch_missing(self, urls: list[str]) -> int:
        """Download pictures not on disk yet (worker thread); returns how many were stored."""
        if self.directory is None or self._fetch is None:
            return 0
        stored = 0
        for url in dict.fromkeys(u for u in urls if u):
            if self.path_for(url) is not None or not url.lower().endswith(".svg"):
                continue
            try:
                data = self._fetch(url)
            except Exception as exc:  # offline or missing: the tile shows the name only
                logger.info("picture %s not fetched: %r", url, exc)
                continue
            if not data or len(data) > MAX_PICTURE_BYTES:
                continue
            target = self.directory / (hashlib.sha256(url.encode()).hexdigest()[:16] + ".svg")
            tmp = target.with_name(target.name + ".tmp")
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                tmp.write_bytes(data)
                os.replace(tmp, target)
                stored += 1
            except OSError:
                logger.warning("cannot store picture %s", target, exc_info=True)
        return stored


BEZIER_POINTS = 10
CIRCLE_POINTS = 24
"""Curve segments per Bézier / circle. Kivy's defaults (64 / 64) take ~0.3 s per Twemoji picture on
a 2-core machine; these take ~10 ms and look the same at tile size."""


def load_svg(path: Path) -> Any:
    """Parse an SVG for drawing (None when Kivy cannot read it); runs on the UI thread."""
    from kivy.graphics.svg import Svg

    try:
        return Svg(str(path), bezier_points=BEZIER_POINTS, circle_points=CIRCLE_POINTS)
    except Exception:
        logger.warning("cannot draw picture %s", path, exc_info=True)
        return None
