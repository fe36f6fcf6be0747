"""The bridge's state file (``bridge-state.sqlite3``): opened here, by the bridge itself, not through the portal
client's outbox code, so the two files can change apart.

WAL lets the forwarder's worker thread write while the bridge reads; ``synchronous=FULL`` makes a committed
row (a held fall) survive a power cut.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_state_file(path: Path, schema: str) -> sqlite3.Connection:
    """Open (creating it and its folder if needed) the state file in autocommit mode, shared between threads
    under the caller's lock, with ``schema`` applied (idempotent DDL)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(schema)
    return db
