"""Small JSON files the kiosk keeps next to its outbox so it works offline.

``<outbox>.catalog.json``, ``<outbox>.activities.json``, ``<outbox>.residents.json`` and
``<outbox>.requests.json``: each written atomically (temp file + rename), each read
tolerantly (a missing or broken file is an empty store and a warning, never a crash).
Pictures of catalog items are cached in ``<outbox>.pictures/``.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


class JsonStore:
    """One JSON document on disk with the time it was last fetched from the portal."""

    def __init__(self, path: Path | None) -> None:
        """``path`` None keeps everything in memory (tests)."""
        self.path = path
        self._lock = threading.Lock()
        self.data, self.fetched_at = self._load()

    def _load(self) -> tuple[Any, datetime | None]:
        if self.path is None or not self.path.is_file():
            return None, None
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            fetched = raw.get("fetched_at")
            return raw["data"], datetime.fromisoformat(fetched) if fetched else None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            logger.warning("kiosk cache %s is unreadable; starting without it", self.path)
            return None, None

    def save(self, data: Any, fetched_at: datetime | None = None) -> None:
        """Replace the document (a failure to write is logged, never raised)."""
        with self._lock:
            self.data = data
            self.fetched_at = fetched_at or self.fetched_at
            if self.path is None:
                return
            payload = {"fetched_at": self.fetched_at.isoformat() if self.fetched_at else None, "data": data}
            tmp = self.path.with_name(self.path.name + ".tmp")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp.write_text(json.dumps(payload, ensure_ascii=False, default=str), encoding="utf-8")
                os.replace(tmp, self.path)
            except OSError:
                logger.warning("cannot write kiosk cache %s", self.path, exc_info=True)
