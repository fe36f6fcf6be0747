"""Health and device rules: pure functions over readings, thresholds and ``now``.

A rule returns a :class:`Finding` whose ``since`` marks the start of the episode (the first
out-of-range reading of the run, the last reading before a silence). The service raises an
alert for a new episode and ignores the same episode seen again, so a rule can be checked
on every batch and every tick without flooding the board.

"Sustained" means: consecutive out-of-range readings of one kind, no two further apart
than ``max_gap``, spanning at least the sustain time (boundaries included).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Thresholds:
    """Limits of the rules; per-resident overrides replace single fields."""

    heart_rate_high: float = 120.0  # bpm, alert when above
    heart_rate_low: float = 45.0  # bpm, alert when below
    heart_rate_sustain: timedelta = timedelta(minutes=2)
    spo2_low: float = 90.0  # percent, alert when below
    spo2_sustain: timedelta = timedelta(minutes=1)
    temperature_high: float = 38.0  # °C, alert at or above
    inactivity: timedelta = timedelta(hours=4)  # daytime hours without any reading
    day_start: time = time(7, 0)
    day_end: time = time(22, 0)
    battery_low: float = 20.0  # percent, alert when below
    max_gap: timedelta = timedelta(seconds=90)  # a longer gap between readings breaks a run
    bridge_silence: timedelta = timedelta(minutes=5)

    def with_overrides(self, overrides: dict[str, Any]) -> Thresholds:
        """A copy with the non-None ``overrides`` applied (``*_s`` fields given in seconds)."""
        changes: dict[str, Any] = {}
        for name, value in overrides.items():
            if value is None:
                continue
            if name.endswith("_s"):
                changes[name.removesuffix("_s")] = timedelta(seconds=float(value))
            else:
                changes[name] = value
        return replace(self, **changes)


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Sample:
    """One reading as the rules see it."""

    kind: str
    value: float
    at: datetime


@dataclass(frozen=True)
class Finding:
    """Something a rule found: the alert kind, the rule, when the episode began, and a description."""

    kind: str
    """Alert kind: "health", "inactivity" or "device"."""
    rule: str
    since: datetime
    message: str
    """Human text; may contain health values (sensitive: shown in the portal, not in bots by default)."""
    value: float | None = None
    until: datetime | None = None
    """The last reading of the run (None for silence rules)."""


@dataclass(frozen=True)
class Run:
    """Consecutive out-of-range samples."""

    start: datetime
    end: datetime
    worst: float


def runs(samples: Iterable[Sample], outside: Callable[[float], bool], max_gap: timedelta,
         worst: Callable[[float, float], float]) -> list[Run]:
    """Maximal runs of samples with ``outside(value)``, oldest first (samples sorted by time)."""
    found: list[Run] = []
    current: Run | None = None
    previous_at: datetime | None = None
    for sample in samples:
        gap_ok = previous_at is not None and sample.at - previous_at <= max_gap
        if outside(sample.value):
            if current is not None and gap_ok:
                current = Run(current.start, sample.at, worst(current.worst, sample.value))
            else:
                if current is not None:
                    found.append(current)
                current = Run(sample.at, sample.at, sample.value)
        elif current is not None:
            found.append(current)
            current = None
        previous_at = sample.at
    if current is not None:
        found.append(current)
    return found


def _latest_sustained(samples: Sequence[Sample], outside: Callable[[float], bool], sustain: timedelta,
                      max_gap: timedelta, worst: Callable[[float, float], float]) -> Run | None:
    qualifying = [run for run in runs(samples, outside, max_gap, worst) if run.end - run.start >= sustain]
    return qualifying[-1] if qualifying else None


def _minutes(span: timedelta) -> str:
    return f"{span.total_seconds() / 60:g} 分钟"


def check_heart_rate(samples: Sequence[Sample], t: Thresholds) -> list[Finding]:
    """Heart rate above the high limit or below the low limit, each sustained."""
    findings = []
    high = _latest_sustained(samples, lambda v: v > t.heart_rate_high, t.heart_rate_sustain, t.max_gap, max)
    if high is not None:
        findings.append(Finding("health", "heart_rate_high", high.start,
                                f"心率持续偏高：最高 {high.worst:g} 次/分（>{t.heart_rate_high:g}，"
                                f"≥{_minutes(t.heart_rate_sustain)}）", high.worst, high.end))
    low = _latest_sustained(samples, lambda v: v < t.heart_rate_low, t.heart_rate_sustain, t.max_gap, min)
    if low is not None:
        findings.append(Finding("health", "heart_rate_low", low.start,
                                f"心率持续偏低：最低 {low.worst:g} 次/分（<{t.heart_rate_low:g}，"
                                f"≥{_minutes(t.heart_rate_sustain)}）", low.worst, low.end))
    return findings


def check_spo2(samples: Sequence[Sample], t: Thresholds) -> Finding | None:
    """Blood oxygen below the limit, sustained."""
    low = _latest_sustained(samples, lambda v: v < t.spo2_low, t.spo2_sustain, t.max_gap, min)
    if low is None:
        return None
    return Finding("health", "spo2_low", low.start,
                   f"血氧持续偏低：最低 {low.worst:g}%（<{t.spo2_low:g}%，≥{_minutes(t.spo2_sustain)}）", low.worst,
                   low.end)


def check_temperature(samples: Sequence[Sample], t: Thresholds) -> Finding | None:
    """Body temperature at or above the limit (one reading is enough)."""
    fever = _latest_sustained(samples, lambda v: v >= t.temperature_high, timedelta(0), t.max_gap, max)
    if fever is None:
        return None
    message = f"体温偏高：{fever.worst:g}°C（≥{t.temperature_high:g}°C）"
    return Finding("health", "temperature_high", fever.start, message, fever.worst, fever.end)


def check_battery(samples: Sequence[Sample], t: Thresholds) -> Finding | None:
    """Wristband battery below the limit (the run ends when it is charged)."""
    low = _latest_sustained(samples, lambda v: v < t.battery_low, timedelta(0), timedelta.max, min)
    if low is None or samples[-1].value >= t.battery_low:
        return None
    return Finding("device", "battery_low", low.start, f"手环电量低：{low.worst:g}%（<{t.battery_low:g}%），请帮忙充电",
                   low.worst, low.end)


def out_of_range(kind: str, value: float, t: Thresholds) -> bool:
    """True when one reading of ``kind`` breaks its limit (a rule can only fire on such readings)."""
    match kind:
        case "heart_rate":
            return value > t.heart_rate_high or value < t.heart_rate_low
        case "spo2":
            return value < t.spo2_low
        case "temperature":
            return value >= t.temperature_high
        case "battery":
            return value < t.battery_low
    return False


def evaluate_readings(samples: Sequence[Sample], t: Thresholds) -> list[Finding]:
    """Every reading rule over one wristband's samples (any order, any kinds)."""
    by_kind: dict[str, list[Sample]] = {}
    for sample in sorted(samples, key=lambda s: s.at):
        by_kind.setdefault(sample.kind, []).append(sample)
    findings = check_heart_rate(by_kind.get("heart_rate", []), t)
    for check, kind in ((check_spo2, "spo2"), (check_temperature, "temperature"), (check_battery, "battery")):
        finding = check(by_kind.get(kind, []), t)
        if finding is not None:
            findings.append(finding)
    return findings


def daytime_between(start: datetime, end: datetime, *, day_start: time, day_end: time, zone: ZoneInfo,
                    cap: timedelta = timedelta(days=2)) -> timedelta:
    """How much of ``[start, end]`` falls between ``day_start`` and ``day_end`` local time (up to ``cap``)."""
    total = timedelta(0)
    if end <= start:
        return total
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = local_start.date()
    while day <= local_end.date() and total < cap:
        window_start = datetime.combine(day, day_start, zone)
        window_end = datetime.combine(day, day_end, zone)
        low, high = max(window_start, local_start), min(window_end, local_end)
        if high > low:
            total += high - low
        day += timedelta(days=1)
    return min(total, cap)


def check_inactivity(last_reading_at: datetime, t: Thresholds, now: datetime, zone: ZoneInfo) -> Finding | None:
    """No reading for ``t.inactivity`` of daytime (07:00-22:00 local by default): band not worn, or worse."""
    quiet = daytime_between(last_reading_at, now, day_start=t.day_start, day_end=t.day_end, zone=zone,
                            cap=t.inactivity + timedelta(days=1))
    if quiet < t.inactivity:
        return None
    return Finding("inactivity", "inactivity", last_reading_at,
                   f"白天已 {_minutes(t.inactivity)} 没有收到手环数据（最后一次 "
                   f"{last_reading_at.astimezone(zone):%m-%d %H:%M}），请确认老人情况和手环佩戴")


def check_bridge_silence(last_seen_at: datetime, now: datetime, t: Thresholds = DEFAULT_THRESHOLDS,
                         name: str = "网关") -> Finding | None:
    """A bridge that has not called the portal for ``t.bridge_silence``."""
    if now - last_seen_at < t.bridge_silence:
        return None
    minutes = int((now - last_seen_at).total_seconds() // 60)
    return Finding("device", "bridge_silent", last_seen_at,
                   f"{name} 已 {minutes} 分钟没有联系门户，手环数据和报警可能无法送达")
