"""What happens on the portal's side of the kiosk flows: volunteers at work, a bridge hearing bands.

Volunteers act through the portal's own service functions on the live portal's database (as
its pages would); the bridge reports wristbands through the device API with its token.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import User
from caregiver_portal.activities.models import ActivitySignup
from caregiver_portal.activities.service import ActivitySpec, create_activity
from caregiver_portal.alerts import service as alert_service
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.orders import service as order_service
from caregiver_portal.orders.models import GroceryOrder
from caregiver_portal.ratings.models import Rating
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.scope import Scope
from tests.conftest import LivePortal


@contextmanager
def db(portal: LivePortal) -> Iterator[Session]:
    """A transaction on the live portal's database."""
    engine = create_db_engine(portal.database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _volunteer(session: Session) -> User:
    user = session.scalar(select(User).where(User.username == "volunteer1"))
    assert user is not None
    return user


def order_for_event(session: Session, event_id: str) -> GroceryOrder | None:
    """The order a kiosk placed with ``event_id``."""
    return session.scalar(select(GroceryOrder).where(GroceryOrder.client_event_id == event_id))


def volunteer_moves_order(portal: LivePortal, event_id: str, state: str, *, paid_fen: int = 0) -> None:
    """李志愿 claims, buys (paying ``paid_fen``) or delivers the kiosk's order."""
    with db(portal) as session:
        order = order_for_event(session, event_id)
        assert order is not None, f"order {event_id} not on the portal"
        user, scope, now = _volunteer(session), Scope(site_id=order.site_id), utcnow()
        if state == "claimed":
            order_service.claim_order(session=session, order_id=order.id, user=user, now=now, scope=scope)
        elif state == "bought":
            order_service.mark_bought(session=session, order_id=order.id, user=user, amount_paid_fen=paid_fen,
                                      receipt_file=None, now=now, scope=scope)
        elif state == "delivered":
            order_service.mark_delivered(session=session, order_id=order.id, user=user, now=now, scope=scope)


def volunteer_resolves_alert(portal: LivePortal, alert_id: int) -> None:
    """李志愿 accepts and resolves a help call."""
    with db(portal) as session:
        user, now = _volunteer(session), utcnow()
        alert_service.accept_alert(session=session, alert_id=alert_id, user=user, now=now)
        alert_service.resolve_alert(session=session, alert_id=alert_id, user=user, outcome="已帮忙", now=now)


def resident_id(portal: LivePortal, code: str) -> int:
    """The id of the demo resident with ``code``."""
    with db(portal) as session:
        resident = session.scalar(select(Resident).where(Resident.resident_code == code))
        assert resident is not None
        return resident.id


def activity_soon(portal: LivePortal, title: str, *, hours: float, capacity: int = 10) -> int:
    """Publish an activity starting in ``hours``; returns its id."""
    with db(portal) as session:
        site_id = session.scalar(select(Resident.site_id).limit(1))
        start = datetime.now(UTC) + timedelta(hours=hours)
        activity = create_activity(session=session, site_id=int(site_id or 1), user=None, now=utcnow(),
                                   spec=ActivitySpec(title=title, category="文体", description=f"{title}，欢迎参加。",
                                                     place="社区小广场", starts_at=start,
                                                     ends_at=start + timedelta(hours=1), capacity=capacity))
        return activity.id


def signups(portal: LivePortal, activity_id: int) -> list[tuple[int, str]]:
    """(resident id, state) of every sign-up of an activity."""
    with db(portal) as session:
        rows = session.scalars(select(ActivitySignup).where(ActivitySignup.activity_id == activity_id))
        return [(row.resident_id, row.state) for row in rows]


def ratings(portal: LivePortal) -> list[dict[str, Any]]:
    """Every stored rating."""
    with db(portal) as session:
        return [{"target_kind": r.target_kind, "target_id": r.target_id, "stars": r.stars, "comment": r.comment,
                 "resident_id": r.resident_id} for r in session.scalars(select(Rating))]


def alert(portal: LivePortal, alert_id: int) -> Alert:
    """An alert row."""
    with db(portal) as session:
        row = session.get(Alert, alert_id)
        assert row is not None
        return row


def bridge_hears(portal: LivePortal, bands: list[tuple[str, int]]) -> None:
    """The wristband bridge reports ``(address, rssi)`` of bands it hears right now."""
    now = datetime.now(UTC).isoformat()
    body = [{"address": address, "connected": False, "last_seen_at": now, "rssi": rssi} for address, rssi in bands]
    response = requests.post(f"{portal.url}/api/v1/bands/status", json=body, timeout=10,
                             headers={"Authorization": f"Bearer {portal.bridge_token}"})
    response.raise_for_status()


def kiosk_signs_up(portal: LivePortal, activity_id: int, resident: int, event_id: str) -> dict[str, Any]:
    """Another kiosk signs a resident up (to fill an activity)."""
    response = requests.post(f"{portal.url}/api/v1/activities/{activity_id}/signups", timeout=10,
                             json={"event_id": event_id, "resident_id": resident},
                             headers={"Authorization": f"Bearer {portal.kiosk_token}"})
    response.raise_for_status()
    return dict(response.json())


def grid_worker_replies(portal: LivePortal, resident: int, reply: str) -> int:
    """The grid worker closes the resident's open report with ``reply``; returns its id (waits for it first)."""
    from caregiver_portal.feedback import service as feedback_service
    from caregiver_portal.feedback.models import Feedback

    with db(portal) as session:
        row = session.scalar(select(Feedback).where(Feedback.resident_id == resident, Feedback.closed_at.is_(None)))
        assert row is not None, "the kiosk's report is not on the portal"
        worker = session.scalar(select(User).where(User.role == "admin"))
        assert worker is not None
        feedback_service.close(session=session, scope=Scope(site_id=row.site_id), feedback_id=row.id, user=worker,
                               reply=reply, now=utcnow())
        return row.id


def open_reports(portal: LivePortal, resident: int) -> int:
    """How many of the resident's reports are open."""
    from caregiver_portal.feedback.models import Feedback

    with db(portal) as session:
        return len(session.scalars(select(Feedback.id).where(Feedback.resident_id == resident,
                                                             Feedback.closed_at.is_(None))).all())


def feedback_row(portal: LivePortal, feedback_id: int) -> Any:
    """A report as stored (detached)."""
    from caregiver_portal.feedback.models import Feedback

    with db(portal) as session:
        return session.get(Feedback, feedback_id)


def office_credits(portal: LivePortal, resident: int, points: int) -> None:
    """The office enters a paper record worth ``points`` for the resident."""
    from caregiver_portal.timebank import ledger

    with db(portal) as session:
        site_id = session.scalar(select(Resident.site_id).where(Resident.id == resident))
        assert site_id is not None
        ledger.credit(session=session, holder=ledger.Holder("resident", resident), site_id=site_id, points=points,
                      service="paper", now=utcnow(), note="纸质凭证 K-1")


def waiting_redemptions(portal: LivePortal) -> list[tuple[str, int | None]]:
    """Rewards redeemed and not handed over: (name, resident id)."""
    from caregiver_portal.timebank import service as timebank

    with db(portal) as session:
        return [(row.reward_name, row.resident_id) for row in timebank.waiting_redemptions(session, site_id=None)]
