"""The roster in the database: setting shifts and leave, and who is available to be called at a moment.

Volunteers and grid workers are called during their shifts unless on leave; admins are the last
resort and are called whenever they are not on leave.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Site, User
from caregiver_portal.core.clock import CHINA_TIME
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.roster.models import OnCallLeave, OnCallShift
from caregiver_portal.roster.rules import ALWAYS, Leave, RosterError, Shift, leave_days, on_call, on_leave, parse_roster

ROSTERED_ROLES = frozenset({"volunteer", "caregiver"})


@dataclass(frozen=True)
class Availability:
    """One person's roster as loaded: shifts, current and future leave."""

    shifts: tuple[Shift, ...]
    leaves: tuple[Leave, ...]


def site_zone(site: Site | None) -> tzinfo:
    """The site's time zone (China Standard Time when unknown)."""
    try:
        return ZoneInfo(site.timezone) if site is not None and site.timezone else CHINA_TIME
    except ZoneInfoNotFoundError:
        return CHINA_TIME


def rosters(session: Session, user_ids: Iterable[int], *, now: datetime) -> dict[int, Availability]:
    """Shifts and not-yet-ended leave of each user in ``user_ids`` (users without either get empty ones)."""
    ids = list(user_ids)
    shifts: dict[int, list[Shift]] = defaultdict(list)
    leaves: dict[int, list[Leave]] = defaultdict(list)
    if ids:
        for row in session.scalars(select(OnCallShift).where(OnCallShift.user_id.in_(ids))):
            shifts[row.user_id].append(Shift(row.weekday, row.start_minute, row.end_minute))
        for leave in session.scalars(select(OnCallLeave).where(OnCallLeave.user_id.in_(ids),
                                                                OnCallLeave.ends_at > now)):
            leaves[leave.user_id].append(Leave(leave.starts_at, leave.ends_at))
    return {user_id: Availability(tuple(sorted(shifts[user_id])), tuple(leaves[user_id])) for user_id in ids}


def is_available(user: User, availability: Availability, *, local_now: datetime) -> bool:
    """Whether ``user`` may be called at ``local_now`` (the site's wall clock)."""
    if user.role in ROSTERED_ROLES:
        return on_call(availability.shifts, availability.leaves, local_now)
    return not on_leave(availability.leaves, local_now)


def available_user_ids(session: Session, users: Sequence[User], *, site: Site | None, now: datetime) -> frozenset[int]:
    """The ids of ``users`` (all of one site) who may be called at ``now``."""
    books = rosters(session, (user.id for user in users), now=now)
    local_now = now.astimezone(site_zone(site))
    return frozenset(user.id for user in users if is_available(user, books[user.id], local_now=local_now))


def set_roster(*, session: Session, user: User, text: str) -> tuple[Shift, ...]:
    """Replace ``user``'s weekly shifts with those ``text`` describes (refused with the reason, in Chinese)."""
    try:
        shifts = parse_roster(text)
    except RosterError as exc:
        raise InvalidTransition(str(exc)) from exc
    replace_shifts(session=session, user=user, shifts=shifts)
    return shifts


def replace_shifts(*, session: Session, user: User, shifts: Iterable[Shift]) -> None:
    """Store ``shifts`` as ``user``'s whole weekly roster."""
    session.execute(delete(OnCallShift).where(OnCallShift.user_id == user.id))
    session.add_all(OnCallShift(user_id=user.id, weekday=s.weekday, start_minute=s.start, end_minute=s.end)
                    for s in shifts)


def start_on_call(*, session: Session, user: User) -> None:
    """A new volunteer or grid worker is on call around the clock until the admin sets their shifts."""
    if user.role in ROSTERED_ROLES:
        session.flush()
        replace_shifts(session=session, user=user, shifts=ALWAYS)


def add_leave(*, session: Session, user: User, first: date, last: date, reason: str, now: datetime) -> OnCallLeave:
    """Record leave from ``first`` to ``last`` (whole local days, inclusive)."""
    if last < first:
        raise InvalidTransition("结束日期早于开始日期")
    span = leave_days(first, last, site_zone(session.get(Site, user.site_id) if user.site_id else None))
    if span.ends_at <= now:
        raise InvalidTransition("这段请假已经过去了")
    leave = OnCallLeave(user_id=user.id, starts_at=span.starts_at, ends_at=span.ends_at, reason=reason.strip()[:100],
                        created_at=now)
    session.add(leave)
    session.flush()
    return leave


def cancel_leave(*, session: Session, user: User, leave_id: int) -> None:
    """Take back a leave of ``user`` (they are called again during their shifts)."""
    leave = session.get(OnCallLeave, leave_id)
    if leave is None or leave.user_id != user.id:
        raise NotFound("找不到这条请假记录")
    session.delete(leave)


def leaves_of(session: Session, *, user_id: int, now: datetime) -> list[OnCallLeave]:
    """The leave of a user that has not ended yet, soonest first."""
    return list(session.scalars(select(OnCallLeave).where(OnCallLeave.user_id == user_id, OnCallLeave.ends_at > now)
                                .order_by(OnCallLeave.starts_at)))
