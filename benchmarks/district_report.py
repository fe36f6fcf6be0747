"""What benchmarks/district.py measured, read back from the database and written as Markdown."""

from __future__ import annotations

import os
import platform
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from caregiver_portal.alerts.models import Alert, AlertEvent
from caregiver_portal.core.db import create_db_engine
from caregiver_portal.health.models import Reading

LATE_S = 2.0
EMERGENCY_STEPS_S = (0, 60, 180)  # the default emergency ladder, then a repeat every 120 s
REPEAT_S = 120
LEVEL = re.compile(r"^第(\d+)级")


@dataclass
class Outcome:
    """Everything one phase measured."""

    load: Any
    sent: Any
    fleet: dict[str, Any]
    boards_ready: int
    start: float
    stored: int
    distinct: int
    alert_sites: dict[int, int]
    site_ids: list[int]
    late_steps: int
    steps: int
    steps_twice: int
    memory: list[dict[str, float]]
    portal_cpu_s: float
    generator_cpu_s: float
    nginx_errors: int


def stored_readings(database_url: str) -> tuple[int, int, dict[int, int]]:
    """Readings stored, distinct (band, time) pairs among them, and every alert's site."""
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as db:
            stored = db.scalar(select(func.count()).select_from(Reading)) or 0
            distinct = db.scalar(select(func.count()).select_from(
                select(Reading.wristband_id, Reading.measured_at).distinct().subquery())) or 0
            sites = dict(db.execute(select(Alert.id, Alert.site_id)).tuples().all())
    finally:
        engine.dispose()
    return stored, distinct, sites


def due_after(message: str, repeats_before: int) -> float | None:
    """Seconds after the press an "escalated" step was due: 第N级 -> the ladder's step, 再次 -> the next repeat."""
    if match := LEVEL.match(message):
        return float(EMERGENCY_STEPS_S[min(int(match.group(1)), len(EMERGENCY_STEPS_S)) - 1])
    if message.startswith("再次"):
        return float(EMERGENCY_STEPS_S[-1] + REPEAT_S * (repeats_before + 1))
    return None


def escalation_lateness(database_url: str) -> tuple[int, int, int]:
    """(steps fired more than 2 s after due, steps fired, ladder steps fired twice) over every SOS."""
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as db:
            rows = db.execute(select(AlertEvent.alert_id, AlertEvent.at, AlertEvent.message, Alert.occurred_at)
                              .join(Alert, Alert.id == AlertEvent.alert_id)
                              .where(AlertEvent.type == "escalated", Alert.kind == "sos")
                              .order_by(AlertEvent.id)).all()
    finally:
        engine.dispose()
    repeats: dict[int, int] = defaultdict(int)
    late = twice = 0
    levels: set[tuple[int, str]] = set()
    for alert_id, at, message, occurred in rows:
        if match := LEVEL.match(message):
            twice += (alert_id, match.group(1)) in levels
            levels.add((alert_id, match.group(1)))
        due = due_after(message, repeats[alert_id])
        if message.startswith("再次"):
            repeats[alert_id] += 1
        if due is not None and (_aware(at) - _aware(occurred) - timedelta(seconds=due)).total_seconds() > LATE_S:
            late += 1
    return late, len(rows), twice


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def pct(values: list[float], share: float) -> float:
    """The ``share`` quantile (nearest rank) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def latencies(outcome: Outcome) -> tuple[list[tuple[float, int, float]], int]:
    """(posted, site, ms) of every (alert, board of its site) pair, and how many pairs never arrived."""
    boards = outcome.fleet["boards"]
    pairs, missing = [], 0
    for alert_id, (site, posted) in outcome.sent.sos.items():
        for board_site, raised, _heard, _reconnects in boards:
            if board_site != site:
                continue
            if alert_id in raised:
                pairs.append((posted, site, 1000 * (raised[alert_id] - posted)))
            else:
                missing += 1
    return pairs, missing


def isolation_violations(outcome: Outcome) -> int:
    """Alerts a board heard that belong to another site."""
    return sum(1 for board_site, _raised, heard, _r in outcome.fleet["boards"] for alert_id in heard
               if outcome.alert_sites.get(alert_id) != outcome.site_ids[board_site])


def render(outcome: Outcome, phase: str, *, load_before: tuple[float, ...], load_after: tuple[float, ...]) -> str:
    """The Markdown section of one phase."""
    load, sent = outcome.load, outcome.sent
    pairs, missing = latencies(outcome)
    all_ms = [ms for _p, _s, ms in pairs]
    burst_from = outcome.start + load.burst_at_s
    kill_window = (sent.killed_at, sent.killed_at + 15) if sent.killed_at else (0.0, 0.0)
    others_burst = [ms for posted, site, ms in pairs if site != 0 and burst_from <= posted < burst_from + 60]
    others_quiet = [ms for posted, site, ms in pairs if site != 0 and not burst_from <= posted < burst_from + 60
                    and not kill_window[0] <= posted < kill_window[1]]
    after_kill = [ms for posted, _s, ms in pairs if kill_window[0] <= posted < kill_window[1]]
    reconnects = [r for *_rest, board_reconnects in outcome.fleet["boards"] for r in board_reconnects]
    pending = sent.readings - sent.delivered  # not answered 2xx yet: the device still holds them
    not_stored = sent.readings - outcome.distinct
    seconds = load.seconds
    memory = _memory_rows(outcome.memory)
    kill_line = ""
    if sent.killed_at:
        kill_line = (f"| one instance SIGKILLed at | {(sent.killed_at - outcome.start) / 60:.1f} min |\n"
                     f"| boards cut and back (a cut to the next \"ready\") | {len(reconnects)}: p50 "
                     f"{pct(reconnects, 0.5):.2f} s, p99 {pct(reconnects, 0.99):.2f} s, max "
                     f"{max(reconnects, default=float('nan')):.2f} s |\n"
                     f"| alert -> board, SOS posted in the 15 s after the kill | p50 {pct(after_kill, 0.5):.0f} ms, "
                     f"p99 {pct(after_kill, 0.99):.0f} ms over {len(after_kill)} |\n"
                     f"| requests re-sent by devices (502 / refused during the kill) | {sent.retries} |\n")
    return f"""
### District, {phase}: {load.instances} instances behind nginx, {load.sites} sites, {load.bands:,} bands, \
{load.boards:,} boards, {seconds / 60:g} min — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC

Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL on the same
machine; load average (1/5/15 min) {_load(load_before)} before, {_load(load_after)} after (the machine is shared).
Load: {load.bands:,} bands at one reading a minute ({load.bands / 60:.0f}/s, batched every 10 s by
{load.sites * load.bridges_per_site} bridges), {load.sos_per_s:g} SOS/s across the district plus {load.burst_sos}
SOS in one minute at site 1 (from {load.burst_at_s / 60:.1f} min), {outcome.boards_ready:,} of {load.boards:,}
boards connected through nginx (TLS) before the load began; nginx {load.nginx_workers} workers.

| measure | value |
| --- | --- |
| readings sent / stored (distinct) / duplicated | {sent.readings:,} / {outcome.distinct:,} / \
{outcome.stored - outcome.distinct:,} |
| readings not stored / still held by their bridge (lost: not stored and not held) | {not_stored:,} / \
{pending:,} ({max(0, not_stored - pending):,} lost) |
| SOS sent / failed for good | {len(sent.sos) + sent.sos_failed} / {sent.sos_failed} |
| alert -> board through nginx, every (alert, board of its site) | p50 {pct(all_ms, 0.5):.0f} ms, p99 \
{pct(all_ms, 0.99):.0f} ms, max {max(all_ms, default=float("nan")):.0f} ms over {len(all_ms):,} |
| (alert, board) pairs never delivered | {missing} |
| alerts of another site heard by a board | {isolation_violations(outcome)} |
| other sites during site 1's burst, p99 vs the rest | {pct(others_burst, 0.99):.0f} ms vs \
{pct(others_quiet, 0.99):.0f} ms ({pct(others_burst, 0.99) - pct(others_quiet, 0.99):+.0f} ms; goal <= +100 ms) |
| escalation steps fired more than 2 s late / ladder steps fired twice | {outcome.late_steps} of \
{outcome.steps} / {outcome.steps_twice} |
{kill_line}| CPU, 4 portal instances | {outcome.portal_cpu_s:.0f} s ({outcome.portal_cpu_s / seconds:.2f} cores) |
| CPU, load generator (devices / boards process) | {outcome.generator_cpu_s:.0f} s / \
{outcome.fleet["cpu_s"]:.0f} s ({(outcome.generator_cpu_s + outcome.fleet["cpu_s"]) / seconds:.2f} cores) |
{_cards(outcome.fleet)}| nginx error-log lines | {outcome.nginx_errors} |

Memory (MB; portal and nginx RSS, PostgreSQL PSS of all its processes):

{memory}
"""


def _cards(fleet: dict[str, Any]) -> str:
    """The card-fetch row, when the boards fetched cards."""
    cards = fleet.get("cards") or []
    if not cards and not fleet.get("card_errors"):
        return ""
    ms = [1000 * seconds for seconds in cards]
    return (f"| event -> card fetched by the board (as board.js) | p50 {pct(ms, 0.5):.0f} ms, p99 {pct(ms, 0.99):.0f} "
            f"ms over {len(ms):,}; {fleet.get('card_errors', 0)} failed |\n")


def _load(values: tuple[float, ...]) -> str:
    return " / ".join(f"{v:.1f}" for v in values[:3])


def _memory_rows(samples: list[dict[str, float]]) -> str:
    if not samples:
        return "(no samples)"
    keys = [key for key in samples[0] if key != "t"]
    step = max(1, len(samples) // 8)
    chosen = samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else [])
    head = "| min | " + " | ".join(keys) + " |\n| " + " | ".join(["---"] * (len(keys) + 1)) + " |\n"
    return head + "\n".join(f"| {row['t'] / 60:.1f} | " + " | ".join(f"{row.get(k, 0):.0f}" for k in keys) + " |"
                            for row in chosen)

