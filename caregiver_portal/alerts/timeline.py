"""An alert's timeline: every change, step and note is one row, and each row is also an event of the live
board (:mod:`caregiver_portal.alerts.live`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Device, User
from caregiver_portal.alerts.models import Alert, AlertEvent


def timeline_entry(alert: Alert, *, type: str, now: datetime, message: str = "", user: User | None = None,
                   device: Device | None = None, client_event_id: str | None = None) -> AlertEvent:
    """One entry of the alert's timeline, not yet added to a session."""
    return AlertEvent(alert_id=alert.id, site_id=alert.site_id, at=now, type=type, message=message,
                      actor_user_id=user.id if user else None, actor_device_id=device.id if device else None,
                      client_event_id=client_event_id)


def add_timeline(session: Session, alert: Alert, *, type: str, now: datetime, message: str = "",
                 user: User | None = None, device: Device | None = None) -> AlertEvent:
    """Add one entry to the alert's timeline (and so to every live board)."""
    event = timeline_entry(alert, type=type, now=now, message=message, user=user, device=device)
    session.add(event)
    return event
