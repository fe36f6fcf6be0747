"""Relative day expressions (今天, 明天, 周六, 下周三, 15号, 周末) resolved against ``now``."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_WEEKDAY = {
    "一": 0,
    "二": 1,
    "三": 2,
    "四": 3,
    "五": 4,
    "六": 5,
    "日": 6,
    "天": 6,
    "七": 6,
    "1": 0,
    "2": 1,
    "3": 2,
    "4": 3,
    "5": 4,
    "6": 5,
    "7": 6,
}
_RELATIVE = (
    ("大后天", 3),
    ("后天", 2),
    ("明天", 1),
    ("明日", 1),
    ("今天", 0),
    ("今日", 0),
    ("今晚", 0),
    ("今早", 0),
    ("明早", 1),
    ("明晚", 1),
)
_WEEK_RE = re.compile(r"(下下|下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天七1-7])")
_WEEKEND_RE = re.compile(r"(下个?|这个?|本)?周末")
_DAY_OF_MONTH_RE = re.compile(
    r"(?:([0-9]{1,2}|[一二三四五六七八九十]{1,3})月)?"
    r"([0-9]{1,2}|[一二三四五六七八九十]{1,3})(?:号|日)"
)
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_PERIODS = (
    ("早上", (0, 12)),
    ("早晨", (0, 12)),
    ("上午", (0, 12)),
    ("早", (0, 10)),
    ("中午", (11, 14)),
    ("下午", (12, 18)),
    ("晚上", (17, 24)),
    ("晚", (17, 24)),
)


def _small_number(text: str) -> int:
    """1..31 written as digits or Chinese (十五, 二十一)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _CN_DIGITS.get(text, 0)
    tens, _, ones = text.partition("十")
    return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)


def _week_day(today: date, prefix: str | None, weekday: int) -> date:
    monday = today - timedelta(days=today.weekday())
    if prefix and prefix.startswith("下下"):
        return monday + timedelta(days=14 + weekday)
    if prefix and prefix.startswith("下"):
        return monday + timedelta(days=7 + weekday)
    if prefix:  # 这周 / 本周
        return monday + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)  # next occurrence


def _month_day(today: date, month: str | None, day: str) -> date | None:
    try:
        if month:
            return date(today.year, _small_number(month), _small_number(day))
        candidate = date(today.year, today.month, _small_number(day))
    except ValueError:
        return None
    if candidate < today:  # 3号 said on the 25th means next month
        next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        try:
            candidate = next_month.replace(day=candidate.day)
        except ValueError:
            return None
    return candidate


def mentioned_days(text: str, now: datetime) -> set[date]:
    """Dates that *text* names, relative to ``now``; empty when it names none."""
    today = now.date()
    days: set[date] = set()
    for word, offset in _RELATIVE:
        if word in text:
            days.add(today + timedelta(days=offset))
            text = text.replace(word, "")
    for match in _WEEK_RE.finditer(text):
        days.add(_week_day(today, match[1], _WEEKDAY[match[2]]))
    for match in _WEEKEND_RE.finditer(text):
        days.update(_week_day(today, match[1] or None, d) for d in (5, 6))
    for match in _DAY_OF_MONTH_RE.finditer(text):
        found = _month_day(today, match[1], match[2])
        if found is not None:
            days.add(found)
    return days


def mentioned_hours(text: str) -> tuple[int, int] | None:
    """The part of day that *text* names, as an hour range [start, end), or None."""
    for word, hours in _PERIODS:
        if word in text:
            return hours
    return None
