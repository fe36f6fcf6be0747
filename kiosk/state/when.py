"""Times and places in words, as a senior says them: ``本周六上午九点，社区医院`` (pure).

Digits are hard to read from afar and the TTS voice reads them unevenly, so activity times
are written and spoken as words: the day relative to ``now`` (今天, 明天, 本周六, 下周三,
else 十二月三日) and the time of day (上午九点, 下午两点半, 中午十二点, 晚上七点十五分).
"""

from __future__ import annotations

from datetime import datetime, timedelta

_DIGITS = "零一二三四五六七八九"
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def number_words(n: int) -> str:
    """0..99 in Chinese numerals: 9 -> 九, 10 -> 十, 15 -> 十五, 20 -> 二十, 42 -> 四十二."""
    if not 0 <= n <= 99:
        raise ValueError(f"number_words handles 0..99, got {n}")
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[ones] if ones else "")


def day_words(start: datetime, now: datetime) -> str:
    """今天 / 明天 / 本周六 / 下周三, or 十二月三日 further away (``start`` in ``now``'s zone)."""
    local = _in_zone(start, now)
    delta = (local.date() - now.date()).days
    if delta == 0:
        return "今天"
    if delta == 1:
        return "明天"
    if delta == -1:
        return "昨天"
    from_monday = (local.date() - (now.date() - timedelta(days=now.weekday()))).days
    if delta > 0 and from_monday < 7:
        return "本" + WEEKDAYS[local.weekday()]
    if delta > 0 and from_monday < 14:
        return "下" + WEEKDAYS[local.weekday()]
    return f"{number_words(local.month)}月{number_words(local.day)}日"


def clock_words(start: datetime) -> str:
    """上午九点, 下午两点半, 中午十二点, 晚上七点十五分, 凌晨五点零五分."""
    hour, minute = start.hour, start.minute
    if hour < 6:
        period = "凌晨"
    elif hour < 12:
        period = "上午"
    elif hour == 12:
        period = "中午"
    elif hour < 18:
        period = "下午"
    else:
        period = "晚上"
    twelve = hour % 12 or 12
    spoken_hour = "两" if twelve == 2 else number_words(twelve)
    if minute == 0:
        tail = ""
    elif minute == 30:
        tail = "半"
    elif minute < 10:
        tail = f"零{number_words(minute)}分"
    else:
        tail = f"{number_words(minute)}分"
    return f"{period}{spoken_hour}点{tail}"


def spoken_when(start: datetime, now: datetime) -> str:
    """The day and time of ``start`` in words, relative to ``now``: ``本周六上午九点``."""
    return day_words(start, now) + clock_words(_in_zone(start, now))


def when_and_place(start: datetime, place: str, now: datetime) -> str:
    """``本周六上午九点，社区医院`` — what an activity card and its speech say first."""
    place = place.strip()
    return f"{spoken_when(start, now)}，{place}" if place else spoken_when(start, now)


def parse_time(value: str | datetime) -> datetime:
    """An ISO 8601 timestamp from the portal (``…Z`` or with an offset) as an aware datetime."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _in_zone(start: datetime, now: datetime) -> datetime:
    if start.tzinfo is not None and now.tzinfo is not None:
        return start.astimezone(now.tzinfo)
    return start
