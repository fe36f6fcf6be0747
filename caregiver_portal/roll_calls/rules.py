"""Roll-call rules. Pure: time is passed in, nothing is read from the database or the clock.

- **Answers.** 需要帮助 (``help``) wins over 平安 (``safe``), which wins over no answer
  (``waiting``): a resident who said they are fine and then presses SOS needs help. Only a
  person on the spot (a volunteer's visit or a phone call) may turn 需要帮助 back into 平安.
- **The live list** has three sections, most urgent first: 需要帮助, 没有回应, 平安. Inside a
  section, residents keep the care order (``position``: the highest care level first, then
  living alone, then by name; :func:`caregiver_portal.residents.care.roll_call_key`).
- **Escalation.** At ``escalate_at`` every resident still waiting raises an alert, once.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

REASONS = {"heatwave": "高温", "typhoon": "台风", "power_cut": "停电", "other": "其他"}
STATE_LABELS = {"help": "需要帮助", "waiting": "没有回应", "safe": "平安"}
SECTION_ORDER = ("help", "waiting", "safe")
SOURCE_LABELS = {"band": "手环", "kiosk": "自助机", "visit": "上门", "phone": "电话", "checkin": "平安打卡"}
ON_THE_SPOT = frozenset({"visit", "phone"})
DEFAULT_ESCALATE_AFTER = timedelta(minutes=30)
ESCALATE_AFTER_CHOICES = (10, 20, 30, 60, 120)
"""Minutes the start form offers before unanswered residents escalate."""
_RANK = {"waiting": 0, "safe": 1, "help": 2}


def next_state(current: str, answer: str, source: str) -> str | None:
    """The entry's state after ``answer`` from ``source``, or None when the answer changes nothing."""
    if answer not in _RANK or answer == "waiting" or answer == current:
        return None
    if _RANK[answer] > _RANK[current] or source in ON_THE_SPOT:
        return answer
    return None


def escalation_due(*, escalate_at: datetime, escalated_at: datetime | None, closed_at: datetime | None,
                   now: datetime) -> bool:
    """True when an open, not yet escalated roll call has reached its escalation time."""
    return closed_at is None and escalated_at is None and now >= escalate_at


@dataclass(frozen=True)
class Row:
    """One resident on the live list."""

    entry_id: int
    name: str
    room: str
    state: str
    answered_at: datetime | None = None
    source: str = ""
    phones: tuple[tuple[str, str], ...] = ()
    """(whom, number): the resident's own phone, then emergency contacts, for one-tap tel: links."""
    position: int = 0
    """Place in the care order (lower first within a section)."""
    alert_id: int | None = None


@dataclass(frozen=True)
class Section:
    """One section of the live list."""

    state: str
    label: str
    rows: tuple[Row, ...]


def sections(rows: Sequence[Row]) -> tuple[Section, ...]:
    """The live list: 需要帮助, 没有回应, 平安, each in the care order."""
    return tuple(Section(state, STATE_LABELS[state],
                         tuple(sorted((r for r in rows if r.state == state), key=lambda r: r.position)))
                 for state in SECTION_ORDER)


@dataclass(frozen=True)
class Summary:
    """The figures of a roll call (live and in its report)."""

    total: int
    safe: int
    help: int
    waiting: int
    by_source: dict[str, int]
    median_answer_s: float | None
    """Median seconds from the start to an answer."""

    @property
    def answered_share(self) -> float | None:
        """Share of residents who answered (safe or help)."""
        return (self.safe + self.help) / self.total if self.total else None


def summarise(rows: Sequence[Row], *, started_at: datetime) -> Summary:
    """Counts per state and source, and the median time to answer."""
    waits = [(r.answered_at - started_at).total_seconds() for r in rows if r.answered_at is not None]
    by_source: dict[str, int] = {}
    for row in rows:
        if row.source:
            by_source[row.source] = by_source.get(row.source, 0) + 1
    count = {state: sum(1 for r in rows if r.state == state) for state in SECTION_ORDER}
    return Summary(total=len(rows), safe=count["safe"], help=count["help"], waiting=count["waiting"],
                   by_source=by_source, median_answer_s=statistics.median(waits) if waits else None)
