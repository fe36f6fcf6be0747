"""The bridge's own durable state: falls inside their cancel window, last iTAG presses.

A fall waits for the wearer's "I am fine" before the bridge raises it, and the portal
escalates every alert at once, so the wait happens here. Kept only in memory, a fall
inside its window would be lost to a crash or a power cut; :class:`BridgeState` keeps it
in a small SQLite file next to the portal client's outbox (WAL, ``synchronous=FULL``) from
the moment it is held until the alert (or the cancelled record) is in the outbox. On the
next start the bridge holds it again with what is left of its window, or forwards it at
once if the window ended while the bridge was down.

Order of writes, so a crash at any point loses nothing and duplicates nothing::

    fall held   -> row inserted here
    window ends -> raise_alert() commits to the outbox -> row deleted here
    crash between the two -> re-raised after restart with the same event id
                             -> the outbox / portal store it once

The methods are blocking (SQLite); the forwarder calls them in a worker thread.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from caregiver_portal.client.durable import open_durable_sqlite
from wearable.messages import AlertOut

STATE_FILE = "bridge-state.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS held_falls (
    event_id TEXT PRIMARY KEY,
    wristband TEXT NOT NULL,
    kind TEXT NOT NULL,
    details TEXT NOT NULL,
    detected_at REAL NOT NULL,
    deadline_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS itag_presses (
    wristband TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    pressed_at REAL NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class StoredFall:
    """A fall a previous run held in its cancel window."""

    alert: AlertOut
    """The alert to raise when the window ends."""
    detected_at: datetime
    """When the fall was received (UTC)."""
    deadline_at: datetime
    """When its window ends (UTC)."""


@dataclass(frozen=True, slots=True)
class StoredPress:
    """The last forwarded press of one iTAG button."""

    wristband: str
    """Button address."""
    event_id: str
    """Event id of the SOS the press raised."""
    pressed_at: datetime
    """When it was received (UTC)."""


class BridgeState:
    """Thread-safe store of held falls and last iTAG presses (one SQLite file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_durable_sqlite(path, SCHEMA)

    @classmethod
    def in_dir(cls, data_dir: Path) -> BridgeState:
        """The state file of a bridge whose data lives in ``data_dir``."""
        return cls(data_dir / STATE_FILE)

    def hold_fall(self, alert: AlertOut, *, detected_at: datetime, deadline_at: datetime) -> None:
        """Remember a fall inside its cancel window (idempotent on the event id)."""
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO held_falls (event_id, wristband, kind, details, detected_at, deadline_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (alert.event_id, alert.wristband, alert.kind, json.dumps(alert.details, ensure_ascii=False),
                 detected_at.timestamp(), deadline_at.timestamp()),
            )

    def settle_fall(self, event_id: str) -> None:
        """Forget a fall once the portal client holds its alert."""
        with self._lock:
            self._db.execute("DELETE FROM held_falls WHERE event_id = ?", (event_id,))

    def held_falls(self) -> list[StoredFall]:
        """Falls still held, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT event_id, wristband, kind, details, detected_at, deadline_at FROM held_falls"
                " ORDER BY detected_at"
            ).fetchall()
        return [
            StoredFall(AlertOut(kind, wristband, event_id, json.loads(details)), _utc(detected), _utc(deadline))
            for event_id, wristband, kind, details, detected, deadline in rows
        ]

    def note_itag_press(self, wristband: str, *, event_id: str, pressed_at: datetime) -> None:
        """Remember the latest forwarded press of an iTAG button."""
        with self._lock:
            self._db.execute(
                "INSERT INTO itag_presses (wristband, event_id, pressed_at) VALUES (?, ?, ?)"
                " ON CONFLICT (wristband) DO UPDATE SET event_id = excluded.event_id,"
                " pressed_at = excluded.pressed_at WHERE excluded.pressed_at > itag_presses.pressed_at",
                (wristband, event_id, pressed_at.timestamp()),
            )

    def itag_presses(self) -> list[StoredPress]:
        """The latest forwarded press of each iTAG button."""
        with self._lock:
            rows = self._db.execute("SELECT wristband, event_id, pressed_at FROM itag_presses").fetchall()
        return [StoredPress(wristband, event_id, _utc(at)) for wristband, event_id, at in rows]

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
