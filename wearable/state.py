"""The bridge's own durable state: falls inside their cancel window, last iTAG presses, the highest
frame counter of each band (replay protection survives a restart), and the bands' keys.

A fall waits for the wearer's "I am fine" before the bridge raises it, and the portal
escalates every alert at once, so the wait happens here. Kept only in memory, a fall
inside its window would be lost to a crash or a power cut; :class:`BridgeState` keeps it
in a small SQLite file of its own next to the portal client's outbox (:mod:`wearable.state_file`) from
the moment it is held until the alert (or the cancelled record) is in the outbox. On the
next start the bridge holds it again with what is left of its window, or forwards it at
once if the window ended while the bridge was down.

Order of writes, so a crash at any point loses nothing and duplicates nothing::

    fall held   -> row inserted here
    window ends -> raise_alert() commits to the outbox -> row deleted here
    crash between the two -> re-raised after restart with the same event id
                             -> the outbox / portal store it once

Frame counters are written in batches (every ``batch_interval``), so after a crash a frame
of the last seconds may be taken once more: it carries the same event id, which the portal
stores once. The band keys are kept so a bridge restarted while the portal is unreachable
still authenticates its bands; each is sealed with AES-GCM under a key derived (HKDF) from
the bridge's device token, so the file alone — a backup, a copied SD card — does not give
them away.

The methods are blocking (SQLite); the forwarder calls them in a worker thread.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from wearable.keys import Enrolment, Scheme
from wearable.messages import AlertOut
from wearable.state_file import open_state_file

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
CREATE TABLE IF NOT EXISTS frame_counters (
    wristband TEXT NOT NULL,
    key_id TEXT NOT NULL,
    highest INTEGER NOT NULL,
    PRIMARY KEY (wristband, key_id)
);
CREATE TABLE IF NOT EXISTS band_keys (
    wristband TEXT PRIMARY KEY,
    scheme TEXT NOT NULL,
    sealed BLOB
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
        self._db = open_state_file(path, SCHEMA)

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

    def store_counters(self, counters: Mapping[tuple[str, str], int]) -> None:
        """Remember the highest verified frame counter per (band, key fingerprint); only ever raised."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # one transaction (one fsync), not one per band
            try:
                self._db.executemany(
                    "INSERT INTO frame_counters (wristband, key_id, highest) VALUES (?, ?, ?)"
                    " ON CONFLICT (wristband, key_id) DO UPDATE SET highest = excluded.highest"
                    " WHERE excluded.highest > frame_counters.highest",
                    [(address, key_id, highest) for (address, key_id), highest in counters.items()],
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def counters(self) -> dict[tuple[str, str], int]:
        """Highest verified frame counter per (band, key fingerprint): a new key starts over."""
        with self._lock:
            rows = self._db.execute("SELECT wristband, key_id, highest FROM frame_counters").fetchall()
        return {(address, key_id): highest for address, key_id, highest in rows}

    def store_enrolments(self, bands: Iterable[Enrolment], *, secret: bytes) -> None:
        """Replace the cached enrolments (keys sealed under ``secret``, the device token)."""
        cipher = _cache_cipher(secret)
        rows = []
        for band in bands:
            sealed = None
            if band.key is not None:
                nonce = os.urandom(12)
                sealed = nonce + cipher.encrypt(nonce, band.key, band.address.encode())
            rows.append((band.address, band.scheme.value, sealed))
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM band_keys")
                self._db.executemany("INSERT INTO band_keys (wristband, scheme, sealed) VALUES (?, ?, ?)", rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def enrolments(self, *, secret: bytes) -> list[Enrolment]:
        """The cached enrolments; a key that does not open (another token) leaves its band without one."""
        cipher = _cache_cipher(secret)
        with self._lock:
            rows = self._db.execute("SELECT wristband, scheme, sealed FROM band_keys").fetchall()
        bands = []
        for address, scheme, sealed in rows:
            key = None
            if sealed is not None:
                try:
                    key = cipher.decrypt(sealed[:12], sealed[12:], address.encode())
                except InvalidTag:
                    key = None
            bands.append(Enrolment(address, Scheme(scheme), key))
        return bands

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()


def _cache_cipher(secret: bytes) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"anxin bridge band-key cache")
    return AESGCM(hkdf.derive(secret))


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
