"""The live roll-call list's feed: every :class:`RollCallEvent` row is an event, one SSE message per
changed roll call per poll. The hub that polls and fans it out is :class:`caregiver_portal.core.live.EventHub`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.core import live
from caregiver_portal.roll_calls.models import RollCallEvent

NOTIFY_CHANNEL = "anxin_roll_call_events"


@dataclass(frozen=True)
class RollCallChange:
    """A change of one roll call, as streamed to the live lists."""

    id: int
    roll_call_id: int
    site_id: int
    type: str

    @cached_property
    def sse(self) -> bytes:
        """One server-sent-event message, encoded once for every list."""
        data = json.dumps({"roll_call_id": self.roll_call_id, "type": self.type}, separators=(",", ":"))
        return f"id: {self.id}\nevent: roll_call\ndata: {data}\n\n".encode()


def read_changes_after(session: Session, after_id: int, *, limit: int = 500) -> list[RollCallChange]:
    """Event rows with an id above ``after_id``, oldest first."""
    rows = session.execute(select(RollCallEvent.id, RollCallEvent.roll_call_id, RollCallEvent.site_id,
                                  RollCallEvent.type).where(RollCallEvent.id > after_id)
                           .order_by(RollCallEvent.id).limit(limit))
    return [RollCallChange(*row) for row in rows]


class RollCallFeed:
    """The roll-call event log as a :class:`caregiver_portal.core.live.Feed`."""

    model = RollCallEvent
    channel = NOTIFY_CHANNEL

    def read_after(self, session: Session, after_id: int, *, limit: int = 500) -> list[RollCallChange]:
        """Event rows with an id above ``after_id``, oldest first."""
        return read_changes_after(session, after_id, limit=limit)

    def merge(self, events: Iterable[RollCallChange]) -> list[RollCallChange]:
        """One message per roll call per poll (its newest row): a list re-fetches itself whole."""
        latest = {event.roll_call_id: event for event in sorted(events, key=lambda e: e.id)}
        return sorted(latest.values(), key=lambda e: e.id)

    def event_of(self, row: RollCallEvent) -> RollCallChange:
        """The change of an event row just flushed."""
        return RollCallChange(row.id, row.roll_call_id, row.site_id, row.type)


ROLL_CALLS = RollCallFeed()


def enable_notify() -> None:
    """Make every session NOTIFY new roll-call event ids on PostgreSQL (idempotent, process-wide)."""
    live.enable_notify(ROLL_CALLS)
