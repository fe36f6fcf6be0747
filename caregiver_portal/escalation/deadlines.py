"""Durable escalation deadlines (table ``escalations``): started, re-anchored, stopped, claimed.

The alert services call :func:`start`, :func:`restart_for_accepted` and :func:`stop` in the
transaction of the alert change; they need no policy, because the sweep works out the next
deadline from the policy in force. A new row is due at once, so the first step (notify the
grid "at once") fires on the next tick; deadlines count from the press (``Alert.occurred_at``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from caregiver_portal.alerts.models import Alert
from caregiver_portal.escalation.models import Escalation


def start(session: Session, *, alert: Alert, now: datetime) -> Escalation:
    """Begin escalating a new alert: phase open, anchored at its press (``occurred_at``), due now.

    An alert that arrived late is therefore at once on the step it should be on (the sweep fires the
    missed steps together, :func:`~caregiver_portal.escalation.policy.catch_up`)."""
    row = Escalation(alert_id=alert.id, phase="open", anchor_at=alert.occurred_at, fired=0, next_due_at=now,
                     updated_at=now)
    session.add(row)
    return row


def restart_for_accepted(session: Session, *, alert: Alert, now: datetime) -> None:
    """Switch to the reminder ladder, anchored at acceptance (the sweep sets the deadline)."""
    row = session.get(Escalation, alert.id)
    if row is None:
        row = Escalation(alert_id=alert.id)
        session.add(row)
    if row.phase == "open":
        row.open_fired = row.fired or 0  # an arrival re-escalation goes on from the next open step
    row.phase, row.anchor_at, row.fired, row.next_due_at, row.updated_at = "accepted", now, 0, now, now


def stop(session: Session, *, alert: Alert) -> None:
    """The alert is resolved or cancelled: nothing more to escalate."""
    session.execute(delete(Escalation).where(Escalation.alert_id == alert.id))


def claim_due(session: Session, *, now: datetime, limit: int) -> Sequence[Escalation]:
    """Lock and return up to ``limit`` rows due at ``now``, oldest deadline first, with their alerts.

    PostgreSQL: the alert and its escalation row are locked together (``FOR NO KEY UPDATE … SKIP
    LOCKED``), so the sweep follows the one lock order (alert before escalation, docs/escalation.md)
    and never waits: an alert a volunteer is accepting or cancelling right now is left for the next
    sweep, and concurrent sweepers take disjoint rows. SQLite ignores the clause; its
    ``BEGIN IMMEDIATE`` already lets one writer at a time in, and the second sweeper then sees the
    advanced deadlines.
    """
    return session.scalars(
        select(Escalation).join(Alert, Alert.id == Escalation.alert_id).where(Escalation.next_due_at <= now)
        .order_by(Escalation.next_due_at, Escalation.alert_id).limit(limit)
        .with_for_update(skip_locked=True, key_share=True, of=(Alert, Escalation))
    ).all()
