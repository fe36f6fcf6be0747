"""The escalation sweep the ticker runs: claim due deadlines, fire their steps, move them on.

Each claimed alert is handled in a savepoint of its own, so one failing alert is logged and
retried later and never stops the sweep (as in Netflix dispatch's scheduled jobs). A fired
step writes, in the same transaction: an "escalated" (or "reminded") timeline entry, a
"notified" entry naming who was told and how, and one outbox row per bot that carries it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from caregiver_portal.alerts.models import ACTIVE_STATES, Alert
from caregiver_portal.alerts.press_time import duration_words
from caregiver_portal.alerts.timeline import add_timeline
from caregiver_portal.core.db import transaction
from caregiver_portal.escalation.deadlines import claim_due
from caregiver_portal.escalation.models import Escalation
from caregiver_portal.escalation.policy import (
    Audience,
    DueStep,
    EscalationState,
    Phase,
    PolicySet,
    catch_up,
    due_steps,
    step_audiences,
)
from caregiver_portal.escalation.recipients import FALLBACK_AUDIENCES, Directory, callees, describe
from caregiver_portal.notifications.calls import enqueue_calls
from caregiver_portal.notifications.outbox import enqueue
from caregiver_portal.residents.care import escalation_factor

log = logging.getLogger(__name__)
RETRY_AFTER_FAILURE = timedelta(seconds=15)


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did."""

    alerts: int
    steps: int
    failed: int


def sweep_escalations(*, factory: sessionmaker[Session], policies: PolicySet, now: datetime,
                      batch_size: int = 400) -> SweepReport:
    """Fire every step due at ``now``, in transactions of up to ``batch_size`` alerts."""
    alerts = steps = failed = 0
    while True:
        with transaction(factory) as session:
            rows = claim_due(session, now=now, limit=batch_size)
            by_id = _load_alerts(session, [row.alert_id for row in rows])
            fired, errors = _advance_all(session, rows, by_id, policies=policies, now=now)
        alerts, steps, failed = alerts + len(rows), steps + fired, failed + errors
        if len(rows) < batch_size:
            return SweepReport(alerts=alerts, steps=steps, failed=failed)


def _advance_all(session: Session, rows: Sequence[Escalation], by_id: dict[int, Alert], *, policies: PolicySet,
                 now: datetime) -> tuple[int, int]:
    """Advance a claimed batch in one flush; if that fails, again one alert at a time.

    One savepoint per alert would flush per alert (several times slower); failures are
    rare, so the batch is tried whole first and only isolated when it breaks.
    """
    try:
        with session.begin_nested():
            directory = Directory(session, now=now)
            fired = sum(advance(session, row, by_id.get(row.alert_id), policies=policies, directory=directory,
                                now=now) for row in rows)
            session.flush()
        return fired, 0
    except Exception:
        log.warning("escalation batch of %d alerts failed; retrying them one by one", len(rows), exc_info=True)
    fired = failed = 0
    directory = Directory(session, now=now)
    for row in rows:
        try:
            with session.begin_nested():
                fired += advance(session, row, by_id.get(row.alert_id), policies=policies, directory=directory,
                                 now=now)
        except Exception:
            log.exception("escalation of alert %s failed; retrying in %s", row.alert_id, RETRY_AFTER_FAILURE)
            failed += 1
            row.next_due_at = now + RETRY_AFTER_FAILURE
    return fired, failed


def _load_alerts(session: Session, ids: list[int]) -> dict[int, Alert]:
    if not ids:
        return {}
    alerts = session.scalars(select(Alert).where(Alert.id.in_(ids)).options(selectinload(Alert.resident)))
    return {alert.id: alert for alert in alerts}


def advance(session: Session, row: Escalation, alert: Alert | None, *, policies: PolicySet, directory: Directory,
            now: datetime) -> int:
    """Fire what is due for one alert and store its next deadline; returns how many steps fired."""
    if alert is None or alert.state not in ACTIVE_STATES:
        session.delete(row)
        return 0
    phase: Phase = "open" if alert.state == "open" else "accepted"
    if row.phase != phase:  # repair a row left behind by an interrupted state change
        row.phase, row.anchor_at, row.fired = phase, alert.accepted_at or alert.occurred_at, 0
    care_level = alert.resident.care_level if alert.resident is not None else None
    policy = policies.for_alert(alert.kind, alert.emergency).for_care(escalation_factor(care_level))
    plan = due_steps(EscalationState(phase, row.anchor_at, row.fired), policy, now)
    if phase == "open" and row.fired == 0:  # a late arrival's first sweep goes straight to the step it should be on
        plan = catch_up(plan)
    fired = 0
    for due in plan.due:
        if due.step.unless_arrived and alert.arrived_at is not None:
            continue  # someone is with the resident: no re-escalation
        audiences = step_audiences(due.step, policy.open, row.open_fired or 0)
        fire_step(session, alert, due, phase="open" if due.step.unless_arrived else phase, directory=directory,
                  now=now, audiences=audiences)
        fired += 1
    row.fired, row.next_due_at, row.updated_at = plan.fired, plan.next_due_at, now
    return fired


def fire_step(session: Session, alert: Alert, due: DueStep, *, phase: str, directory: Directory,
              now: datetime, audiences: frozenset[Audience] | None = None) -> None:
    """Timeline one step and queue its bot messages (``audiences``: the step's, resolved; default its own)."""
    recipients = directory.resolve(alert, due.step.audiences if audiences is None else audiences)
    label = due.step.label
    if recipients.empty:
        recipients = directory.resolve(alert, FALLBACK_AUDIENCES)
        label += "（本级无人可通知，改为通知全站值班人员和管理员）"
    routes = directory.routes(alert, recipients)
    number = "再次" if due.repeat else f"第{due.number + 1}级"
    if due.caught_up:
        number += f"（距发生已 {duration_words(now - alert.occurred_at)}，直接升到这一级）"
    add_timeline(session, alert, type="escalated" if phase == "open" else "reminded", now=now,
                 message=f"{number}：{label}")
    add_timeline(session, alert, type="notified", now=now, message=describe(recipients, routes))
    waited_s = int((now - alert.occurred_at).total_seconds())
    called = recipients.names()
    for route in routes:
        payload = {"step": label, "number": due.number, "repeat": due.repeat, "mentions": route.mentions,
                   "waited_s": waited_s, "called": called}
        enqueue(session, alert=alert, channel_id=route.channel.id, event="alarm" if phase == "open" else "reminder",
                payload=payload, now=now)
    if due.step.urgent and not due.repeat:
        enqueue_calls(session, alert=alert, callees=callees(recipients), step=label, now=now)
