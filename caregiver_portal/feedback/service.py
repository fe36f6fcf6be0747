"""Residents' voice (反映问题): record a problem or suggestion, assign it to the grid worker, close it with a reply,
tell the resident at the kiosk, credit useful suggestions, and sum a month up by category.

Closed loop: ``open`` (assigned to the grid worker of the resident's grid) → ``closed`` with a reply →
``heard`` once the kiosk has said the reply to the identified resident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Device, User, UserGrid
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.uow import insert_once, transactional
from caregiver_portal.feedback.models import CATEGORIES, KINDS, Feedback
from caregiver_portal.feedback.rules import CategoryMonth, month_summary
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.scope import Scope, resident_in_scope
from caregiver_portal.residents.service import resident_of_site
from caregiver_portal.timebank import service as timebank


@dataclass(frozen=True)
class FeedbackResult:
    """The stored report and whether its device event was stored before."""

    feedback: Feedback
    duplicate: bool


def grid_worker_for(session: Session, resident: Resident) -> int | None:
    """The grid worker a report goes to: an active caregiver of the resident's grid, else one without grids (who
    works on the whole site); None: nobody yet, the site's staff see it unassigned."""
    caregivers = select(User.id).where(User.site_id == resident.site_id, User.role == "caregiver",
                                       User.active.is_(True)).order_by(User.id).limit(1)
    if resident.grid_id is not None:
        of_grid = session.scalar(caregivers.join(UserGrid, UserGrid.user_id == User.id)
                                 .where(UserGrid.grid_id == resident.grid_id))
        if of_grid is not None:
            return of_grid
    return session.scalar(caregivers.where(~select(UserGrid.user_id).where(UserGrid.user_id == User.id).exists()))


def _check(kind: str, category: str) -> None:
    if kind not in KINDS:
        raise InvalidTransition("请选择是问题还是建议")
    if category not in CATEGORIES:
        raise InvalidTransition("请选择类别")


def _new(session: Session, resident: Resident, *, kind: str, category: str, text: str, source: str,
         now: datetime) -> Feedback:
    _check(kind, category)
    return Feedback(site_id=resident.site_id, resident_id=resident.id, grid_id=resident.grid_id, kind=kind,
                    category=category, text=text.strip()[:500], source=source, created_at=now,
                    assigned_to_id=grid_worker_for(session, resident))


@transactional
def report_at_kiosk(*, session: Session, device: Device, client_event_id: str, resident_id: int, kind: str,
                    category: str, text: str, now: datetime) -> FeedbackResult:
    """A resident's report from the kiosk, stored once per (device, event id)."""
    def stored() -> Feedback | None:
        return session.scalar(select(Feedback).where(Feedback.source_device_id == device.id,
                                                     Feedback.client_event_id == client_event_id))

    earlier = stored()
    if earlier is not None:
        return FeedbackResult(earlier, duplicate=True)
    resident = resident_of_site(session, resident_id, device.site_id)
    row = _new(session, resident, kind=kind, category=category, text=text, source="kiosk", now=now)
    row.source_device_id, row.client_event_id = device.id, client_event_id
    row, created = insert_once(session, row, stored)
    return FeedbackResult(row, duplicate=not created)


@transactional
def record_on_visit(*, session: Session, user: User, scope: Scope, resident_id: int, kind: str, category: str,
                    text: str, now: datetime) -> Feedback:
    """A grid worker records what a resident said on a visit."""
    resident = resident_in_scope(session, scope, resident_id)
    if not text.strip():
        raise InvalidTransition("请写下居民反映的内容")
    row = _new(session, resident, kind=kind, category=category, text=text, source="visit", now=now)
    row.recorded_by_id = user.id
    if row.assigned_to_id is None and user.role == "caregiver":
        row.assigned_to_id = user.id
    session.add(row)
    session.flush()
    return row


def visible(scope: Scope) -> Select[tuple[Feedback]]:
    """Reports of the residents in ``scope``."""
    query = select(Feedback).join(Resident, Resident.id == Feedback.resident_id)
    return scope.filter_residents(query)


def feedback_in_scope(session: Session, scope: Scope, feedback_id: int) -> Feedback:
    """One report the user may see, else NotFound."""
    row = session.scalar(visible(scope).where(Feedback.id == feedback_id))
    if row is None:
        raise NotFound("找不到这条反映")
    return row


def listing(session: Session, *, scope: Scope, state: str, limit: int = 100) -> list[Feedback]:
    """Open reports oldest first, or closed ones newest first."""
    query = visible(scope)
    if state == "closed":
        query = query.where(Feedback.closed_at.is_not(None)).order_by(Feedback.closed_at.desc())
    else:
        query = query.where(Feedback.closed_at.is_(None)).order_by(Feedback.created_at)
    return list(session.scalars(query.order_by(Feedback.id).limit(limit)))


@transactional
def assign(*, session: Session, scope: Scope, feedback_id: int, user_id: int) -> Feedback:
    """Hand a report to another grid worker of the site."""
    row = feedback_in_scope(session, scope, feedback_id)
    worker = session.get(User, user_id)
    if worker is None or worker.site_id != row.site_id or worker.role == "volunteer" or not worker.active:
        raise InvalidTransition("只能交给本站点的网格员或管理员")
    row.assigned_to_id = worker.id
    return row


@transactional
def close(*, session: Session, scope: Scope, feedback_id: int, user: User, reply: str, now: datetime) -> Feedback:
    """Close a report with the reply the resident will hear at the kiosk."""
    row = feedback_in_scope(session, scope, feedback_id)
    if row.closed_at is not None:
        raise InvalidTransition("这条反映已经办结")
    if not reply.strip():
        raise InvalidTransition("请写下给居民的答复")
    row.reply, row.closed_at, row.closed_by_id = reply.strip()[:300], now, user.id
    return row


@transactional
def mark_useful(*, session: Session, scope: Scope, feedback_id: int, user: User, now: datetime) -> Feedback:
    """The centre adopts a suggestion: the resident earns the site's points for it (once)."""
    row = feedback_in_scope(session, scope, feedback_id)
    if row.kind != "suggestion":
        raise InvalidTransition("只有建议可以标记为有用")
    if row.useful_at is not None:
        raise InvalidTransition("已经标记过了")
    row.useful_at = now
    timebank.award_resident(session=session, resident_id=row.resident_id, site_id=row.site_id, service="suggestion",
                            ref_id=row.id, now=now, note=f"建议 #{row.id} 被采纳", by=user)
    return row


def replies_waiting(session: Session, *, site_id: int, resident_id: int) -> list[Feedback]:
    """Closed reports of a resident whose reply the kiosk has not said yet, oldest first."""
    resident_of_site(session, resident_id, site_id)
    return list(session.scalars(select(Feedback).where(
        Feedback.resident_id == resident_id, Feedback.closed_at.is_not(None), Feedback.reply_heard_at.is_(None))
        .order_by(Feedback.closed_at, Feedback.id).limit(5)))


@transactional
def mark_heard(*, session: Session, site_id: int, feedback_id: int, now: datetime) -> Feedback:
    """The kiosk said the reply to the resident (safe to repeat: the first time counts)."""
    row = session.get(Feedback, feedback_id)
    if row is None or row.site_id != site_id or row.closed_at is None:
        raise NotFound("找不到这条答复")
    if row.reply_heard_at is None:
        row.reply_heard_at = now
    return row


def month_report(session: Session, *, site_id: int | None, start: datetime, end: datetime) -> list[CategoryMonth]:
    """Reports made in [start, end) by category: how many, closed, still open, days to close."""
    query = select(Feedback.category, Feedback.created_at, Feedback.closed_at).where(
        Feedback.created_at >= start, Feedback.created_at < end)
    if site_id is not None:
        query = query.where(Feedback.site_id == site_id)
    return month_summary([(category, created, closed) for category, created, closed in session.execute(query)])
