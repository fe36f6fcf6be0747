"""Daily check-in (平安打卡) rules. Pure: the time and the resident's facts are passed in.

A resident on the check-in has a deadline each local day (the plan's time of day, made earlier for higher
care levels, :func:`caregiver_portal.residents.care.checkin_advance`). Any check-in of that day counts;
at the deadline without one, the resident has *missed* it, and one ``no_checkin`` alert is raised for that
day. If the site allows it, a band worn between :data:`MORNING_START` and the deadline is a check-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from caregiver_portal.residents.care import checkin_advance

MORNING_START = time(5, 0)
"""From when a worn band counts as that day's check-in (if the site allows it)."""
EARLIEST_DEADLINE_MIN = 6 * 60
"""No deadline, however advanced, falls before 06:00."""


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The local calendar day of ``moment`` at the site."""
    return moment.astimezone(zone).date()


def at_minute(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The moment ``minute`` minutes after local midnight of ``day`` (minute may reach 1440)."""
    return datetime.combine(day, time(0), zone) + timedelta(minutes=minute)


def deadline_minute(plan_minute: int, care_level: int | None) -> int:
    """The deadline of the day in minutes after midnight: the plan's, advanced by the care level."""
    advanced = plan_minute - int(checkin_advance(care_level).total_seconds() // 60)
    return max(min(plan_minute, EARLIEST_DEADLINE_MIN), advanced)


def deadline_at(day: date, plan_minute: int, care_level: int | None, zone: ZoneInfo) -> datetime:
    """When the check-in of ``day`` is due."""
    return at_minute(day, deadline_minute(plan_minute, care_level), zone)


@dataclass(frozen=True)
class CheckinDue:
    """What the sweep knows about one resident on the check-in today."""

    resident_id: int
    plan_minute: int
    care_level: int | None
    checked_in: bool
    """A check-in of today is stored."""
    alerted_on: date | None
    """The day a ``no_checkin`` alert was last raised for."""
    last_worn_at: datetime | None = None
    """The latest time the resident's band was worn (None: no band, or never worn)."""


def missed(due: CheckinDue, *, zone: ZoneInfo, now: datetime) -> bool:
    """True when today's deadline has passed without a check-in and no alert was raised for today yet."""
    day = local_day(now, zone)
    if due.checked_in or due.alerted_on == day:
        return False
    return now >= deadline_at(day, due.plan_minute, due.care_level, zone)


def worn_checkin(due: CheckinDue, *, zone: ZoneInfo, now: datetime) -> datetime | None:
    """The time a worn band counts as today's check-in (band worn this morning before the deadline), else None."""
    if due.checked_in or due.last_worn_at is None:
        return None
    day = local_day(now, zone)
    start = datetime.combine(day, MORNING_START, zone)
    end = min(now, deadline_at(day, due.plan_minute, due.care_level, zone))
    return due.last_worn_at if start <= due.last_worn_at <= end else None


def missed_message(due: CheckinDue, *, zone: ZoneInfo, now: datetime) -> str:
    """The alert's text: which deadline was missed."""
    deadline = deadline_at(local_day(now, zone), due.plan_minute, due.care_level, zone)
    return f"今天 {deadline:%H:%M} 前没有平安打卡（手环双击、自助机“我今天很好”或志愿者见到本人），请尽快联系或上门看望"
