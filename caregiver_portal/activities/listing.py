"""Activities a page at a time: upcoming (soonest first), past or cancelled (latest first), filtered by date,
with their sign-up counts in one grouped query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from caregiver_portal.activities.models import Activity, ActivitySignup
from caregiver_portal.core.clock import CHINA_TIME
from caregiver_portal.core.pagination import ListQuery, Page, paginate

STATES = {"upcoming": "未结束", "past": "已结束", "cancelled": "已取消"}


def activities_query(*, site_id: int | None, lq: ListQuery, now: datetime) -> Select[Any]:
    """The activities ``lq`` asks for (no state: upcoming), ordered on ``ix_activities_site_start``."""
    query = select(Activity)
    if site_id is not None:
        query = query.where(Activity.site_id == site_id)
    start, end = lq.between(CHINA_TIME)
    if start is not None:
        query = query.where(Activity.starts_at >= start)
    if end is not None:
        query = query.where(Activity.starts_at < end)
    if lq.state == "cancelled":
        return query.where(Activity.cancelled_at.is_not(None)).order_by(Activity.starts_at.desc(), Activity.id.desc())
    if lq.state == "past":
        return query.where(Activity.ends_at < now, Activity.cancelled_at.is_(None)).order_by(
            Activity.starts_at.desc(), Activity.id.desc())
    return query.where(Activity.ends_at >= now).order_by(Activity.starts_at, Activity.id)


def activity_page(session: Session, *, site_id: int | None, lq: ListQuery, now: datetime) -> Page[Activity]:
    """One page of activities."""
    return paginate(session, activities_query(site_id=site_id, lq=lq, now=now), lq)


def signup_counts(session: Session, activity_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Sign-ups per state of each activity (confirmed, waitlisted, cancelled, checked in)."""
    ids = list(activity_ids)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"confirmed": 0, "waitlisted": 0, "cancelled": 0,
                                                             "checked_in": 0})
    if not ids:
        return counts
    rows = session.execute(select(ActivitySignup.activity_id, ActivitySignup.state, func.count(),
                                  func.count(ActivitySignup.checked_in_at))
                           .where(ActivitySignup.activity_id.in_(ids))
                           .group_by(ActivitySignup.activity_id, ActivitySignup.state))
    for activity_id, state, count, checked in rows:
        counts[activity_id][state] = int(count)
        if state == "confirmed":
            counts[activity_id]["checked_in"] = int(checked)
    return counts
