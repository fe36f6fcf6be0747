"""Grid workers' visit diary (民情日记): log a home visit in a few taps, count households per week
against a target, and turn a need found into a help request on the board or a grocery order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import User
from caregiver_portal.alerts.models import Alert
from caregiver_portal.alerts.service import open_alert
from caregiver_portal.core.clock import CHINA_TIME
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.scope import Scope
from caregiver_portal.visits.models import Visit

WEEKLY_TARGET = 10  # households a grid worker visits each week (民情日记 practice)
CONDITIONS = {"good": "良好", "fair": "一般", "concern": "需要关注"}
NEEDS = ("买菜", "就医", "维修", "陪伴聊天", "家政", "用药", "其他")


@dataclass(frozen=True)
class WeekRow:
    """One grid worker's week: households visited (distinct residents) and visits logged."""

    user_id: int
    display_name: str
    households: int
    visits: int


def week_start(now: datetime) -> datetime:
    """Monday 00:00 (China time) of the week containing ``now``."""
    local = now.astimezone(CHINA_TIME)
    return (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)


def log_visit(*, session: Session, worker: User, resident: Resident, condition: str, needs: list[str], note: str,
              now: datetime) -> Visit:
    """Record a home visit."""
    if condition not in CONDITIONS:
        raise InvalidTransition("请选择老人的情况")
    unknown = [need for need in needs if need not in NEEDS]
    if unknown:
        raise InvalidTransition(f"未知的需求：{'、'.join(unknown)}")
    visit = Visit(site_id=resident.site_id, resident_id=resident.id, worker_id=worker.id, visited_at=now,
                  condition=condition, needs=list(dict.fromkeys(needs)), note=note.strip()[:2000], created_at=now)
    session.add(visit)
    session.flush()
    return visit


def households_this_week(session: Session, *, worker_id: int, now: datetime) -> int:
    """Distinct households a worker visited since Monday."""
    return int(session.scalar(select(func.count(func.distinct(Visit.resident_id)))
                              .where(Visit.worker_id == worker_id, Visit.visited_at >= week_start(now))) or 0)


def team_week(session: Session, *, site_id: int | None, now: datetime) -> list[WeekRow]:
    """Every grid worker's week (including those with no visit yet), fewest households first."""
    since = week_start(now)
    counts = {uid: (households, visits) for uid, households, visits in session.execute(
        select(Visit.worker_id, func.count(func.distinct(Visit.resident_id)), func.count())
        .where(Visit.visited_at >= since).group_by(Visit.worker_id))}
    query = select(User).where(User.active.is_(True), User.role == "caregiver")
    if site_id is not None:
        query = query.where(User.site_id == site_id)
    workers = list(session.scalars(query))
    known = {w.id for w in workers}
    others = [session.get(User, uid) for uid in counts if uid not in known]  # admins who visited too
    rows = [WeekRow(w.id, w.display_name, *counts.get(w.id, (0, 0))) for w in workers + [o for o in others if o]]
    return sorted(rows, key=lambda r: (r.households, r.display_name))


def recent_visits(session: Session, *, scope: Scope, worker_id: int | None = None, limit: int = 20) -> list[Visit]:
    """The latest visits inside ``scope`` (of one worker when given), newest first."""
    query = select(Visit).join(Resident, Visit.resident_id == Resident.id)
    query = scope.filter_residents(query)
    if worker_id is not None:
        query = query.where(Visit.worker_id == worker_id)
    return list(session.scalars(query.order_by(Visit.visited_at.desc(), Visit.id.desc()).limit(limit)))


def raise_help_request(*, session: Session, visit: Visit, user: User, now: datetime) -> Alert:
    """Put the need found on a visit onto the alert board as a (non-emergency) help request."""
    if visit.alert_id is not None:
        alert = session.get(Alert, visit.alert_id)
        if alert is not None:
            return alert
    resident = visit.resident
    needs = "、".join(visit.needs) or "需要帮助"
    alert = Alert(site_id=visit.site_id, kind="help", emergency=False, state="open", place=resident.room,
                  details={"visit_id": visit.id, "needs": list(visit.needs), "note": visit.note[:200],
                           "raised_by": user.display_name},
                  resident_id=resident.id, occurred_at=now, received_at=now)
    session.add(alert)
    session.flush()
    open_alert(session, alert, now=now, message=f"{user.display_name} 走访时发现需求：{needs}")
    visit.alert_id = alert.id
    return alert
