"""The live alert board's feed: every alert timeline row is an event, one SSE message per changed alert.

The hub that polls it and fans it out is :class:`caregiver_portal.core.live.EventHub`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.alerts.models import AlertEvent
from caregiver_portal.core import live

NOTIFY_CHANNEL = "anxin_alert_events"


@dataclass(frozen=True)
class BoardEvent:
    """A change of one alert, as streamed to live boards."""

    id: int
    alert_id: int
    site_id: int
    type: str

    @cached_property
    def sse(self) -> bytes:
        """The event as one server-sent-event message, encoded once and shared by every board."""
        data = json.dumps({"alert_id": self.alert_id, "type": self.type}, separators=(",", ":"))
        return f"id: {self.id}\nevent: alert\ndata: {data}\n\n".encode()


# When rows of one alert are merged, the message carries the most significant type.
SIGNIFICANCE = {"raised": 0, "escalated": 1, "reminded": 2, "accepted": 3, "resolved": 3, "cancelled": 3}


def coalesce(events: Iterable[BoardEvent]) -> list[BoardEvent]:
    """One message per alert per poll: its newest id, typed by its most significant row.

    A board re-fetches the whole card on any message, so the rows of one escalation step
    ("escalated" + "notified") need one message, not one each; the type stays "raised" or
    "escalated" so the board can still play its sound for them.
    """
    latest: dict[int, BoardEvent] = {}
    kind: dict[int, str] = {}
    for event in sorted(events, key=lambda e: e.id):
        latest[event.alert_id] = event
        previous = kind.get(event.alert_id)
        if previous is None or SIGNIFICANCE.get(event.type, 9) < SIGNIFICANCE.get(previous, 9):
            kind[event.alert_id] = event.type
    merged = [replace(e, type=kind[e.alert_id]) if kind[e.alert_id] != e.type else e for e in latest.values()]
    return sorted(merged, key=lambda e: e.id)


def fetch_events_after(session: Session, after_id: int, *, limit: int = 500) -> list[BoardEvent]:
    """Timeline rows with an id above ``after_id``, oldest first."""
    rows = session.execute(
        select(AlertEvent.id, AlertEvent.alert_id, AlertEvent.site_id, AlertEvent.type)
        .where(AlertEvent.id > after_id)
        .order_by(AlertEvent.id)
        .limit(limit)
    )
    return [BoardEvent(*row) for row in rows]


class TimelineFeed:
    """The alert timeline as a :class:`caregiver_portal.core.live.Feed`."""

    model = AlertEvent
    channel = NOTIFY_CHANNEL

    def read_after(self, session: Session, after_id: int, *, limit: int = 500) -> list[BoardEvent]:
        """Timeline rows with an id above ``after_id``, oldest first."""
        return fetch_events_after(session, after_id, limit=limit)

    def merge(self, events: Iterable[BoardEvent]) -> list[BoardEvent]:
        """One message per alert per poll (:func:`coalesce`)."""
        return coalesce(events)

    def event_of(self, row: AlertEvent) -> BoardEvent:
        """The event of a timeline row just flushed."""
        return BoardEvent(row.id, row.alert_id, row.site_id, row.type)


TIMELINE = TimelineFeed()


def enable_notify() -> None:
    """Make every session NOTIFY new timeline ids on PostgreSQL (idempotent, process-wide)."""
    live.enable_notify(TIMELINE)
