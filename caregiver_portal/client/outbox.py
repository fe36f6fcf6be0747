"""A durable outbox in a local SQLite file: a request is stored before it is sent.

An item stays ``pending`` until the portal confirms it (``delivered``, the answer is kept for a
while so the caller can read what the portal said) or refuses it for good. A refused item is a
*dead letter* (state ``rejected``): kept with the portal's status, answer and the kind of
problem (:data:`PROBLEMS`), shown to the person at the device and reported to the portal —
never silently dropped, never retried, and never in the way of another item.

Scheduling is per item: each item has its own next attempt time (transient failures back off
item by item), a priority (:class:`Priority`: an SOS or fall before other writes before
readings) and a *lane*. Items of one lane go out in the order they were stored (an alert's
cancellation never overtakes the alert); different lanes never wait for each other.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

from caregiver_portal.client.durable import open_durable_sqlite

PENDING, DELIVERED, REJECTED = "pending", "delivered", "rejected"
"""The states of an item; ``rejected`` is the dead-letter state."""

PROBLEMS = ("refused", "forbidden", "conflict")
"""Why a dead letter is dead: the portal refused the request for good (a 4xx), refused this device
the request although its token is valid (401/403), or already holds a different request under the
same id (409 with both digests)."""

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
"""
SCHEMA_VERSION = 2
UPGRADE_TO_2 = """
ALTER TABLE outbox ADD COLUMN lane TEXT;
ALTER TABLE outbox ADD COLUMN next_attempt_at REAL NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_attempt_at REAL;
ALTER TABLE outbox ADD COLUMN status_code INTEGER;
ALTER TABLE outbox ADD COLUMN problem TEXT;
ALTER TABLE outbox ADD COLUMN reported_at REAL;
UPDATE outbox SET lane = event_id, priority = priority + 1;
UPDATE outbox SET priority = 0 WHERE path = '/api/v1/alerts' AND state = 'pending'
    AND (json_extract(body, '$.kind') IN ('sos', 'fall') OR json_extract(body, '$.emergency') = 1);
DROP INDEX IF EXISTS ix_outbox_pending;
CREATE INDEX IF NOT EXISTS ix_outbox_due ON outbox (state, priority, seq);
CREATE INDEX IF NOT EXISTS ix_outbox_lane ON outbox (lane, state, seq);
"""
ITEM_COLUMNS = "seq, event_id, method, path, body, attempts, priority, lane"
# Due: pending, its backoff over, not tried in this pass, and first of its lane.
DUE = f"""
SELECT {ITEM_COLUMNS} FROM outbox AS item
WHERE state = 'pending' AND priority BETWEEN ? AND ? AND (? OR next_attempt_at <= ?)
  AND (last_attempt_at IS NULL OR last_attempt_at < ?)
  AND NOT EXISTS (SELECT 1 FROM outbox AS earlier
                  WHERE earlier.lane = item.lane AND earlier.state = 'pending' AND earlier.seq < item.seq)
ORDER BY priority, attempts > 0, seq LIMIT 1
"""
DEAD_LETTER_QUERY = ("SELECT event_id, method, path, body, problem, status_code, last_error, response, done_at,"
                     " reported_at FROM outbox")


class Priority(IntEnum):
    """Which item goes first when several are due."""

    EMERGENCY = 0
    """An SOS, a fall, an emergency help call (and its cancellation)."""
    URGENT = 1
    """Any other write a person is waiting for: a help call, an order, a sign-up, a rating."""
    BULK = 2
    """Health readings and other background data."""


ALL_PRIORITIES = range(Priority.EMERGENCY, Priority.BULK + 1)


@dataclass(frozen=True)
class OutboxItem:
    """One stored request waiting to be sent."""

    seq: int
    event_id: str
    method: str
    path: str
    body: dict[str, Any]
    attempts: int
    priority: int = Priority.URGENT
    lane: str = ""


@dataclass(frozen=True)
class DeadLetter:
    """A request the portal refused for good, kept for the person at the device and the portal's admin."""

    event_id: str
    method: str
    path: str
    body: dict[str, Any]
    problem: str
    """One of :data:`PROBLEMS`."""
    status_code: int | None
    detail: str
    """What the portal said, as text (its ``detail``)."""
    answer: dict[str, Any]
    """The portal's whole JSON answer (for a conflict: both digests)."""
    failed_at: float
    reported_at: float | None


Clock = Callable[[], float]


class Outbox:
    """Thread-safe durable queue of device requests (SQLite, WAL, synchronous=FULL)."""

    def __init__(self, path: Path, *, clock: Clock = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._db = open_durable_sqlite(path, SCHEMA)
        _upgrade(self._db)

    def put(self, *, event_id: str, method: str, path: str, body: dict[str, Any],
            priority: int = Priority.URGENT, lane: str | None = None) -> bool:
        """Store a request durably, due at once; False when ``event_id`` is already stored (nothing changes).

        ``lane`` (default: the event id, a lane of its own) orders it after the earlier items of that lane.
        """
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO outbox (event_id, method, path, body, created_at, priority, lane)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (event_id, method, path, json.dumps(body, ensure_ascii=False), self._clock(), int(priority),
                 lane or event_id),
            )
            return cursor.rowcount == 1

    def next_due(self, *, now: float, pass_started: float, ignore_backoff: bool = False,
                 priorities: range = ALL_PRIORITIES) -> OutboxItem | None:
        """The item to send next: of ``priorities``, the most urgent due one, fresh before retried, oldest first,
        first of its lane, not yet tried since ``pass_started``; None when nothing is due."""
        with self._lock:
            row = self._db.execute(DUE, (priorities.start, priorities.stop - 1, int(ignore_backoff), now,
                                         pass_started)).fetchone()
        return _item(row) if row else None

    def pending(self, limit: int = 100) -> list[OutboxItem]:
        """Requests still to send, most urgent first, then in order of storing (whatever their backoff)."""
        with self._lock:
            rows = self._db.execute(f"SELECT {ITEM_COLUMNS} FROM outbox WHERE state = 'pending'"
                                    " ORDER BY priority, seq LIMIT ?", (limit,)).fetchall()
        return [_item(row) for row in rows]

    def next_attempt_in(self, *, now: float, priorities: range = ALL_PRIORITIES) -> float | None:
        """Seconds until the earliest pending item of ``priorities`` is due (0 when one is due now), None when
        nothing is pending."""
        with self._lock:
            row = self._db.execute("SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'"
                                   " AND priority BETWEEN ? AND ?", (priorities.start, priorities.stop - 1)).fetchone()
        return None if row[0] is None else max(0.0, float(row[0]) - now)

    def record_attempt(self, event_id: str, error: str, *, retry_at: float | None = None) -> None:
        """Count a failed attempt, remember why, and (``retry_at``) when to try this item again."""
        now = self._clock()
        with self._lock:
            self._db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, last_attempt_at = ?,"
                " next_attempt_at = COALESCE(?, next_attempt_at) WHERE event_id = ?",
                (error[:500], now, retry_at, event_id))

    def retry_now(self) -> None:
        """Make every pending item due at once (the portal is back: forget the backoffs)."""
        with self._lock:
            self._db.execute("UPDATE outbox SET next_attempt_at = 0 WHERE state = 'pending'")

    def mark_delivered(self, event_id: str, response: dict[str, Any]) -> None:
        """The portal confirmed the request; keep its answer."""
        self._finish(event_id, DELIVERED, response=response)

    def mark_rejected(self, event_id: str, reason: str, *, problem: str = "refused", status_code: int | None = None,
                      answer: dict[str, Any] | None = None) -> None:
        """The portal refused the request for good: keep it as a dead letter with the reason."""
        if problem not in PROBLEMS:
            raise ValueError(f"problem must be one of {PROBLEMS}")
        self._finish(event_id, REJECTED, response=answer, error=reason, problem=problem, status_code=status_code)

    def _finish(self, event_id: str, state: str, *, response: dict[str, Any] | None = None, error: str | None = None,
                problem: str | None = None, status_code: int | None = None) -> None:
        now = self._clock()
        with self._lock:
            self._db.execute(
                "UPDATE outbox SET state = ?, response = ?, last_error = COALESCE(?, last_error), done_at = ?,"
                " last_attempt_at = ?, attempts = attempts + 1, problem = ?, status_code = ? WHERE event_id = ?",
                (state, json.dumps(response, ensure_ascii=False) if response is not None else None,
                 error[:500] if error else None, now, now, problem, status_code, event_id),
            )

    def response(self, event_id: str) -> dict[str, Any] | None:
        """What the portal answered to a delivered request, else None."""
        with self._lock:
            row = self._db.execute("SELECT response FROM outbox WHERE event_id = ? AND state = 'delivered'",
                                   (event_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def state(self, event_id: str) -> str | None:
        """``pending``, ``delivered``, ``rejected`` (a dead letter) or None when unknown."""
        with self._lock:
            row = self._db.execute("SELECT state FROM outbox WHERE event_id = ?", (event_id,)).fetchone()
        return row[0] if row else None

    def pending_count(self) -> int:
        """How many requests wait to be sent."""
        return self._count("state = 'pending'")

    def dead_letter_count(self) -> int:
        """How many requests the portal refused for good."""
        return self._count("state = 'rejected'")

    def _count(self, where: str) -> int:
        with self._lock:
            return int(self._db.execute(f"SELECT COUNT(*) FROM outbox WHERE {where}").fetchone()[0])

    def dead_letters(self, *, unreported_only: bool = False, limit: int = 100) -> list[DeadLetter]:
        """Dead letters, newest first (``unreported_only``: those the portal has not been told about)."""
        where = "state = 'rejected'" + (" AND reported_at IS NULL" if unreported_only else "")
        with self._lock:
            rows = self._db.execute(f"{DEAD_LETTER_QUERY} WHERE {where} ORDER BY done_at DESC, seq DESC LIMIT ?",
                                    (limit,)).fetchall()
        return [_dead_letter(row) for row in rows]

    def dead_letter(self, event_id: str) -> DeadLetter | None:
        """The dead letter stored under ``event_id``, else None."""
        with self._lock:
            row = self._db.execute(f"{DEAD_LETTER_QUERY} WHERE state = 'rejected' AND event_id = ?",
                                   (event_id,)).fetchone()
        return _dead_letter(row) if row else None

    def mark_reported(self, event_ids: list[str]) -> None:
        """The portal has been told about these dead letters."""
        now = self._clock()
        with self._lock:
            self._db.executemany("UPDATE outbox SET reported_at = ? WHERE event_id = ?",
                                 [(now, event_id) for event_id in event_ids])

    def purge_finished(self, older_than_s: float) -> int:
        """Forget delivered requests older than ``older_than_s`` (dead letters are kept)."""
        with self._lock:
            cursor = self._db.execute("DELETE FROM outbox WHERE state = 'delivered' AND done_at < ?",
                                      (self._clock() - older_than_s,))
            return cursor.rowcount

    def close(self) -> None:
        """Close the database file."""
        with self._lock:
            self._db.close()


def _upgrade(db: sqlite3.Connection) -> None:
    """Bring an outbox file written by an older client to :data:`SCHEMA_VERSION` (one transaction)."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version >= SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if int(db.execute("PRAGMA user_version").fetchone()[0]) >= SCHEMA_VERSION:  # another process did it
            db.execute("COMMIT")
            return
        for statement in UPGRADE_TO_2.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _item(row: tuple[Any, ...]) -> OutboxItem:
    seq, event_id, method, path, body, attempts, priority, lane = row
    return OutboxItem(seq, event_id, method, path, json.loads(body), attempts, priority, lane)


def _dead_letter(row: tuple[Any, ...]) -> DeadLetter:
    event_id, method, path, body, problem, status_code, error, response, done_at, reported_at = row
    answer = json.loads(response) if response else {}
    return DeadLetter(event_id=event_id, method=method, path=path, body=json.loads(body), problem=problem or "refused",
                      status_code=status_code, detail=error or "", answer=answer if isinstance(answer, dict) else {},
                      failed_at=float(done_at or 0.0), reported_at=reported_at)
