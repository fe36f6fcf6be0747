"""Accepted is not helped: how long emergencies took to be accepted, reached (已到达) and resolved, each as
the share within its target and the median. Times count from the press (``occurred_at``)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.alerts.models import Alert

STAGE_TARGETS_S = {"accept": 60, "arrive": 15 * 60, "resolve": 60 * 60}
"""Targets: accepted within 60 s (TEC), someone there within 15 min, resolved within an hour."""
STAGE_LABELS = {"accept": "接单", "arrive": "到达", "resolve": "处理完毕"}


@dataclass(frozen=True)
class Stage:
    """One stage of the response over a month's emergencies."""

    name: str
    target_s: int
    count: int
    """Emergencies counted (cancelled ones are left out)."""
    within: float | None
    """Share (0–1) of them that reached this stage within the target; None without emergencies."""
    median_s: float | None
    """Median time to this stage among those that reached it."""


def stage(name: str, durations: Sequence[float | None]) -> Stage:
    """The stage ``name`` over one duration per emergency (None: the stage was never reached)."""
    target = STAGE_TARGETS_S[name]
    reached = [d for d in durations if d is not None]
    within = sum(1 for d in reached if d <= target) / len(durations) if durations else None
    return Stage(name, target, len(durations), within, statistics.median(reached) if reached else None)


def response_stages(rows: Sequence[tuple[datetime, datetime | None, datetime | None, datetime | None]]
                    ) -> tuple[Stage, ...]:
    """Accept, arrive and resolve stages over (start, accepted, arrived, resolved) rows."""
    def since(start: datetime, moment: datetime | None) -> float | None:
        return (moment - start).total_seconds() if moment is not None else None

    return tuple(stage(name, [since(row[0], row[index]) for row in rows])
                 for index, name in ((1, "accept"), (2, "arrive"), (3, "resolve")))


def emergency_stages(session: Session, *, site_id: int | None, start: datetime, end: datetime) -> tuple[Stage, ...]:
    """The stages of the emergencies that happened in ``[start, end)`` (cancelled ones left out)."""
    query = (select(Alert.occurred_at, Alert.accepted_at, Alert.arrived_at, Alert.resolved_at)
             .where(Alert.emergency.is_(True), Alert.state != "cancelled", Alert.occurred_at >= start,
                    Alert.occurred_at < end))
    if site_id is not None:
        query = query.where(Alert.site_id == site_id)
    return response_stages([(occurred, accepted, arrived, resolved)
                            for occurred, accepted, arrived, resolved in session.execute(query)])


def stage_rows(stages: Sequence[Stage]) -> list[tuple[str, str]]:
    """The stages as (指标, 数值) rows of the monthly report."""
    rows: list[tuple[str, str]] = []
    for item in stages:
        label, target = STAGE_LABELS[item.name], _duration(item.target_s)
        rows.append((f"紧急呼叫{target}内{label}比例", "" if item.within is None else f"{item.within * 100:.1f}%"))
        rows.append((f"紧急呼叫{label}时间中位数", "" if item.median_s is None else _duration(item.median_s)))
    return rows


def _duration(seconds: float) -> str:
    return f" {seconds:.0f} 秒" if seconds < 120 else f" {seconds / 60:.1f} 分钟".replace(".0 ", " ")
