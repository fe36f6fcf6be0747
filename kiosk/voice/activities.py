"""Which activity an utterance names: by title words, by topic, or by its day."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache

from .dates import mentioned_days, mentioned_hours
from .matching import pinyin_bigrams
from .synonyms import topic_words

# Title words too generic to identify one activity.
_GENERIC = re.compile(r"社区|活动|老年人?|长者|中心|大家|一起|免费|健康|兴趣|报名|参加|我们")
_TITLE_DROP = re.compile(r"[^\w]")


def _start(activity: Mapping, now: datetime) -> datetime | None:
    """The activity's start in ``now``'s time zone (naive stays naive)."""
    try:
        start = datetime.fromisoformat(str(activity.get("starts_at", "")))
    except ValueError:
        return None
    if start.tzinfo is not None and now.tzinfo is not None:
        return start.astimezone(now.tzinfo)
    return start.replace(tzinfo=None) if now.tzinfo is None else start.replace(tzinfo=now.tzinfo)


@lru_cache(maxsize=1024)
def _title_core(title: str) -> str:
    """The distinctive part of a title (社区包饺子 -> 包饺子)."""
    return _GENERIC.sub("", _TITLE_DROP.sub("", title))


def _title_score(text: str, text_bigrams: frozenset, title: str) -> float:
    """How strongly *text* names *title*: shared (fuzzy pinyin) bigrams plus shared topics."""
    core = _title_core(title)
    score = float(len(pinyin_bigrams(core) & text_bigrams)) if len(core) >= 2 else 0.0
    if len(core) == 1 and core in text:
        score += 1.0
    score += 1.5 * len(topic_words(text) & topic_words(title))
    return score


def _day_filter(candidates: list, days: set[date], hours: tuple[int, int] | None) -> list:
    """Keep candidates on the named days / part of day; unchanged if nothing would remain."""
    if days:
        kept = [c for c in candidates if c[1] is not None and c[1].date() in days]
        candidates = kept or candidates
    if hours:
        kept = [c for c in candidates if c[1] is not None and hours[0] <= c[1].hour < hours[1]]
        candidates = kept or candidates
    return candidates


def match_activity(text: str, activities: Sequence[Mapping], now: datetime) -> object | None:
    """The id of the one activity that *text* names, or None if none or several fit."""
    if not activities:
        return None
    days, hours = mentioned_days(text, now), mentioned_hours(text)
    bigrams = pinyin_bigrams(_GENERIC.sub("", text))
    scored = [(a, _start(a, now), _title_score(text, bigrams, str(a.get("title", "")))) for a in activities]
    by_title = [c for c in scored if c[2] > 0]
    if by_title:
        pool = _day_filter(by_title, days, hours) if days or hours else by_title
        top = max(c[2] for c in pool)
        best = [c for c in pool if c[2] == top]
        return best[0][0].get("id") if len(best) == 1 else None
    if not days:
        return None
    on_day = [c for c in scored if c[1] is not None and c[1].date() in days]
    if hours:
        on_day = [c for c in on_day if c[1] is not None and hours[0] <= c[1].hour < hours[1]] or on_day
    return on_day[0][0].get("id") if len(on_day) == 1 else None


def names_activity(text: str, activities: Sequence[Mapping], now: datetime) -> bool:
    """True if *text* mentions an activity by title or topic (not merely by a day)."""
    bigrams = pinyin_bigrams(_GENERIC.sub("", text))
    return any(_title_score(text, bigrams, str(a.get("title", ""))) > 0 for a in activities)
