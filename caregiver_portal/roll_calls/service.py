"""Roll calls: start, answer (band, kiosk, check-in, a volunteer's visit or call), escalate, close, report.

Every change adds a :class:`RollCallEvent` (the live list's feed) in the same transaction. An
answer reaches every open roll call that lists the resident. A 需要帮助 answer from a kiosk or a
visit raises a ``roll_call`` alert at once (a band's SOS is an alert already and is linked);
at ``escalate_at`` the ticker raises one for every resident still waiting
(:func:`sweep_roll_calls`). Alerts follow the usual escalation (policy ``standard``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from caregiver_portal.accounts.models import Device, Grid, User
from caregiver_portal.alerts.models import Alert
from caregiver_portal.alerts.service import open_alert
from caregiver_portal.core.db import transaction
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.uow import insert_once, transactional
from caregiver_portal.residents.care import roll_call_key
from caregiver_portal.residents.models import EmergencyContact, Resident, ResidentProfile
from caregiver_portal.residents.scope import Scope
from caregiver_portal.roll_calls.models import RollCall, RollCallEntry, RollCallEvent
from caregiver_portal.roll_calls.rules import (
    DEFAULT_ESCALATE_AFTER,
    REASONS,
    SOURCE_LABELS,
    Row,
    escalation_due,
    next_state,
)

log = logging.getLogger(__name__)
ALERT_KIND = "roll_call"
BAND_HELP_KINDS = frozenset({"sos", "fall"})


@transactional
def start_roll_call(*, session: Session, user: User, scope: Scope, site_id: int, grid_id: int | None, reason: str,
                    now: datetime, note: str = "", escalate_after: timedelta = DEFAULT_ESCALATE_AFTER) -> RollCall:
    """Start a roll call of ``grid_id`` (None: the whole site) listing every resident there, all waiting."""
    if reason not in REASONS:
        raise InvalidTransition("请选择点名原因")
    if user.role not in ("caregiver", "admin"):
        raise InvalidTransition("只有网格员和管理员可以发起点名")
    if grid_id is not None:
        grid = session.get(Grid, grid_id)
        if grid is None or grid.site_id != site_id or not scope.allows(site_id=site_id, grid_id=grid_id):
            raise NotFound("找不到这个网格")
    elif scope.grid_ids is not None or scope.site_id not in (None, site_id):
        raise InvalidTransition("您只能为自己的网格发起点名")
    query = select(Resident.id).where(Resident.site_id == site_id)
    if grid_id is not None:
        query = query.where(Resident.grid_id == grid_id)
    resident_ids = list(session.scalars(query.order_by(Resident.id)))
    if not resident_ids:
        raise InvalidTransition("这个范围内没有居民")
    roll_call = RollCall(site_id=site_id, grid_id=grid_id, reason=reason, note=note.strip()[:500], started_at=now,
                         started_by_id=user.id, escalate_at=now + escalate_after)
    session.add(roll_call)
    session.flush()
    session.add_all([RollCallEntry(roll_call_id=roll_call.id, resident_id=rid, state="waiting")
                     for rid in resident_ids])
    _event(session, roll_call, type="started", now=now, count=len(resident_ids))
    return roll_call


def _new_event(roll_call: RollCall, *, type: str, now: datetime, entry: RollCallEntry | None = None,
               answer: str = "", count: int = 0, device: Device | None = None,
               client_event_id: str | None = None) -> RollCallEvent:
    return RollCallEvent(roll_call_id=roll_call.id, site_id=roll_call.site_id, entry_id=entry.id if entry else None,
                         at=now, type=type, answer=answer, count=count, device_id=device.id if device else None,
                         client_event_id=client_event_id)


def _event(session: Session, roll_call: RollCall, *, type: str, now: datetime, entry: RollCallEntry | None = None,
           answer: str = "", count: int = 0) -> RollCallEvent:
    event = _new_event(roll_call, type=type, now=now, entry=entry, answer=answer, count=count)
    session.add(event)
    return event


@transactional
def record_answer(session: Session, entry: RollCallEntry, *, answer: str, source: str, now: datetime,
                  user: User | None = None, note: str = "", alert: Alert | None = None) -> bool:
    """Apply one answer to one entry (see :func:`.rules.next_state`); returns True when it changed the entry.

    A 需要帮助 answer that comes without an alert (kiosk, visit) raises a ``roll_call`` alert.
    """
    state = next_state(entry.state, answer, source)
    if state is None:
        return False
    entry.state, entry.answered_at, entry.source = state, now, source
    entry.answered_by_id = user.id if user else None
    entry.note = note.strip()[:500]
    if alert is not None:
        entry.alert_id = alert.id
    elif state == "help" and entry.alert_id is None:
        who = f"{user.display_name}上门" if user and source == "visit" else SOURCE_LABELS.get(source, source)
        entry.alert_id = raise_roll_call_alert(session, entry, now=now, message=f"点名时{who}回应：需要帮助").id
    _event(session, entry.roll_call, type="answered", now=now, entry=entry, answer=state)
    return True


def _open_entries(session: Session, resident_id: int) -> Sequence[RollCallEntry]:
    """The resident's entries in every open roll call."""
    return session.scalars(
        select(RollCallEntry).join(RollCall, RollCall.id == RollCallEntry.roll_call_id)
        .where(RollCallEntry.resident_id == resident_id, RollCall.closed_at.is_(None))
        .with_for_update(of=RollCallEntry)  # a band and a kiosk answering at once: one after the other
        .options(selectinload(RollCallEntry.roll_call), selectinload(RollCallEntry.resident))).all()


def _answer_entries(session: Session, entries: Sequence[RollCallEntry], *, answer: str, source: str, now: datetime,
                    alert: Alert | None = None) -> int:
    return sum(record_answer(session, entry, answer=answer, source=source, now=now, alert=alert) for entry in entries)


def answer_for_resident(session: Session, *, resident_id: int, answer: str, source: str, now: datetime,
                        alert: Alert | None = None) -> int:
    """Apply a resident's own answer (band, kiosk, check-in) to every open roll call listing them.

    Returns how many roll calls it changed.
    """
    return _answer_entries(session, _open_entries(session, resident_id), answer=answer, source=source, now=now,
                           alert=alert)


def note_alert(session: Session, alert: Alert, *, now: datetime) -> int:
    """A band's SOS or fall during a roll call counts as 需要帮助 (the alert itself is the help)."""
    if alert.kind not in BAND_HELP_KINDS or alert.resident_id is None or (alert.details or {}).get("cancelled"):
        return 0
    return answer_for_resident(session, resident_id=alert.resident_id, answer="help", source="band", now=now,
                               alert=alert)


@transactional
def device_answer(session: Session, *, device: Device, client_event_id: str, resident_id: int, answer: str,
                  now: datetime) -> tuple[int, bool]:
    """A kiosk's answer for an identified resident, stored once per event id: (roll calls changed, duplicate).

    The event id is kept on a ``device_answer`` event, inserted before the answers are applied.
    """
    def stored() -> RollCallEvent | None:
        return session.scalar(select(RollCallEvent).where(RollCallEvent.device_id == device.id,
                                                          RollCallEvent.client_event_id == client_event_id))

    if stored() is not None:
        return 0, True
    resident = session.get(Resident, resident_id)
    if resident is None or resident.site_id != device.site_id:
        raise NotFound("resident not found at this site")
    entries = _open_entries(session, resident_id)
    if entries:
        _claim, created = insert_once(session, _new_event(entries[0].roll_call, type="device_answer", now=now,
                                                          answer=answer, device=device,
                                                          client_event_id=client_event_id), stored)
        if not created:  # the same answer sent twice at once
            return 0, True
    return _answer_entries(session, entries, answer=answer, source=device.kind, now=now), False


def raise_roll_call_alert(session: Session, entry: RollCallEntry, *, now: datetime, message: str) -> Alert:
    """An alert about one resident of a roll call (需要帮助, or no answer in time); it escalates as usual."""
    resident = entry.resident
    roll_call = entry.roll_call
    alert = Alert(site_id=roll_call.site_id, kind=ALERT_KIND, emergency=False, state="open", place=resident.room,
                  details={"roll_call_id": roll_call.id, "answer": entry.state,
                           "reason": REASONS.get(roll_call.reason, roll_call.reason)},
                  resident_id=resident.id, created_at=now, occurred_at=now)
    session.add(alert)
    session.flush()
    open_alert(session, alert, now=now, message=message)
    return alert


def open_roll_calls_for(session: Session, *, resident_id: int) -> list[tuple[RollCall, RollCallEntry]]:
    """The open roll calls that list ``resident_id``, with the resident's entry."""
    rows = session.execute(
        select(RollCall, RollCallEntry).join(RollCallEntry, RollCallEntry.roll_call_id == RollCall.id)
        .where(RollCallEntry.resident_id == resident_id, RollCall.closed_at.is_(None)).order_by(RollCall.id))
    return [(roll_call, entry) for roll_call, entry in rows]


def due_roll_call_ids(session: Session, *, now: datetime) -> list[int]:
    """Open roll calls whose unanswered residents must escalate now."""
    return list(session.scalars(select(RollCall.id).where(RollCall.closed_at.is_(None),
                                                          RollCall.escalated_at.is_(None),
                                                          RollCall.escalate_at <= now)))


def sweep_roll_calls(*, factory: sessionmaker[Session], reads: sessionmaker[Session], now: datetime) -> int:
    """Raise an alert for every resident still waiting in a roll call whose time is up; returns alerts raised.

    The due check runs on the lock-free reader; each roll call is then locked (``FOR UPDATE SKIP
    LOCKED`` on PostgreSQL, so two portal processes never escalate one twice), then its waiting
    entries (``FOR UPDATE``: an answer arriving now either lands first or waits; locks are always
    taken roll call before entries), each roll call in a transaction of its own, so one failing
    roll call is logged and never stops the others.
    """
    with reads() as session:
        due = due_roll_call_ids(session, now=now)
    raised = 0
    for roll_call_id in due:
        try:
            with transaction(factory) as session:
                raised += _escalate(session, roll_call_id, now=now)
        except Exception:
            log.exception("roll call %s: escalation failed; retrying on the next sweep", roll_call_id)
    return raised


def _escalate(session: Session, roll_call_id: int, *, now: datetime) -> int:
    roll_call = session.scalar(select(RollCall).where(RollCall.id == roll_call_id)
                               .with_for_update(skip_locked=True))
    if roll_call is None or not escalation_due(escalate_at=roll_call.escalate_at, escalated_at=roll_call.escalated_at,
                                               closed_at=roll_call.closed_at, now=now):
        return 0
    waiting = session.scalars(select(RollCallEntry).where(RollCallEntry.roll_call_id == roll_call.id,
                                                          RollCallEntry.state == "waiting",
                                                          RollCallEntry.alert_id.is_(None))
                              .with_for_update().options(selectinload(RollCallEntry.resident))).all()
    minutes = int((roll_call.escalate_at - roll_call.started_at).total_seconds() // 60)
    label = REASONS.get(roll_call.reason, roll_call.reason)
    for entry in waiting:
        entry.roll_call = roll_call
        alert = raise_roll_call_alert(session, entry, now=now, message=f"{label}点名 {minutes} 分钟未回应")
        entry.alert_id = alert.id
    roll_call.escalated_at = now
    _event(session, roll_call, type="escalated", now=now, count=len(waiting))
    return len(waiting)


@transactional
def close_roll_call(*, session: Session, roll_call: RollCall, user: User, now: datetime) -> RollCall:
    """End a roll call: answers no longer count, nobody more escalates; its report stays."""
    if roll_call.closed_at is not None:
        raise InvalidTransition("这次点名已经结束")
    roll_call.closed_at, roll_call.closed_by_id = now, user.id
    _event(session, roll_call, type="closed", now=now)
    return roll_call


def visible_roll_call(session: Session, *, scope: Scope, roll_call_id: int) -> RollCall:
    """The roll call if the user's scope covers it (its grid, or any grid of its site for a site-wide call)."""
    roll_call = session.get(RollCall, roll_call_id)
    if roll_call is None or (scope.site_id is not None and roll_call.site_id != scope.site_id):
        raise NotFound("找不到这次点名")
    if roll_call.grid_id is not None and not scope.allows(site_id=roll_call.site_id, grid_id=roll_call.grid_id):
        raise NotFound("找不到这次点名")
    return roll_call


def list_rows(session: Session, roll_call: RollCall, *, scope: Scope) -> list[Row]:
    """The residents of a roll call the user may see, as rows of the live list (with phone numbers), each with
    its place in the care order (:func:`caregiver_portal.residents.care.roll_call_key`: most care first)."""
    entries = session.scalars(select(RollCallEntry).where(RollCallEntry.roll_call_id == roll_call.id)
                              .options(selectinload(RollCallEntry.resident))).all()
    entries = [e for e in entries if scope.allows_resident(e.resident)]
    ids = [e.resident_id for e in entries]
    phones: dict[int, list[tuple[str, str]]] = {rid: [] for rid in ids}
    for resident_id, phone in session.execute(select(ResidentProfile.resident_id, ResidentProfile.phone)
                                              .where(ResidentProfile.resident_id.in_(ids))):
        if phone:
            phones[resident_id].append(("本人", phone))
    for contact in session.scalars(select(EmergencyContact).where(EmergencyContact.resident_id.in_(ids))
                                   .order_by(EmergencyContact.priority, EmergencyContact.id)):
        if contact.phone:
            phones[contact.resident_id].append((contact.relation or contact.name, contact.phone))
    entries.sort(key=lambda e: roll_call_key(e.resident))
    return [Row(entry_id=e.id, name=e.resident.name, room=e.resident.room, state=e.state, answered_at=e.answered_at,
                source=e.source, phones=tuple(phones[e.resident_id][:3]), position=position, alert_id=e.alert_id)
            for position, e in enumerate(entries)]


def roll_calls_for(session: Session, *, scope: Scope, limit: int = 30) -> Sequence[RollCall]:
    """Open roll calls first, then the latest closed ones, that the scope covers."""
    query = select(RollCall).order_by(RollCall.closed_at.is_not(None), RollCall.id.desc()).limit(limit)
    if scope.site_id is not None:
        query = query.where(RollCall.site_id == scope.site_id)
    if scope.grid_ids is not None:
        query = query.where(RollCall.grid_id.is_(None) | RollCall.grid_id.in_(scope.grid_ids))
    return session.scalars(query.options(selectinload(RollCall.grid))).all()
