"""Health trend charts drawn on the server: readings bucketed into a line of averages with each bucket's lowest
and highest reading drawn as a bar (so a short episode, one 149 bpm reading among 70s, stays visible), alerts
marked, all as plain numbers a template turns into SVG (no JavaScript, no user text in markup)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Integer, cast, func, select
from sqlalchemy.orm import Session

from caregiver_portal.alerts.models import KIND_LABELS, Alert
from caregiver_portal.core.clock import CHINA_TIME
from caregiver_portal.health.models import Reading

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 58, 12, 14, 30
WINDOWS = {"24h": (timedelta(hours=24), timedelta(minutes=15)), "7d": (timedelta(days=7), timedelta(hours=1))}


@dataclass(frozen=True)
class KindSpec:
    """How one reading kind is shown: label, unit, normal band and the y range it always covers."""

    label: str
    unit: str
    normal: tuple[float, float] | None
    y_range: tuple[float, float]
    decimals: int


KINDS = {
    "heart_rate": KindSpec("心率", "次/分", (50, 110), (40, 140), 0),
    "spo2": KindSpec("血氧", "%", (94, 100), (85, 100), 0),
    "temperature": KindSpec("体温", "°C", (36.0, 37.3), (35.0, 39.0), 1),
    "battery": KindSpec("手环电量", "%", None, (0, 100), 0),
}


@dataclass(frozen=True)
class Bucket:
    """The readings of one time bucket: their average, lowest and highest value."""

    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class Summary:
    """Plain-text figures shown under a chart (colour is never the only cue)."""

    count: int
    minimum: float
    maximum: float
    average: float
    latest: float
    latest_at: datetime


@dataclass(frozen=True)
class Chart:
    """Everything a template needs to draw one chart."""

    kind: str
    title: str
    unit: str
    width: int
    height: int
    segments: tuple[str, ...]
    """SVG polyline ``points`` strings; a gap in the data starts a new segment."""
    dots: tuple[tuple[float, float], ...]
    """Lone bucket averages (a segment of one point) drawn as dots."""
    ranges: tuple[tuple[float, float, float], ...]
    """(x, y of the highest, y of the lowest reading) of each bucket whose readings differ: the min-max bars."""
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    normal_band: tuple[float, float] | None
    """(top y, height) of the shaded normal range."""
    alert_marks: tuple[tuple[float, str], ...]
    """(x, label) of alerts inside the window."""
    plot: tuple[float, float, float, float]
    """(left, top, right, bottom) of the plotting area."""
    summary: Summary | None


def bucket_values(samples: Iterable[tuple[datetime, float]], start: datetime, step: timedelta) -> dict[int, Bucket]:
    """Average, lowest and highest sample in each ``step``-long bucket after ``start`` (bucket index -> bucket)."""
    values: dict[int, list[float]] = defaultdict(list)
    for at, value in samples:
        index = int((at - start) / step)
        if index >= 0:
            values[index].append(value)
    return {index: Bucket(sum(found) / len(found), min(found), max(found)) for index, found in values.items()}


def summarize(samples: Sequence[tuple[datetime, float]]) -> Summary | None:
    """Count, minimum, maximum, average and latest of raw samples (None when there are none)."""
    if not samples:
        return None
    values = [v for _, v in samples]
    latest_at, latest = max(samples, key=lambda s: s[0])
    return Summary(len(values), min(values), max(values), sum(values) / len(values), latest, latest_at)


def _x_ticks(start: datetime, end: datetime, x_of: Callable[[datetime], float]) -> tuple[tuple[float, str], ...]:
    local_start = start.astimezone(CHINA_TIME)
    if end - start <= timedelta(days=1):
        first = local_start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        step, fmt = timedelta(hours=4), "%H:00"
        first += timedelta(hours=(-first.hour) % 4)
    else:
        first = local_start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        step, fmt = timedelta(days=1), "%m-%d"
    ticks, at = [], first
    while at <= end:
        ticks.append((round(x_of(at), 1), at.strftime(fmt)))
        at += step
    return tuple(ticks)


def build_chart(kind: str, buckets: dict[int, Bucket], summary: Summary | None,
                alerts: Sequence[tuple[datetime, str]], *, start: datetime, end: datetime, step: timedelta) -> Chart:
    """Lay out one kind's buckets (index -> bucket, ``step`` apart from ``start``) up to ``end``: the averages as a
    line, each bucket's lowest to highest reading as a bar; the range always covers the extremes."""
    spec = KINDS[kind]
    low = min([spec.y_range[0], *(bucket.low for bucket in buckets.values())])
    high = max([spec.y_range[1], *(bucket.high for bucket in buckets.values())])
    left, top, right, bottom = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM
    span = (end - start).total_seconds()

    def x_of(at: datetime) -> float:
        return left + (right - left) * (at - start).total_seconds() / span

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * (value - low) / (high - low or 1)

    segments: list[list[tuple[float, float]]] = [[]]
    ranges: list[tuple[float, float, float]] = []
    for index in range(max(1, math.ceil((end - start) / step))):
        bucket = buckets.get(index)
        if bucket is None:
            if segments[-1]:
                segments.append([])
            continue
        x = round(x_of(min(end, start + step * index + step / 2)), 1)
        segments[-1].append((x, round(y_of(bucket.mean), 1)))
        if bucket.high > bucket.low:
            ranges.append((x, round(y_of(bucket.high), 1), round(y_of(bucket.low), 1)))
    lines = tuple(" ".join(f"{x},{y}" for x, y in seg) for seg in segments if len(seg) > 1)
    dots = tuple(seg[0] for seg in segments if len(seg) == 1)
    y_ticks = tuple((round(y_of(v), 1), f"{v:.{spec.decimals}f}") for v in _nice_ticks(low, high))
    band = None
    if spec.normal is not None:
        band_top, band_bottom = y_of(min(spec.normal[1], high)), y_of(max(spec.normal[0], low))
        band = (round(band_top, 1), round(band_bottom - band_top, 1))
    marks = tuple((round(x_of(at), 1), label) for at, label in alerts if start <= at <= end)
    return Chart(kind=kind, title=spec.label, unit=spec.unit, width=WIDTH, height=HEIGHT, segments=lines, dots=dots,
                 ranges=tuple(ranges), x_ticks=_x_ticks(start, end, x_of), y_ticks=y_ticks, normal_band=band,
                 alert_marks=marks, plot=(left, top, right, bottom), summary=summary)


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    raw = (high - low) / (count - 1)
    step = next(s for s in (0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, float("inf")) if s >= raw)
    first = (low // step + (1 if low % step else 0)) * step
    ticks, value = [], first
    while value <= high + 1e-9:
        ticks.append(value)
        value += step
    return ticks


def _seconds_since(session: Session, start: datetime) -> ColumnElement[float] | ColumnElement[int]:
    """Seconds from ``start`` to each reading, computed by the database (SQLite stores naive UTC text)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", Reading.measured_at) - start.timestamp()
    return cast(func.strftime("%s", Reading.measured_at), Integer) - int(start.timestamp())


def _kind_series(session: Session, resident_id: int, start: datetime, end: datetime,
                 step: timedelta) -> dict[str, tuple[dict[int, Bucket], Summary | None]]:
    """Per kind: buckets (average, lowest, highest) and a summary, aggregated in the database (raw rows can be
    ~30,000 a day)."""
    window = (Reading.resident_id == resident_id, Reading.measured_at >= start, Reading.measured_at <= end)
    bucket = func.floor(_seconds_since(session, start) / step.total_seconds())
    rows = session.execute(select(Reading.kind, bucket, func.avg(Reading.value), func.count(),
                                  func.min(Reading.value), func.max(Reading.value))
                           .where(*window).group_by(Reading.kind, bucket))
    buckets: dict[str, dict[int, Bucket]] = defaultdict(dict)
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, math.inf, -math.inf])
    for kind, index, mean, count, low, high in rows:
        buckets[kind][int(index)] = Bucket(float(mean), float(low), float(high))
        total = totals[kind]
        total[0] += count
        total[1] += float(mean) * count
        total[2], total[3] = min(total[2], low), max(total[3], high)
    series: dict[str, tuple[dict[int, Bucket], Summary | None]] = {}
    for kind in KINDS:
        summary = None
        if kind in totals:
            count, weighted, low, high = totals[kind]
            latest = session.execute(select(Reading.measured_at, Reading.value)
                                     .where(*window, Reading.kind == kind)
                                     .order_by(Reading.measured_at.desc()).limit(1)).one()
            summary = Summary(int(count), low, high, weighted / count, latest.value, latest.measured_at)
        series[kind] = (buckets.get(kind, {}), summary)
    return series


def resident_charts(session: Session, *, resident_id: int, window: str, now: datetime) -> list[Chart]:
    """One chart per reading kind over ``window`` ("24h" or "7d"): the readings taken while the resident wore
    a band (a band given to someone else since keeps its history here)."""
    length, step = WINDOWS[window]
    start = now - length
    series = _kind_series(session, resident_id, start, now, step)
    alerts = [(a.occurred_at, KIND_LABELS.get(a.kind, a.kind)) for a in session.scalars(
        select(Alert).where(Alert.resident_id == resident_id, Alert.occurred_at >= start, Alert.occurred_at <= now))]
    return [build_chart(kind, *series[kind], alerts, start=start, end=now, step=step) for kind in KINDS]
