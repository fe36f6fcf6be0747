"""Silent-band rules. Pure: the band's facts, its wearer's schedule and the time are passed in.

A band paired with a resident should be worn during the resident's wearing hours (default 07:00-22:00
local). Three findings raise a ``band_silent`` alert, each once per episode:

- **silent**: not heard for ``silent_after`` (default 2 h) counted only in wearing hours;
- **battery**: at the drain seen since the last charge, the battery dies before the next charge time;
- **never worn**: heard, but not worn (no heart-rate or SpO2 reading) for a whole day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from caregiver_portal.health.rules import daytime_between
from caregiver_portal.safety.checkin_rules import at_minute, local_day

NEVER_WORN_AFTER = timedelta(days=1)
MIN_DRAIN_WINDOW = timedelta(hours=1)
"""The battery drain is only trusted over at least an hour …"""
MIN_DRAIN_POINTS = 3
"""… and a drop of at least this many percentage points."""


@dataclass(frozen=True)
class WearSchedule:
    """When a resident's band should be worn and charged (minutes after local midnight)."""

    start_min: int = 420
    end_min: int = 1320
    silent_after: timedelta = timedelta(hours=2)
    charge_at_min: int = 1260


@dataclass(frozen=True)
class BandFacts:
    """What is known of one band at sweep time."""

    last_heard_at: datetime | None
    """The latest of its readings and its bridges' status reports."""
    last_worn_at: datetime | None
    battery: int | None
    watched_since: datetime
    battery_ref: tuple[int, datetime] | None = None
    """The battery level the drain is measured from (set after the last charge) and when it was seen."""


@dataclass(frozen=True)
class BandFinding:
    """A reason to raise ``band_silent``; ``episode`` identifies it so it is raised once."""

    reason: str
    episode: str
    message: str


def wearing_time(start: datetime, end: datetime, schedule: WearSchedule, zone: ZoneInfo) -> timedelta:
    """How much of ``[start, end]`` falls in the wearing hours."""
    return daytime_between(start, end, day_start=_clock(schedule.start_min), day_end=_clock(schedule.end_min),
                           zone=zone, cap=schedule.silent_after + timedelta(days=1))


def _clock(minute: int) -> time:
    minute = max(0, min(minute, 24 * 60 - 1))
    return time(minute // 60, minute % 60)


def check_silent(facts: BandFacts, schedule: WearSchedule, zone: ZoneInfo, now: datetime) -> BandFinding | None:
    """Not heard for ``silent_after`` of wearing time (judged from supervision start if never heard)."""
    since = facts.last_heard_at or facts.watched_since
    if now - since < schedule.silent_after or wearing_time(since, now, schedule, zone) < schedule.silent_after:
        return None  # wearing time never exceeds the time that passed: most bands stop at the cheap test
    hours = schedule.silent_after.total_seconds() / 3600
    heard = f"最后收到 {facts.last_heard_at.astimezone(zone):%m-%d %H:%M}" if facts.last_heard_at else "从未收到"
    return BandFinding("silent", f"silent:{since.isoformat()}",
                       f"应佩戴时间内手环已 {hours:g} 小时没有信号（{heard}），请确认老人情况和手环")


def next_charge_at(now: datetime, schedule: WearSchedule, zone: ZoneInfo) -> datetime:
    """The next daily charge time after ``now``."""
    today = at_minute(local_day(now, zone), schedule.charge_at_min, zone)
    return today if today > now else today + timedelta(days=1)


def battery_dies_at(ref: tuple[int, datetime], battery: int, at: datetime) -> datetime | None:
    """When the battery reaches 0 at the drain from ``ref`` to (``battery``, ``at``); None if not measurable."""
    ref_percent, ref_at = ref
    window, drop = at - ref_at, ref_percent - battery
    if window < MIN_DRAIN_WINDOW or drop < MIN_DRAIN_POINTS:
        return None
    return at + window * (battery / drop)


def check_battery(facts: BandFacts, schedule: WearSchedule, zone: ZoneInfo, now: datetime) -> BandFinding | None:
    """The battery is forecast to die before the next charge time."""
    if facts.battery is None or facts.battery_ref is None or facts.last_heard_at is None:
        return None
    dies = battery_dies_at(facts.battery_ref, facts.battery, facts.last_heard_at)
    if dies is None:
        return None
    charge = next_charge_at(now, schedule, zone)
    if dies >= charge:
        return None
    return BandFinding("battery", f"battery:{facts.battery_ref[1].isoformat()}",
                       f"手环电量 {facts.battery}%，按目前耗电约 {dies.astimezone(zone):%H:%M} 耗尽，"
                       f"早于充电时间 {charge.astimezone(zone):%H:%M}，请提前充电")


def check_never_worn(facts: BandFacts, now: datetime) -> BandFinding | None:
    """Heard, but not worn for a whole day (since the latest wear, or since supervision began)."""
    worn = facts.last_worn_at or facts.watched_since
    if facts.last_heard_at is None or now - worn < NEVER_WORN_AFTER or facts.last_heard_at <= worn:
        return None
    return BandFinding("never_worn", f"never_worn:{worn.isoformat()}",
                       "手环一整天没有戴在手上（有信号但没有心率数据），请提醒老人佩戴")


def evaluate_band(facts: BandFacts, schedule: WearSchedule, zone: ZoneInfo, now: datetime) -> BandFinding | None:
    """The first finding of silent, battery, never worn — or None."""
    return (check_silent(facts, schedule, zone, now) or check_battery(facts, schedule, zone, now)
            or check_never_worn(facts, now))


def next_battery_ref(ref: tuple[int, datetime] | None, battery: int | None,
                     at: datetime | None) -> tuple[int, datetime] | None:
    """The drain reference after seeing ``battery`` at ``at``: kept while it falls, reset when it rose (charged)."""
    if battery is None or at is None:
        return ref
    if ref is None or battery > ref[0] or at < ref[1]:
        return (battery, at)
    return ref


def silence_already_raised(alerted: str, last_reading_at: datetime) -> bool:
    """Whether a ``silent`` episode among the raised ones (``BandWatch.alerted``) began at or after the band's
    last reading: that ``band_silent`` alert already covers this silence, so the older 4-hour ``inactivity``
    rule does not raise a second alert for the same quiet band."""
    for episode in alerted.split(";"):
        reason, _, since = episode.partition(":")
        if reason == "silent" and since and datetime.fromisoformat(since) >= last_reading_at:
            return True
    return False
