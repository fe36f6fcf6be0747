"""The monthly summary of residents' reports by category (pure: rows in, table out)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from caregiver_portal.feedback.models import CATEGORIES


@dataclass(frozen=True)
class CategoryMonth:
    """One category's line of the monthly report."""

    category: str
    label: str
    reported: int
    closed: int
    open: int
    median_days: float | None
    """Median days from report to reply of the closed ones; None when none closed."""
    longest_days: float | None


def month_summary(rows: Iterable[tuple[str, datetime, datetime | None]]) -> list[CategoryMonth]:
    """(category, reported at, closed at) rows as one line per category that had any, in the categories' order."""
    days: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    for category, created, closed in rows:
        counts[category] = counts.get(category, 0) + 1
        if closed is not None:
            days.setdefault(category, []).append((closed - created).total_seconds() / 86400)
    lines = []
    for category in [*CATEGORIES, *sorted(set(counts) - set(CATEGORIES))]:
        if category not in counts:
            continue
        closed_days = days.get(category, [])
        lines.append(CategoryMonth(
            category=category, label=CATEGORIES.get(category, category), reported=counts[category],
            closed=len(closed_days), open=counts[category] - len(closed_days),
            median_days=round(median(closed_days), 1) if closed_days else None,
            longest_days=round(max(closed_days), 1) if closed_days else None))
    return lines
