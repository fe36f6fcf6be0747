"""The live queue's feed: every :class:`~.models.QueueEvent` row is an event, one SSE message per changed subject.

The hub that polls it and fans it out is a second :class:`caregiver_portal.core.live.EventHub` (the alert board
has its own), so the queue page never wakes for alert changes and the board never for orders.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.core import live
from caregiver_portal.queue.models import QueueEvent

NOTIFY_CHANNEL = "anxin_queue_events"


@dataclass(frozen=True)
class QueueMessage:
    """A new or changed order or sign-up, as streamed to the queue pages."""

    id: int
    site_id: int
    subject: str
    subject_id: int
    type: str

    @cached_property
    def sse(self) -> bytes:
        """The event as one server-sent-event message, encoded once for every subscriber."""
        data = json.dumps({"subject": self.subject, "id": self.subject_id, "type": self.type}, separators=(",", ":"))
        return f"id: {self.id}\nevent: queue\ndata: {data}\n\n".encode()


def merge(events: Iterable[QueueMessage]) -> list[QueueMessage]:
    """One message per subject per poll (its newest); the page re-reads the queue on any message."""
    latest = {(event.subject, event.subject_id): event for event in sorted(events, key=lambda e: e.id)}
    return sorted(latest.values(), key=lambda e: e.id)


class QueueFeed:
    """The queue events as a :class:`caregiver_portal.core.live.Feed`."""

    model = QueueEvent
    channel = NOTIFY_CHANNEL

    def read_after(self, session: Session, after_id: int, *, limit: int = 500) -> list[QueueMessage]:
        """Rows with an id above ``after_id``, oldest first."""
        rows = session.execute(select(QueueEvent.id, QueueEvent.site_id, QueueEvent.subject, QueueEvent.subject_id,
                                      QueueEvent.type).where(QueueEvent.id > after_id)
                               .order_by(QueueEvent.id).limit(limit))
        return [QueueMessage(*row) for row in rows]

    def merge(self, events: Iterable[QueueMessage]) -> list[QueueMessage]:
        """One message per subject per poll (:func:`merge`)."""
        return merge(events)

    def event_of(self, row: QueueEvent) -> QueueMessage:
        """The message of a queue event row just flushed."""
        return QueueMessage(row.id, row.site_id, row.subject, row.subject_id, row.type)


QUEUE = QueueFeed()


def enable_notify() -> None:
    """Make every session NOTIFY new queue event ids on PostgreSQL (idempotent, process-wide)."""
    live.enable_notify(QUEUE)
