"""A durable outbox in a local SQLite file: a request is stored before it is sent.

An item stays until the portal confirms it; the confirmation is kept (for a while) so the
caller can read what the portal answered. Requests the portal refuses for good (4xx other
than 401/408/429) move to a ``rejected`` state with the reason: never silently dropped.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caregiver_portal.client.durable import open_durable_sqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at REAL NOT NULL,
    priority INTEGER NOT NULL DEFAULT 1,
    attempts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending',
    response TEXT,
    last_error TEXT,
    done_at REAL
);
CREATE INDEX IF NOT EXISTS ix_outbox_pending ON outbox (state, priority, seq);
"""


@dataclass(frozen=True)
class OutboxItem:
    """One stored request."""

    seq: int
    event_id: str
    method: str
    path: str
    body: dict[str, Any]
    attempts: int


class Outbox:
    """Thread-safe durable queue of device requests (SQLite, WAL, synchronous=FULL)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_durable_sqlite(path, SCHEMA)

    def put(self, *, event_id: str, method: str, path: str, body: dict[str, Any], priority: int = 1) -> bool:
        """Store a request durably; False when ``event_id`` is already stored (nothing changes)."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO outbox (event_id, method, path, body, created_at, priority)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (event_id, method, path, json.dumps(body, ensure_ascii=False), time.time(), priority),
            )
            return cursor.rowcount == 1

    def pending(self, limit: int = 100) -> list[OutboxItem]:
        """Requests still to send: urgent ones (priority 0) first, then in order of storing."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, event_id, method, path, body, attempts FROM outbox WHERE state = 'pending'"
                " ORDER BY priority, seq LIMIT ?", (limit,),
            ).fetchall()
        return [OutboxItem(seq, event_id, method, path, json.loads(body), attempts)
                for seq, event_id, method, path, body, attempts in rows]

    def record_attempt(self, event_id: str, error: str) -> None:
        """Count a failed attempt and remember why."""
        with self._lock:
            self._db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE event_id = ?",
                             (error[:500], event_id))

    def mark_delivered(self, event_id: str, response: dict[str, Any]) -> None:
        """The portal confirmed the request; keep its answer."""
        self._finish(event_id, "delivered", response=response)

    def mark_rejected(self, event_id: str, reason: str) -> None:
        """The portal refused the request for good; keep it with the reason for an operator."""
        self._finish(event_id, "rejected", error=reason)

    def _finish(self, event_id: str, state: str, *, response: dict[str, Any] | None = None,
                error: str | None = None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE outbox SET state = ?, response = ?, last_error = COALESCE(?, last_error), done_at = ?,"
                " attempts = attempts + 1 WHERE event_id = ?",
                (state, json.dumps(response, ensure_ascii=False) if response is not None else None, error,
                 time.time(), event_id),
            )

    def response(self, event_id: str) -> dict[str, Any] | None:
        """What the portal answered to a delivered request, else None."""
        with self._lock:
            row = self._db.execute("SELECT response FROM outbox WHERE event_id = ? AND state = 'delivered'",
                                   (event_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def state(self, event_id: str) -> str | None:
        """``pending``, ``delivered``, ``rejected`` or None when unknown."""
        with self._lock:
            row = self._db.execute("SELECT state FROM outbox WHERE event_id = ?", (event_id,)).fetchone()
        return row[0] if row else None

    def pending_count(self) -> int:
        """How many requests wait to be sent."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'pending'").fetchone()[0])

    def purge_finished(self, older_than_s: float) -> int:
        """Forget delivered requests older than ``older_than_s`` (rejected ones are kept)."""
        with self._lock:
            cursor = self._db.execute("DELETE FROM outbox WHERE state = 'delivered' AND done_at < ?",
                                      (time.time() - older_than_s,))
            return cursor.rowcount

    def close(self) -> None:
        """Close the database file."""
        with self._lock:
            self._db.close()
