"""Dead letters: stored once per (device, event id) as reported, listed for admins, marked as handled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from caregiver_portal.accounts.models import Device, User
from caregiver_portal.core.errors import NotFound
from caregiver_portal.core.uow import transactional
from caregiver_portal.dead_letters.models import DeadLetter


@dataclass(frozen=True)
class Reported:
    """One reported dead letter (the device's view of it)."""

    event_id: str
    method: str
    path: str
    status_code: int | None
    problem: str
    detail: str
    summary: str
    failed_at: datetime


@transactional
def record_dead_letters(*, session: Session, device: Device, reports: Sequence[Reported],
                        now: datetime) -> tuple[int, int]:
    """Store the reports a device sent; one already known is left as it is. Returns (stored, known)."""
    event_ids = {report.event_id for report in reports}
    known = set(session.scalars(select(DeadLetter.event_id).where(DeadLetter.device_id == device.id,
                                                                  DeadLetter.event_id.in_(event_ids))))
    fresh = {report.event_id: report for report in reports if report.event_id not in known}
    for report in fresh.values():
        session.add(DeadLetter(site_id=device.site_id, device_id=device.id, event_id=report.event_id,
                               method=report.method, path=report.path, status_code=report.status_code,
                               problem=report.problem, detail=report.detail, summary=report.summary,
                               failed_at=report.failed_at, reported_at=now))
    session.flush()
    return len(fresh), len(reports) - len(fresh)


def open_dead_letters(session: Session, *, site_ids: Sequence[int], limit: int = 200) -> list[DeadLetter]:
    """Dead letters of these sites nobody has handled yet, newest first."""
    return list(session.scalars(
        select(DeadLetter).where(DeadLetter.site_id.in_(site_ids), DeadLetter.resolved_at.is_(None))
        .order_by(DeadLetter.failed_at.desc(), DeadLetter.id.desc()).limit(limit)
        .options(selectinload(DeadLetter.device))))


@transactional
def resolve_dead_letter(*, session: Session, admin: User, letter_id: int, site_ids: Sequence[int],
                        now: datetime) -> DeadLetter:
    """An admin has dealt with a dead letter (told the resident, fixed the band's registration…)."""
    letter = session.get(DeadLetter, letter_id)
    if letter is None or letter.site_id not in site_ids:
        raise NotFound("找不到这条未送达记录")
    if letter.resolved_at is None:
        letter.resolved_at, letter.resolved_by_id = now, admin.id
    return letter
