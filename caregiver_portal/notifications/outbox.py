"""The notification outbox: rows are added in the same transaction as the change they report
(an alert change, or a due activity reminder: a notice without an alert)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from caregiver_portal.alerts.models import Alert
from caregiver_portal.notifications.models import Notification

ALARM_EVENTS = ("alarm", "reminder")  # superseded once the alert is accepted or closed


def enqueue(session: Session, *, alert: Alert | None, channel_id: int, event: str, payload: dict[str, Any],
            now: datetime) -> Notification:
    """Add one message for one bot to the outbox (the caller's transaction commits it).

    Without an alert the row is a notice: ``payload`` carries its ready ``text``, a ``title`` and
    the portal ``path`` to link to (see :class:`~caregiver_portal.notifications.messages.Notice`).
    """
    notification = Notification(alert_id=alert.id if alert else None, channel_id=channel_id, created_at=now,
                                event=event, payload=payload, state="pending", attempts=0, next_attempt_at=now)
    session.add(notification)
    return notification


def enqueue_follow_up(session: Session, *, alert: Alert, event: str, now: datetime) -> int:
    """After accept / resolve / cancel: drop unsent alarms and tell the bots that carried one.

    Returns how many follow-up messages were queued.
    """
    session.execute(
        update(Notification)
        .where(Notification.alert_id == alert.id, Notification.state == "pending",
               Notification.event.in_(ALARM_EVENTS))
        .values(state="skipped", last_error=f"superseded by {event}")
        .execution_options(synchronize_session=False)
    )
    channel_ids = session.scalars(
        select(Notification.channel_id).distinct()
        .where(Notification.alert_id == alert.id, Notification.state == "sent",
               Notification.event.in_(ALARM_EVENTS))
    ).all()
    for channel_id in sorted(channel_ids):
        enqueue(session, alert=alert, channel_id=channel_id, event=event, payload={}, now=now)
    return len(channel_ids)
