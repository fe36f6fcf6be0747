"""Alert lifecycle: raise (idempotently), accept, resolve, cancel; each change is timelined.

Every SOS, fall and help request is a new alert. Repeated health, inactivity and device
alerts about the same subject (resident, else wristband, else device) attach to the active
alert of that kind as a "repeated" timeline entry instead of flooding the board. Each new
alert starts escalating (:mod:`caregiver_portal.escalation.deadlines`); accepting switches
to reminders; resolving or cancelling stops it and tells the bots that carried the alarm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Device, Site, User
from caregiver_portal.alerts.models import ACTIVE_STATES, KIND_LABELS, Alert, AlertEvent
from caregiver_portal.alerts.press_time import delivery_note, press_time
from caregiver_portal.alerts.timeline import add_timeline, timeline_entry
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.uow import insert_once, transactional
from caregiver_portal.escalation import deadlines
from caregiver_portal.notifications.outbox import enqueue_follow_up
from caregiver_portal.residents.models import Resident
from caregiver_portal.roster.service import site_zone

EMERGENCY_KINDS = frozenset({"sos", "fall"})
ALERT_LOCK = {"key_share": True}
"""How an alert row is locked to change it: ``FOR NO KEY UPDATE`` (see :func:`get_alert`)."""
DEDUPED_KINDS = frozenset({"health", "inactivity", "device"})


@dataclass(frozen=True)
class RaisedAlert:
    """Result of raising an alert: the alert and whether it was a re-send of a stored event."""

    alert: Alert
    duplicate: bool
    repeated: bool = False
    """True when the event was attached to an already active alert of the same subject and kind."""


def find_by_event(session: Session, *, device: Device, client_event_id: str) -> Alert | None:
    """The alert a device raised with ``client_event_id`` (or to which that event was attached)."""
    alert = session.scalar(
        select(Alert).where(Alert.source_device_id == device.id, Alert.client_event_id == client_event_id)
    )
    if alert is None:
        alert = session.scalar(
            select(Alert).join(AlertEvent, AlertEvent.alert_id == Alert.id)
            .where(AlertEvent.actor_device_id == device.id, AlertEvent.client_event_id == client_event_id)
        )
    return alert


def dedupe_key(*, resident: Resident | None, wristband: Wristband | None, device: Device | None) -> str:
    """The subject a repeated alert is matched on: the resident, else the wristband, else the device."""
    if resident is not None:
        return f"resident:{resident.id}"
    if wristband is not None:
        return f"wristband:{wristband.id}"
    return f"device:{device.id}" if device is not None else "site"


def lock_subject(session: Session, *, site_id: int, kind: str, key: str) -> None:
    """Serialise raisers of alerts about one subject until this transaction ends.

    On PostgreSQL a transaction-scoped advisory lock makes a second raiser wait until the
    first commits; on SQLite ``BEGIN IMMEDIATE`` already serialises writers.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"alert:{site_id}:{kind}:{key}"))))


def latest_alert_for(session: Session, *, site_id: int, kind: str, key: str, active_only: bool) -> Alert | None:
    """The newest alert of ``kind`` about subject ``key`` (only open or accepted ones if ``active_only``)."""
    query = select(Alert).where(Alert.site_id == site_id, Alert.kind == kind, Alert.dedupe_key == key)
    if active_only:
        query = query.where(Alert.state.in_(ACTIVE_STATES))
    return session.scalar(query.order_by(Alert.id.desc()).limit(1))


def active_alert_for(session: Session, *, site_id: int, kind: str, key: str) -> Alert | None:
    """The open or accepted alert of ``kind`` about subject ``key``, serialised against racing raisers."""
    lock_subject(session, site_id=site_id, kind=kind, key=key)
    return latest_alert_for(session, site_id=site_id, kind=kind, key=key, active_only=True)


def attach_repeat(session: Session, alert: Alert, *, now: datetime, message: str) -> None:
    """Record a repeat of an active alert instead of raising a new one."""
    alert.repeat_count = (alert.repeat_count or 0) + 1
    add_timeline(session, alert, type="repeated", now=now, message=message)


def open_alert(session: Session, alert: Alert, *, now: datetime, message: str, device: Device | None = None) -> Alert:
    """Timeline a freshly inserted (flushed) alert and start its escalation."""
    add_timeline(session, alert, type="raised", now=now, device=device, message=message)
    if not alert.details.get("cancelled"):  # a fall the wearer cancelled on the band is on record only
        deadlines.start(session, alert=alert, now=now)
    return alert


def _place_for(resident: Resident | None, device: Device, details: dict[str, Any]) -> str:
    if resident is not None and resident.room:
        return resident.room
    if details.get("place"):
        return str(details["place"])[:200]
    return device.name


@transactional
def raise_alert(*, session: Session, device: Device, client_event_id: str, kind: str, now: datetime,
                emergency: bool | None = None, wristband_address: str | None = None,
                resident_id: int | None = None, occurred_at: datetime | None = None,
                details: dict[str, Any] | None = None) -> RaisedAlert:
    """Store a device's alert once per ``client_event_id`` and timeline it.

    ``occurred_at`` is when it was pressed (see :func:`~caregiver_portal.alerts.press_time.press_time`);
    ``now`` is stored as ``received_at``. A concurrent duplicate insert is caught by the unique constraint
    and answered with the stored alert.
    """
    if device.last_seen_at is None or device.last_seen_at < now:
        device.last_seen_at = now  # the bridge-silence rule reads this
    existing = find_by_event(session, device=device, client_event_id=client_event_id)
    if existing is not None:
        return RaisedAlert(existing, duplicate=True)
    details = dict(details or {})
    wristband = None
    if wristband_address is not None:
        wristband = session.scalar(select(Wristband).where(Wristband.address == wristband_address,
                                                           Wristband.site_id == device.site_id))
        if wristband is None:  # unregistered, or registered at another site: the device is not told which
            details.setdefault("unknown_wristband", wristband_address)
    resident = None
    if wristband is not None and wristband.resident_id is not None:
        resident = session.get(Resident, wristband.resident_id)
    elif resident_id is not None:
        resident = session.get(Resident, resident_id)
        if resident is None or resident.site_id != device.site_id:
            raise NotFound("resident not found at this site")
    label = KIND_LABELS.get(kind, kind)
    key = dedupe_key(resident=resident, wristband=wristband, device=device) if kind in DEDUPED_KINDS else None
    if key is not None:
        active = active_alert_for(session, site_id=device.site_id, kind=kind, key=key)
        if active is not None:
            return _attach_device_repeat(session, active, device=device, client_event_id=client_event_id, now=now,
                                         message=f"{device.name} 再次报告{label}")
    alert = Alert(
        site_id=device.site_id, kind=kind, emergency=kind in EMERGENCY_KINDS if emergency is None else emergency,
        state="open", place=_place_for(resident, device, details), details=details,
        resident_id=resident.id if resident else None, wristband_id=wristband.id if wristband else None,
        source_device_id=device.id, client_event_id=client_event_id, occurred_at=press_time(occurred_at, now),
        received_at=now, dedupe_key=key,
    )
    alert, created = insert_once(session, alert,
                                 lambda: find_by_event(session, device=device, client_event_id=client_event_id))
    if not created:
        return RaisedAlert(alert, duplicate=True)
    late = delivery_note(kind, alert.occurred_at, now, site_zone(session.get(Site, device.site_id)))
    message = f"{device.name} 发出{label}" + (f"（{late}）" if late else "")
    open_alert(session, alert, now=now, device=device, message=message)
    return RaisedAlert(alert, duplicate=False)


def _attach_device_repeat(session: Session, alert: Alert, *, device: Device, client_event_id: str, now: datetime,
                          message: str) -> RaisedAlert:
    entry = timeline_entry(alert, type="repeated", now=now, message=message, device=device,
                           client_event_id=client_event_id)
    entry, created = insert_once(session, entry, lambda: session.scalar(  # the same repeat sent twice at once
        select(AlertEvent).where(AlertEvent.actor_device_id == device.id,
                                 AlertEvent.client_event_id == client_event_id)))
    if not created:
        return RaisedAlert(get_alert(session, entry.alert_id), duplicate=True)
    alert.repeat_count = (alert.repeat_count or 0) + 1
    return RaisedAlert(alert, duplicate=False, repeated=True)


def get_alert(session: Session, alert_id: int, *, for_update: bool = False) -> Alert:
    """The alert with ``alert_id`` or :class:`NotFound`; ``for_update`` locks its row (PostgreSQL) so two
    volunteers accepting at once cannot both win.

    The lock is ``FOR NO KEY UPDATE`` and comes first in the portal's one lock order (alert, then its
    escalation, then its notifications, then new timeline rows; docs/escalation.md): a state change never
    changes the alert's key, so timeline rows other transactions add to it (``FOR KEY SHARE``) never wait.
    """
    lock = ALERT_LOCK if for_update else None
    alert = session.get(Alert, alert_id, with_for_update=lock, populate_existing=for_update)
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    return alert


@transactional
def accept_alert(*, session: Session, alert_id: int, user: User, now: datetime) -> Alert:
    """``user`` takes responsibility for an open alert."""
    alert = get_alert(session, alert_id, for_update=True)
    if alert.state == "accepted" and alert.accepted_by_id == user.id:
        return alert
    if alert.state != "open":
        raise InvalidTransition(f"alert {alert_id} is {alert.state}, not open")
    alert.state, alert.accepted_by_id, alert.accepted_at = "accepted", user.id, now
    alert.accepted_by = user
    add_timeline(session, alert, type="accepted", now=now, user=user, message=f"{user.display_name} 已接单")
    deadlines.restart_for_accepted(session, alert=alert, now=now)
    enqueue_follow_up(session, alert=alert, event="accepted", now=now)
    return alert


@transactional
def mark_arrived(*, session: Session, alert_id: int, user: User, now: datetime) -> Alert:
    """Someone who came for an accepted alert is with the resident (已到达); marking it again changes nothing."""
    alert = get_alert(session, alert_id, for_update=True)
    if alert.state != "accepted":
        raise InvalidTransition(f"alert {alert_id} is {alert.state}, not accepted")
    if alert.arrived_at is None:
        alert.arrived_at = now
        add_timeline(session, alert, type="arrived", now=now, user=user, message=f"{user.display_name} 已到达")
    return alert


@transactional
def resolve_alert(*, session: Session, alert_id: int, user: User, outcome: str, now: datetime) -> Alert:
    """Close an accepted (or still open) alert with an outcome note."""
    alert = get_alert(session, alert_id, for_update=True)
    if alert.state not in ("open", "accepted"):
        raise InvalidTransition(f"alert {alert_id} is {alert.state}")
    alert.state, alert.resolved_at, alert.outcome = "resolved", now, outcome
    add_timeline(session, alert, type="resolved", now=now, user=user, message=outcome or "已处理")
    deadlines.stop(session, alert=alert)
    enqueue_follow_up(session, alert=alert, event="resolved", now=now)
    return alert


@transactional
def cancel_alert(*, session: Session, alert_id: int, reason: str, now: datetime,
                 user: User | None = None, device: Device | None = None) -> Alert:
    """Cancel a false alarm, recording by whom and why."""
    alert = get_alert(session, alert_id, for_update=True)
    if alert.state == "cancelled":
        return alert
    if alert.state not in ("open", "accepted"):
        raise InvalidTransition(f"alert {alert_id} is {alert.state}")
    alert.state, alert.cancelled_at, alert.outcome = "cancelled", now, reason
    add_timeline(session, alert, type="cancelled", now=now, user=user, device=device, message=reason or "已取消")
    deadlines.stop(session, alert=alert)
    enqueue_follow_up(session, alert=alert, event="cancelled", now=now)
    return alert


@transactional
def add_note(*, session: Session, alert_id: int, user: User, text: str, now: datetime) -> Alert:
    """A volunteer's note on an alert ("已到楼下", "家属已联系"), kept in its timeline."""
    alert = get_alert(session, alert_id)
    add_timeline(session, alert, type="note", now=now, user=user, message=f"{user.display_name}：{text}")
    return alert


def active_alerts(session: Session, *, site_id: int | None) -> list[Alert]:
    """Open and accepted alerts, biggest danger first, then oldest first."""
    query = select(Alert).where(Alert.state.in_(("open", "accepted")))
    if site_id is not None:
        query = query.where(Alert.site_id == site_id)
    alerts = list(session.scalars(query.order_by(Alert.occurred_at)))
    return sorted(alerts, key=alert_priority)


def alert_priority(alert: Alert) -> tuple[int, int, datetime]:
    """Sort key: unaccepted before accepted, emergencies first, then by age (from the press)."""
    return (0 if alert.state == "open" else 1, 0 if alert.emergency else 1, alert.occurred_at)


def alert_public(alert: Alert) -> dict[str, Any]:
    """The alert as devices see it: no health values, the acceptor's display name only.

    ``created_at`` repeats ``received_at`` for devices written before the press time was kept.
    """
    return {
        "id": alert.id,
        "kind": alert.kind,
        "kind_label": KIND_LABELS.get(alert.kind, alert.kind),
        "state": alert.state,
        "emergency": alert.emergency,
        "place": alert.place,
        "occurred_at": alert.occurred_at.isoformat(),
        "received_at": alert.received_at.isoformat(),
        "created_at": alert.received_at.isoformat(),
        "accepted_by": alert.accepted_by.display_name if alert.accepted_by else None,
        "accepted_at": alert.accepted_at.isoformat() if alert.accepted_at else None,
        "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        "cancelled_at": alert.cancelled_at.isoformat() if alert.cancelled_at else None,
    }
