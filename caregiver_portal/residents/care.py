"""Who needs more care: the five grades of GB/T 42195-2022 (老年人能力评估规范) and living alone. Pure.

A resident's ``care_level`` is the grade's index (0 能力完好 … 4 能力完全丧失) or None (not assessed,
treated like 能力完好). A higher grade means shorter escalation steps (:func:`escalation_factor`), an
earlier daily check-in deadline (:func:`checkin_advance`) and a place nearer the top of every roll call
(:func:`roll_call_key`, :func:`roll_call_order`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Protocol, TypeVar

CARE_LEVELS: tuple[str, ...] = ("能力完好", "能力轻度受损", "能力中度受损", "能力重度受损", "能力完全丧失")
"""The grades of GB/T 42195-2022, mildest first; a resident's ``care_level`` is an index into this."""
NOT_ASSESSED = "未评估"

_FACTORS = (1.0, 1.0, 0.75, 0.5, 0.5)
_ADVANCES = (timedelta(0), timedelta(0), timedelta(minutes=30), timedelta(hours=1), timedelta(hours=1))


class CareSubject(Protocol):
    """What the care rules read of a resident (the ORM row, or anything shaped like it)."""

    @property
    def care_level(self) -> int | None: ...  # noqa: D102

    @property
    def lives_alone(self) -> bool: ...  # noqa: D102

    @property
    def name(self) -> str: ...  # noqa: D102

    @property
    def id(self) -> int: ...  # noqa: D102


Subject = TypeVar("Subject", bound=CareSubject)


def level_label(level: int | None) -> str:
    """The grade's name, or 未评估."""
    return CARE_LEVELS[level] if level is not None and 0 <= level < len(CARE_LEVELS) else NOT_ASSESSED


def valid_level(level: int | None) -> bool:
    """True for None or an index of :data:`CARE_LEVELS`."""
    return level is None or 0 <= level < len(CARE_LEVELS)


def escalation_factor(level: int | None) -> float:
    """How much shorter escalation steps are for this grade (1.0: as configured; 0.5: half the wait)."""
    return _FACTORS[level] if level is not None and valid_level(level) else 1.0


def checkin_advance(level: int | None) -> timedelta:
    """How much earlier than the plan's deadline this grade's daily check-in is due."""
    return _ADVANCES[level] if level is not None and valid_level(level) else timedelta(0)


def roll_call_key(resident: CareSubject) -> tuple[int, int, str, int]:
    """Sort key for roll calls and check-in lists: highest grade first, then living alone, then by name."""
    level = resident.care_level if resident.care_level is not None and valid_level(resident.care_level) else -1
    return (-level, 0 if resident.lives_alone else 1, resident.name, resident.id)


def roll_call_order(residents: Iterable[Subject]) -> Sequence[Subject]:
    """``residents`` in roll-call order (:func:`roll_call_key`): who needs the most care first."""
    return sorted(residents, key=roll_call_key)
