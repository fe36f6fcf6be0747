"""The weekly on-call roster, pure: shifts written the way a centre writes them, who is on call at a
moment, leave (请假), and the hours of a week when nobody is on call. Time is passed in, never read.

A roster is text such as ``周一至周五 08:00-18:00；周六、周日 全天`` or ``每天 全天``. Each item names days
(每天, 工作日, 周末, 周一至周五, 周一、周三, 星期日 …) and optionally hours (``8:00-18:00``, ``8点-18点``,
``全天``; no hours means the whole day). Hours that pass midnight (``周五 20:00-08:00``) continue on the
next day. Times are the site's local wall-clock times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

DAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MINUTES_PER_DAY = 24 * 60
_DAY_CHARS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_DAY = r"(?:周|星期|礼拜)([一二三四五六日天七])"
_ITEM_SPLIT = re.compile(r"[；;，,\n]+")
_TIME = r"(\d{1,2})(?:[:：](\d{2})|点(半)?|时)?"
_HOURS = re.compile(rf"^{_TIME}\s*(?:-|－|—|~|～|至|到)\s*{_TIME}$")
_RANGE = re.compile(rf"^{_DAY}\s*(?:至|到|-|－|—|~|～)\s*{_DAY}")
_ONE_DAY = re.compile(rf"^{_DAY}")
_NAMED_DAYS = {"每天": range(7), "每日": range(7), "全周": range(7), "天天": range(7), "工作日": range(5),
               "周末": range(5, 7)}


class RosterError(ValueError):
    """A roster or leave text that cannot be read; the message says why, in Chinese."""


@dataclass(frozen=True, order=True)
class Shift:
    """A weekly on-call window: ``weekday`` 0 = Monday, minutes from local midnight, ``start < end <= 1440``."""

    weekday: int
    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.weekday < 7 and 0 <= self.start < self.end <= MINUTES_PER_DAY):
            raise ValueError(f"impossible shift {self!r}")


@dataclass(frozen=True)
class Leave:
    """Time off (请假): the person is not called from ``starts_at`` until ``ends_at`` (aware datetimes)."""

    starts_at: datetime
    ends_at: datetime


ALWAYS = tuple(Shift(day, 0, MINUTES_PER_DAY) for day in range(7))
"""On call around the clock: what a new volunteer or grid worker starts with."""


def parse_roster(text: str) -> tuple[Shift, ...]:
    """The shifts ``text`` describes (sorted, overlaps merged); "" or 不值班 -> none."""
    shifts: list[Shift] = []
    for item in _ITEM_SPLIT.split(text.strip()):
        item = item.strip()
        if not item or item in ("不值班", "无"):
            continue
        days, rest = _days(item)
        start, end = _hours(rest, item)
        for day in days:
            if end > start:
                shifts.append(Shift(day, start, end))
            else:  # passes midnight: the rest of this day, then the morning of the next
                shifts.append(Shift(day, start, MINUTES_PER_DAY))
                if end > 0:
                    shifts.append(Shift((day + 1) % 7, 0, end))
    return merge(shifts)


def _days(item: str) -> tuple[Sequence[int], str]:
    for name, days in _NAMED_DAYS.items():
        if item.startswith(name):
            return days, item[len(name):]
    if match := _RANGE.match(item):
        first, last = _DAY_CHARS[match.group(1)], _DAY_CHARS[match.group(2)]
        if last < first:
            raise RosterError(f"“{item}”：日期范围要从前往后写，例如 周一至周五")
        return range(first, last + 1), item[match.end():]
    listed: list[int] = []
    rest = item
    while match := _ONE_DAY.match(rest):
        listed.append(_DAY_CHARS[match.group(1)])
        rest = rest[match.end():].lstrip("、/ ")
    if not listed:
        raise RosterError(f"“{item}”：没看懂是哪几天，请写 每天、工作日、周末、周一至周五 或 周一、周三")
    return listed, rest


def _hours(text: str, item: str) -> tuple[int, int]:
    text = text.strip()
    if text in ("", "全天", "24小时", "全日"):
        return 0, MINUTES_PER_DAY
    match = _HOURS.match(text)
    if match is None:
        raise RosterError(f"“{item}”：时间请写成 08:00-18:00 或 全天")
    start = _minutes(match.group(1), match.group(2), match.group(3), item)
    end = _minutes(match.group(4), match.group(5), match.group(6), item)
    if start == end or start == MINUTES_PER_DAY:
        raise RosterError(f"“{item}”：开始和结束时间不能相同")
    return start, end


def _minutes(hours: str, minutes: str | None, half: str | None, item: str) -> int:
    value = int(hours) * 60 + (int(minutes) if minutes else 30 if half else 0)
    if value > MINUTES_PER_DAY or (minutes and int(minutes) >= 60):
        raise RosterError(f"“{item}”：没有这个时间")
    return value


def merge(shifts: Iterable[Shift]) -> tuple[Shift, ...]:
    """Shifts sorted, with overlapping or touching windows of one day joined."""
    merged: list[Shift] = []
    for shift in sorted(shifts):
        last = merged[-1] if merged else None
        if last is not None and last.weekday == shift.weekday and shift.start <= last.end:
            merged[-1] = Shift(last.weekday, last.start, max(last.end, shift.end))
        else:
            merged.append(shift)
    return tuple(merged)


def format_roster(shifts: Sequence[Shift]) -> str:
    """The text :func:`parse_roster` reads back: days with the same hours grouped ("周一至周五 08:00-18:00")."""
    if not shifts:
        return "不值班"
    by_hours: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for day in range(7):
        windows = tuple((s.start, s.end) for s in shifts if s.weekday == day)
        if windows:
            by_hours.setdefault(windows, []).append(day)
    parts = []
    for windows, days in by_hours.items():
        for start, end in windows:
            parts.append(f"{_day_list(days)} {_window(start, end)}")
    return "；".join(parts)


def _day_list(days: list[int]) -> str:
    if len(days) == 7:
        return "每天"
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]}至{DAY_NAMES[days[-1]]}"
    return "、".join(DAY_NAMES[day] for day in days)


def _window(start: int, end: int) -> str:
    if (start, end) == (0, MINUTES_PER_DAY):
        return "全天"
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def on_leave(leaves: Iterable[Leave], now: datetime) -> bool:
    """True when ``now`` falls inside one of ``leaves``."""
    return any(leave.starts_at <= now < leave.ends_at for leave in leaves)


def on_call(shifts: Iterable[Shift], leaves: Iterable[Leave], local_now: datetime) -> bool:
    """True when a shift covers ``local_now`` (the site's wall clock, aware) and no leave does."""
    minute = local_now.hour * 60 + local_now.minute
    rostered = any(s.weekday == local_now.weekday() and s.start <= minute < s.end for s in shifts)
    return rostered and not on_leave(leaves, local_now)


def parse_leave(text: str, *, today: date) -> tuple[date, date]:
    """First and last day (inclusive) of a leave written ``2026-12-24至2026-12-26``, ``12月24日-26日`` or one day.

    A date without a year is the next such date from ``today`` on.
    """
    parts = [p.strip() for p in re.split(r"至|到|~|～|—|－|(?<=日)-", text.strip()) if p.strip()]
    if not 1 <= len(parts) <= 2:
        raise RosterError(f"请假“{text}”：请写成 2026-12-24至2026-12-26")
    first = _date(parts[0], today=today, text=text)
    last = _date(parts[-1], today=today, text=text, month=first.month, year=first.year)
    if last < first:
        raise RosterError(f"请假“{text}”：结束日期早于开始日期")
    return first, last


def _date(part: str, *, today: date, text: str, month: int | None = None, year: int | None = None) -> date:
    match = re.fullmatch(r"(?:(\d{4})[-/.年])?(?:(\d{1,2})[-/.月])?(\d{1,2})日?", part)
    if match is None or (match.group(2) is None and month is None):
        raise RosterError(f"请假“{text}”：请写成 2026-12-24至2026-12-26")
    given_year = int(match.group(1)) if match.group(1) else None
    try:
        day = date(given_year or year or today.year, int(match.group(2) or month or 0), int(match.group(3)))
    except ValueError as exc:
        raise RosterError(f"请假“{text}”：没有这一天") from exc
    if given_year is None and year is None and day < today - timedelta(days=31):
        day = day.replace(year=day.year + 1)
    return day


def leave_days(first: date, last: date, zone: tzinfo) -> Leave:
    """Leave from local midnight of ``first`` to local midnight after ``last``."""
    return Leave(datetime.combine(first, time(), zone), datetime.combine(last + timedelta(days=1), time(), zone))


@dataclass(frozen=True)
class Gap:
    """A stretch of local time when nobody is on call."""

    starts_at: datetime
    ends_at: datetime


def gaps(people: Iterable[tuple[Sequence[Shift], Sequence[Leave]]], *, start: datetime, days: int = 7) -> list[Gap]:
    """The stretches of the ``days`` from ``start`` (local, aware) when none of ``people`` is on call."""
    end = start + timedelta(days=days)
    covered: list[tuple[datetime, datetime]] = []
    for shifts, leaves in people:
        for window in _windows(shifts, start, end):
            covered += _minus(window, [(leave.starts_at, leave.ends_at) for leave in leaves])
    holes: list[Gap] = []
    cursor = start
    for begin, finish in sorted(covered):
        if begin > cursor:
            holes.append(Gap(cursor, begin))
        cursor = max(cursor, finish)
    if cursor < end:
        holes.append(Gap(cursor, end))
    return holes


def _windows(shifts: Sequence[Shift], start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    found = []
    for offset in range((end - midnight).days + 1):
        day = midnight + timedelta(days=offset)
        for shift in shifts:
            if shift.weekday == day.weekday():
                begin, finish = day + timedelta(minutes=shift.start), day + timedelta(minutes=shift.end)
                if finish > start and begin < end:
                    found.append((max(begin, start), min(finish, end)))
    return found


def _minus(window: tuple[datetime, datetime],
           holes: Sequence[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """``window`` with every hole cut out of it."""
    pieces = [window]
    for hole_start, hole_end in holes:
        kept = []
        for begin, finish in pieces:
            if hole_end <= begin or hole_start >= finish:
                kept.append((begin, finish))
                continue
            if hole_start > begin:
                kept.append((begin, hole_start))
            if hole_end < finish:
                kept.append((hole_end, finish))
        pieces = kept
    return pieces
