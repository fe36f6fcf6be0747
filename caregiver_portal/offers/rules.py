"""Whom a new grocery order or non-emergency help request is offered to, and when the offer widens. Pure.

Everyone can see what is open; the offer decides who is *told* (an @-mention in the volunteers' bot).

1. First the volunteers of the resident's grid who are on call now (their roster) — or, when the grid has
   none, the ``nearest_n`` volunteers on call living nearest by building (same building first, then the
   closest building number; when nobody is on call, the nearest of all).
2. After ``widen_after`` with nobody claiming it, the whole site: every volunteer on call (or, when nobody
   is on call, every volunteer who can take it).

A volunteer who paused offers, or who has taken their daily limit today, is never offered anything.
Time is passed in (``now``); nothing here reads the clock or the database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Stage = Literal["near", "site"]
FAR = 10_000
_BUILDING = re.compile(r"(\d+)\s*(?:号楼|号|栋|幢|座|楼|单元)|^\s*(\d+)\s*[-－—]")


@dataclass(frozen=True)
class OfferSettings:
    """A site's offer rule."""

    nearest_n: int = 3
    """How many volunteers nearest by building get the first offer when the grid has nobody on call."""
    widen_after: timedelta = timedelta(minutes=15)
    """How long the first offer stands before it widens to the whole site."""


@dataclass(frozen=True)
class Candidate:
    """One volunteer as the rule sees them."""

    user_id: int
    grid_ids: frozenset[int]
    building: int | None
    """The number of the building they live in (None: not given)."""
    on_call: bool
    paused: bool = False
    taken_today: int = 0
    """Orders claimed and help requests accepted since local midnight."""
    daily_limit: int | None = None
    """At most this many a day (None: no limit)."""


@dataclass(frozen=True)
class Need:
    """The order or help request being offered."""

    grid_id: int | None
    building: int | None
    created_at: datetime


@dataclass(frozen=True)
class OfferPlan:
    """Who is offered a request now, why, and when the offer widens (None: it is already the whole site)."""

    stage: Stage
    user_ids: tuple[int, ...]
    reason: str
    widens_at: datetime | None


def building_of(room: str) -> int | None:
    """"3号楼201" -> 3, "12栋3单元" -> 12, "5-302" -> 5; None when the address names no building."""
    match = _BUILDING.search(room or "")
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


def can_take(candidate: Candidate) -> bool:
    """Not paused and under their daily limit."""
    if candidate.paused:
        return False
    return candidate.daily_limit is None or candidate.taken_today < candidate.daily_limit


def distance(a: int | None, b: int | None) -> int:
    """How far apart two buildings are (0 the same; unknown buildings are far)."""
    if a is None or b is None:
        return FAR
    return abs(a - b)


def nearest(need: Need, candidates: Sequence[Candidate], n: int) -> tuple[int, ...]:
    """The ``n`` candidates on call living nearest to the request by building (nobody on call: any of them)."""
    pool = [c for c in candidates if c.on_call] or list(candidates)
    ranked = sorted(pool, key=lambda c: (distance(c.building, need.building), c.user_id))
    return tuple(c.user_id for c in ranked[:max(n, 0)])


def first_offer(need: Need, candidates: Sequence[Candidate], settings: OfferSettings) -> tuple[tuple[int, ...], str]:
    """The first group: the grid's on-call volunteers, else the nearest ``nearest_n`` (with the reason)."""
    able = [c for c in candidates if can_take(c)]
    in_grid = tuple(sorted(c.user_id for c in able if c.on_call and need.grid_id is not None
                           and need.grid_id in c.grid_ids))
    if in_grid:
        return in_grid, "本网格值班志愿者"
    near = nearest(need, able, settings.nearest_n)
    return near, f"住得最近的 {len(near)} 位志愿者" if near else ""


def whole_site(candidates: Sequence[Candidate]) -> tuple[int, ...]:
    """Everyone who can take it and is on call; when nobody is on call, everyone who can take it."""
    able = [c for c in candidates if can_take(c)]
    on_call = [c for c in able if c.on_call]
    return tuple(sorted(c.user_id for c in (on_call or able)))


def widens_at(need: Need, settings: OfferSettings) -> datetime:
    """When an unclaimed request is offered to the whole site."""
    return need.created_at + settings.widen_after


def plan_offer(need: Need, candidates: Sequence[Candidate], settings: OfferSettings, now: datetime) -> OfferPlan:
    """The offer in force at ``now`` for a request nobody has claimed yet.

    Widened when its time has come, or at once when the first group would be empty (nobody is left out
    because a grid has no volunteer).
    """
    widen = widens_at(need, settings)
    if now < widen:
        group, reason = first_offer(need, candidates, settings)
        if group:
            return OfferPlan("near", group, reason, widen)
    return site_offer(candidates)


def site_offer(candidates: Sequence[Candidate]) -> OfferPlan:
    """The widened offer: the whole site (:func:`whole_site`)."""
    return OfferPlan("site", whole_site(candidates), "全站志愿者", None)


def newly_told(before: Sequence[int], plan: OfferPlan) -> tuple[int, ...]:
    """Who ``plan`` offers the request to that ``before`` did not (they get the new notice)."""
    told = set(before)
    return tuple(user_id for user_id in plan.user_ids if user_id not in told)
