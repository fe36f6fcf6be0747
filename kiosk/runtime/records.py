"""What the kiosk keeps on disk for offline use: residents met here (and their sign-ups), and the
requests they made here (``<outbox>.residents.json``, ``<outbox>.requests.json``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from kiosk.runtime.store import JsonStore
from kiosk.state.activities import Signup, parse_rows
from kiosk.state.requests import RequestRecord
from kiosk.state.visitor import Visitor

MAX_RECORDS = 200
SHOWN = 12


class Residents:
    """Residents met at this kiosk (id, polite name, room, code) and their last known sign-ups."""

    def __init__(self, store: JsonStore) -> None:
        """Load the cache."""
        self.store = store
        data = store.data if isinstance(store.data, dict) else {}
        self._residents: dict[str, dict[str, Any]] = dict(data.get("residents", {}))
        self._signups: dict[str, list[dict[str, Any]]] = dict(data.get("signups", {}))

    def known(self, resident_id: int) -> Visitor | None:
        """A resident met here before."""
        data = self._residents.get(str(resident_id))
        return Visitor.from_json(data) if data else None

    def known_code(self, code: str) -> Visitor | None:
        """The cached resident with this code (the keypad while offline)."""
        return next((Visitor.from_json(d) for d in self._residents.values() if d.get("code") == code), None)

    def signups(self, resident_id: int) -> tuple[Signup, ...]:
        """The resident's last known sign-ups."""
        return tuple(parse_rows(self._signups.get(str(resident_id), []), Signup))

    def remember(self, visitor: Visitor, signups: list[dict[str, Any]] | None = None) -> None:
        """Cache a resident (and their sign-ups, when fetched)."""
        old = self._residents.get(str(visitor.resident_id), {})
        entry = visitor.to_json()
        if not entry["code"]:
            entry["code"] = old.get("code", "")
        self._residents[str(visitor.resident_id)] = entry
        if signups is not None:
            self._signups[str(visitor.resident_id)] = signups
        self.store.save({"residents": self._residents, "signups": self._signups})


class RequestLog:
    """Requests identified residents made here, with their event ids and last known state."""

    def __init__(self, store: JsonStore) -> None:
        """Load the log."""
        self.store = store
        rows = store.data if isinstance(store.data, list) else []
        self.records: list[RequestRecord] = [RequestRecord.from_json(r) for r in rows if isinstance(r, dict)]

    def note(self, kind: str, event_id: str, resident_id: int | None, summary: str, now: datetime, *,
             activity_id: int | None = None) -> None:
        """Remember a request (anonymous ones are not listed)."""
        if resident_id is None:
            return
        record = RequestRecord(kind=kind, event_id=event_id, resident_id=resident_id, created_at=now.isoformat(),
                               summary=summary, activity_id=activity_id)
        self.records = [record, *self.records][:MAX_RECORDS]
        self._save()

    def update(self, event_id: str, **changes: Any) -> None:
        """Change a record (state, detail, target id, rated)."""
        self.records = [replace(r, **changes) if r.event_id == event_id else r for r in self.records]
        self._save()

    def of(self, resident_id: int) -> list[RequestRecord]:
        """A resident's latest requests, newest first."""
        return [r for r in self.records if r.resident_id == resident_id][:SHOWN]

    def rated(self) -> frozenset[tuple[str, int]]:
        """(kind, id) of what was rated here."""
        kinds = {"help": "alert"}
        return frozenset((kinds.get(r.kind, r.kind), r.target_id) for r in self.records
                         if r.rated and r.target_id is not None)

    def _save(self) -> None:
        self.store.save([r.to_json() for r in self.records])
