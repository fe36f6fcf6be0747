"""The outbox's SQLite file (the bridge keeps its own state in ``wearable.state_file``).

WAL lets the sender read while the app writes; ``synchronous=FULL`` makes a committed row
survive a power cut, which is the promise "stored locally" rests on.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_durable_sqlite(path: Path, schema: str) -> sqlite3.Connection:
    """Open (creating it and its folder if needed) a SQLite file in autocommit mode, shared
    between threads under the caller's lock, with ``schema`` applied (idempotent DDL)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(schema)
    return db
