"""What an import does with each row, and with the whole sheet: shared by the residents' and the
volunteers' rules (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from caregiver_portal.core.sheets import Row, Table, duplicates
from caregiver_portal.imports.fields import CellError

RowT = TypeVar("RowT")
ACTIONS = ("create", "update", "unchanged", "error")
ACTION_LABELS = {"create": "新建", "update": "更新", "unchanged": "不变", "error": "有错误"}


@dataclass(frozen=True)
class Outcome(Generic[RowT]):
    """What the import does with one row."""

    number: int
    """The row's number as Excel shows it."""
    action: str
    """One of :data:`ACTIONS`."""
    name: str = ""
    messages: tuple[str, ...] = ()
    """Why the row is refused, or what to notice about it (a consent withdrawn)."""
    changes: tuple[str, ...] = ()
    """The columns an update changes."""
    row: RowT | None = None
    target_id: int | None = None
    """The stored resident or user the row updates."""


@dataclass(frozen=True)
class Plan(Generic[RowT]):
    """Every row's outcome and what the whole import would do."""

    outcomes: tuple[Outcome[RowT], ...]
    new_grids: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    missing_columns: tuple[str, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no row is refused: only then may it be carried out."""
        return not self.counts.get("error")


def count(outcomes: Iterable[Outcome[RowT]]) -> dict[str, int]:
    """How many rows of each action."""
    actions = [outcome.action for outcome in outcomes]
    return {action: actions.count(action) for action in ACTIONS}


def repeats(table: Table, checks: Sequence[tuple[str, Callable[[Row], str]]]) -> dict[int, list[str]]:
    """For each row, what it repeats from other rows: ``checks`` are (label, value of a row) pairs."""
    found: dict[int, list[str]] = {}
    for label, value_of in checks:
        for value, numbers in duplicates((row.number, value_of(row)) for row in table.rows).items():
            for number in numbers:
                found.setdefault(number, []).append(f"{label}{value} 在第 {'、'.join(map(str, numbers))} 行重复")
    return found


def read_rows(table: Table, read: Callable[[Row], RowT], *, name_column: str,
              repeated: Mapping[int, Sequence[str]]) -> tuple[list[RowT], list[Outcome[RowT]]]:
    """Rows read with ``read``, and a refusal for each row that cannot be read or repeats another."""
    rows: list[RowT] = []
    refused: list[Outcome[RowT]] = []
    for row in table.rows:
        try:
            parsed = read(row)
        except CellError as exc:
            messages = (*str(exc).split("；"), *repeated.get(row.number, ()))
            refused.append(Outcome(row.number, "error", name=row.text(name_column), messages=messages))
            continue
        if row.number in repeated:
            refused.append(Outcome(row.number, "error", name=row.text(name_column),
                                   messages=tuple(repeated[row.number]), row=parsed))
        else:
            rows.append(parsed)
    return rows, refused
