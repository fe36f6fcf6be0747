"""Phone requests (电话代录): the duty worker records a help request, grocery order or activity sign-up for a
resident who phoned or came to the desk. Each goes through the same service as a kiosk request (the alert
board and its escalation, the order queue and its offers, the activity's places and waitlist) and carries a
:class:`PhoneRequest` mark: who recorded it, how the resident asked, and the form's one-time token, so a form
sent twice stores one request and a kiosk can follow it by that token later."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from caregiver_portal.accounts.models import User
from caregiver_portal.activities import service as activity_service
from caregiver_portal.activities.models import Activity, ActivitySignup
from caregiver_portal.alerts.models import STATE_LABELS as ALERT_STATE_LABELS
from caregiver_portal.alerts.models import Alert
from caregiver_portal.alerts.service import open_alert
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.uow import insert_once, transactional
from caregiver_portal.orders import service as order_service
from caregiver_portal.orders.models import GroceryOrder
from caregiver_portal.phone.lookup import find_request
from caregiver_portal.phone.models import CHANNELS, PhoneRequest
from caregiver_portal.residents.models import Resident, ResidentProfile
from caregiver_portal.residents.scope import Scope

MARK = "电话代录"
SIGNUP_LABELS = {"confirmed": "已报名", "waitlisted": "候补", "cancelled": "已取消"}


def new_token() -> str:
    """A one-time id for a phone-request form (also the request's event id for kiosks)."""
    return "phone-" + secrets.token_hex(12)


@dataclass(frozen=True, slots=True)
class Recorded:
    """A stored phone request and whether this form had been sent before."""

    request: PhoneRequest
    duplicate: bool


def _start(session: Session, *, token: str, resident: Resident, kind: str, user: User, channel: str,
           note: str, now: datetime) -> tuple[PhoneRequest, bool]:
    """Claim the form's token first: a second submission finds it and changes nothing."""
    if not token.startswith("phone-") or len(token) > 100:
        raise InvalidTransition("表单已失效，请重新打开")
    if channel not in CHANNELS:
        raise InvalidTransition("不认识的来源")
    request = PhoneRequest(site_id=resident.site_id, resident_id=resident.id, kind=kind, token=token,
                           channel=channel, note=note[:200], recorded_by_id=user.id, created_at=now)
    return insert_once(session, request, lambda: find_request(session, token=token))


def _how(request: PhoneRequest, user: User) -> str:
    return f"{MARK}（{'电话' if request.channel == 'phone' else '到站'}，{user.display_name}）"


@transactional
def record_help(*, session: Session, token: str, resident: Resident, user: User, channel: str, note: str,
                emergency: bool, now: datetime) -> Recorded:
    """A help request on the board, escalated like a kiosk's 呼叫帮助."""
    request, created = _start(session, token=token, resident=resident, kind="help", user=user, channel=channel,
                              note=note, now=now)
    if not created:
        return Recorded(request, duplicate=True)
    alert = Alert(site_id=resident.site_id, kind="help", emergency=emergency, state="open", place=resident.room,
                  details={"note": note[:200], "recorded_by": user.display_name, "via": request.channel,
                           "phone_request": token},
                  resident_id=resident.id, occurred_at=now, received_at=now)
    session.add(alert)
    session.flush()
    open_alert(session, alert, now=now, message=f"{_how(request, user)}：{note[:100] or '需要帮助'}")
    request.target_id = alert.id
    return Recorded(request, duplicate=False)


@transactional
def record_order(*, session: Session, token: str, resident: Resident, user: User, channel: str, note: str,
                 lines: list[order_service.LineRequest], now: datetime) -> Recorded:
    """A grocery order in the volunteers' queue, placed for the resident."""
    request, created = _start(session, token=token, resident=resident, kind="order", user=user, channel=channel,
                              note=note, now=now)
    if not created:
        return Recorded(request, duplicate=True)
    order = order_service.create_order_for_resident(session=session, user=user, resident=resident, lines=lines,
                                                    note=f"{_how(request, user)} {note}".strip(), now=now)
    request.target_id = order.id
    return Recorded(request, duplicate=False)


@transactional
def record_signup(*, session: Session, token: str, resident: Resident, user: User, channel: str,
                  activity_id: int, now: datetime) -> Recorded:
    """An activity sign-up (confirmed while places are left, else waitlisted)."""
    request, created = _start(session, token=token, resident=resident, kind="signup", user=user, channel=channel,
                              note="", now=now)
    if not created:
        return Recorded(request, duplicate=True)
    result = activity_service.sign_up(session=session, activity_id=activity_id, resident_id=resident.id, now=now,
                                      site_id=resident.site_id, user=user)
    request.target_id = result.signup.id
    return Recorded(request, duplicate=False)


def pick_residents(session: Session, *, scope: Scope, query: str, recent_since: datetime,
                   limit: int = 12) -> list[Resident]:
    """Residents for the picker: matching name, room/building or phone; without a query, those the desk
    recorded for lately first, then the rest by room."""
    base = scope.filter_residents(select(Resident)).outerjoin(ResidentProfile,
                                                              ResidentProfile.resident_id == Resident.id)
    text = query.strip()
    if text:
        like = f"%{text}%"
        rows = session.scalars(base.where(or_(Resident.name.like(like), Resident.room.like(like),
                                              ResidentProfile.phone.like(like), Resident.resident_code == text))
                               .order_by(Resident.room, Resident.id).limit(limit))
        return list(rows)
    recent_ids = [rid for rid, in session.execute(
        select(PhoneRequest.resident_id).where(PhoneRequest.created_at >= recent_since)
        .group_by(PhoneRequest.resident_id).order_by(func.max(PhoneRequest.created_at).desc()).limit(limit))]
    recent = {r.id: r for r in session.scalars(base.where(Resident.id.in_(recent_ids)))} if recent_ids else {}
    ordered = [recent[i] for i in recent_ids if i in recent]
    if recent_ids:
        base = base.where(Resident.id.not_in(recent_ids))
    rest = session.scalars(base.order_by(Resident.room, Resident.id).limit(limit - len(ordered)))
    return ordered + list(rest)


def recent_requests(session: Session, *, scope: Scope, limit: int = 20) -> list[PhoneRequest]:
    """The latest phone requests of the scope, newest first."""
    query = (select(PhoneRequest).join(Resident, PhoneRequest.resident_id == Resident.id)
             .options(selectinload(PhoneRequest.recorded_by), selectinload(PhoneRequest.resident))
             .order_by(PhoneRequest.created_at.desc(), PhoneRequest.id.desc()).limit(limit))
    return list(session.scalars(scope.filter_residents(query)))


def request_status(session: Session, request: PhoneRequest) -> dict[str, Any]:
    """Where a phone request is now, as a kiosk shows it: kind, state and its label, a summary."""
    status: dict[str, Any] = {"event_id": request.token, "kind": request.kind, "target_id": request.target_id,
                              "created_at": request.created_at, "recorded_by": request.recorded_by.display_name,
                              "state": "pending", "state_label": "", "summary": "", "activity_id": None,
                              "detail": ""}
    if request.kind == "help" and request.target_id is not None:
        alert = session.get(Alert, request.target_id)
        if alert is not None:
            status.update(state=alert.state, state_label=ALERT_STATE_LABELS.get(alert.state, alert.state),
                          detail=alert.accepted_by.display_name if alert.accepted_by else "", summary=request.note)
    elif request.kind == "order" and request.target_id is not None:
        order = session.get(GroceryOrder, request.target_id)
        if order is not None:
            status.update(state=order.state, state_label=order_service.STATE_LABELS.get(order.state, order.state),
                          summary="，".join(f"{ln.name}{order_service.format_quantity(ln.quantity)}{ln.unit}"
                                           for ln in order.lines))
    elif request.kind == "signup" and request.target_id is not None:
        signup = session.get(ActivitySignup, request.target_id)
        activity = session.get(Activity, signup.activity_id) if signup is not None else None
        if signup is not None and activity is not None:
            status.update(state=signup.state, state_label=SIGNUP_LABELS.get(signup.state, signup.state),
                          summary=activity.title, activity_id=activity.id)
    return status


def resident_requests(session: Session, *, resident_id: int, site_id: int, now: datetime,
                      days: int = 14) -> list[dict[str, Any]]:
    """A resident's phone requests of the last ``days`` days with their states (for the kiosk), newest first."""
    rows = session.scalars(select(PhoneRequest).where(PhoneRequest.resident_id == resident_id,
                                                      PhoneRequest.site_id == site_id,
                                                      PhoneRequest.created_at >= now - timedelta(days=days))
                           .options(selectinload(PhoneRequest.recorded_by))
                           .order_by(PhoneRequest.created_at.desc()).limit(20))
    return [request_status(session, r) for r in rows]
