"""Review items: opened by the ticker for emergencies not accepted in time, closed by an admin with a reason.

:func:`open_due_reviews` reads the recent emergencies without a review on the lock-free reader
(an idle tick takes no write lock), applies :func:`.rules.review_due` and only then opens a
write transaction. It takes no lock on the alerts: it only adds rows (a review item and an
``review`` timeline entry), the last step of the one lock order (docs/escalation.md). A review
item is unique per alert, so two portal processes opening the same one store it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from caregiver_portal.accounts.models import User
from caregiver_portal.alerts.models import Alert
from caregiver_portal.alerts.timeline import add_timeline
from caregiver_portal.core.db import transaction
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.uow import insert_once, transactional
from caregiver_portal.reviews.models import ReviewItem
from caregiver_portal.reviews.rules import REVIEW_AFTER, REVIEW_REASON, AlertTimes, review_due, waited_seconds

LOOKBACK = timedelta(days=2)
"""Emergencies this old are still checked (an outage of the ticker up to this long is caught up)."""


def times_of(alert: Alert) -> AlertTimes:
    """The rule's view of an alert."""
    closed = alert.cancelled_at or alert.resolved_at
    return AlertTimes(created_at=alert.created_at, occurred_at=alert.occurred_at, accepted_at=alert.accepted_at,
                      closed_at=closed, on_record_only=bool((alert.details or {}).get("cancelled")))


def candidates_query(now: datetime) -> Select[tuple[Alert]]:
    """Recent emergencies that have no review item yet (the rule then decides which are due)."""
    reviewed = select(ReviewItem.alert_id).where(ReviewItem.alert_id == Alert.id).exists()
    return (select(Alert).where(Alert.emergency.is_(True), Alert.created_at >= now - LOOKBACK, ~reviewed)
            .order_by(Alert.id))


def due_reviews(session: Session, *, now: datetime, after: timedelta = REVIEW_AFTER) -> list[int]:
    """Ids of the emergencies that need a review item at ``now``."""
    return [alert.id for alert in session.scalars(candidates_query(now)) if review_due(times_of(alert), now,
                                                                                         after=after)]


def open_due_reviews(*, factory: sessionmaker[Session], reads: sessionmaker[Session], now: datetime,
                     after: timedelta = REVIEW_AFTER) -> int:
    """Open a review item for every emergency due one at ``now``; returns how many were opened."""
    with reads() as session:
        due = due_reviews(session, now=now, after=after)
    if not due:
        return 0
    opened = 0
    with transaction(factory) as session:
        for alert in session.scalars(select(Alert).where(Alert.id.in_(due))):
            opened += _open_once(session, alert, now=now, after=after)
    return opened


def _open_once(session: Session, alert: Alert, *, now: datetime, after: timedelta) -> int:
    times = times_of(alert)
    seconds = int(after.total_seconds())
    reason = REVIEW_REASON if seconds == 180 else f"{seconds} 秒内无人接单"
    item = ReviewItem(alert_id=alert.id, site_id=alert.site_id, opened_at=now, started_at=times.started_at,
                      waited_s=waited_seconds(times), reason=reason)
    _, created = insert_once(session, item, lambda: session.scalar(select(ReviewItem)
                                                                   .where(ReviewItem.alert_id == alert.id)))
    if not created:  # another portal process opened it first
        return 0
    add_timeline(session, alert, type="review", now=now, message=f"{reason}，已列入复盘，请管理员填写原因")
    return 1


@transactional
def close_review(*, session: Session, review_id: int, admin: User, reason: str, site_ids: Sequence[int],
                 now: datetime) -> ReviewItem:
    """An admin closes a review item with the reason the emergency waited (what was done about it)."""
    item = session.get(ReviewItem, review_id)
    if item is None or item.site_id not in site_ids:
        raise NotFound("找不到这条复盘")
    if item.closed_at is not None:
        raise InvalidTransition("这条复盘已经关闭")
    reason = reason.strip()
    if not reason:
        raise InvalidTransition("请填写原因和改进措施")
    item.closed_at, item.closed_by_id, item.close_reason = now, admin.id, reason[:1000]
    return item


def review_items(session: Session, *, site_ids: Sequence[int] | None, start: datetime | None = None,
                 end: datetime | None = None) -> list[ReviewItem]:
    """Review items of ``site_ids`` (None: every site) whose emergency began within [start, end) when given;
    open ones first, newest first."""
    query = select(ReviewItem).options(selectinload(ReviewItem.alert), selectinload(ReviewItem.closed_by))
    if site_ids is not None:
        query = query.where(ReviewItem.site_id.in_(site_ids))
    if start is not None:
        query = query.where(ReviewItem.started_at >= start)
    if end is not None:
        query = query.where(ReviewItem.started_at < end)
    items = list(session.scalars(query.order_by(ReviewItem.id.desc())))
    return sorted(items, key=lambda item: item.closed_at is not None)
