"""Every health rule at its boundary: pure functions over readings, thresholds and ``now``."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from caregiver_portal.health.rules import (
    DEFAULT_THRESHOLDS,
    Sample,
    Thresholds,
    check_battery,
    check_bridge_silence,
    check_heart_rate,
    check_inactivity,
    check_spo2,
    check_temperature,
    daytime_between,
    evaluate_readings,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai


def series(kind: str, value: float, seconds: float, every: float = 10.0, start: float = 0.0) -> list[Sample]:
    """Readings of ``value`` every ``every`` s from ``start`` to ``start + seconds`` inclusive."""
    count = int(seconds // every)
    return [Sample(kind, value, T0 + timedelta(seconds=start + i * every)) for i in range(count + 1)]


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("value", "seconds", "rule"), [
    pytest.param(121, 120, "heart_rate_high", id="above-120-for-2-min"),
    pytest.param(120.5, 120, "heart_rate_high", id="just-above-120"),
    pytest.param(120, 300, None, id="exactly-120-is-normal"),
    pytest.param(121, 110, None, id="above-120-for-110-s"),
    pytest.param(44.9, 120, "heart_rate_low", id="below-45-for-2-min"),
    pytest.param(45, 300, None, id="exactly-45-is-normal"),
    pytest.param(40, 119, None, id="below-45-for-119-s"),
])
def test_heart_rate_sustained_two_minutes(value: float, seconds: float, rule: str | None) -> None:
    findings = check_heart_rate(series("heart_rate", value, seconds, every=1 if seconds % 10 else 10),
                                DEFAULT_THRESHOLDS)
    assert [f.rule for f in findings] == ([rule] if rule else [])
    if rule:
        assert findings[0].since == T0 and findings[0].kind == "health"


def test_heart_rate_run_breaks_at_a_gap_longer_than_90_s() -> None:
    samples = series("heart_rate", 130, 60) + series("heart_rate", 130, 60, start=151)
    assert check_heart_rate(samples, DEFAULT_THRESHOLDS) == []
    assert check_heart_rate(series("heart_rate", 130, 60) + series("heart_rate", 130, 60, start=150),
                            DEFAULT_THRESHOLDS) != []


def test_one_normal_reading_ends_a_run() -> None:
    samples = series("heart_rate", 130, 60) + [Sample("heart_rate", 80, T0 + timedelta(seconds=65))] + \
        series("heart_rate", 130, 60, start=70)
    assert check_heart_rate(samples, DEFAULT_THRESHOLDS) == []


@pytest.mark.parametrize(("value", "seconds", "fires"), [
    pytest.param(89.9, 60, True, id="below-90-for-1-min"),
    pytest.param(85, 59, False, id="below-90-for-59-s"),
    pytest.param(90, 300, False, id="exactly-90-is-normal"),
])
def test_spo2_below_90_sustained_one_minute(value: float, seconds: float, fires: bool) -> None:
    finding = check_spo2(series("spo2", value, seconds, every=1), DEFAULT_THRESHOLDS)
    assert (finding is not None) == fires


@pytest.mark.parametrize(("value", "fires"), [(38.0, True), (39.2, True), (37.99, False)])
def test_temperature_at_or_above_38(value: float, fires: bool) -> None:
    assert (check_temperature([Sample("temperature", value, T0)], DEFAULT_THRESHOLDS) is not None) == fires


@pytest.mark.parametrize(("values", "fires"), [
    pytest.param([25, 19], True, id="drops-below-20"),
    pytest.param([20], False, id="exactly-20"),
    pytest.param([15, 18, 60], False, id="charged-again"),
])
def test_battery_below_20(values: list[float], fires: bool) -> None:
    samples = [Sample("battery", v, T0 + timedelta(minutes=i)) for i, v in enumerate(values)]
    finding = check_battery(samples, DEFAULT_THRESHOLDS)
    assert (finding is not None) == fires
    if finding is not None:
        assert finding.kind == "device" and finding.rule == "battery_low"


@pytest.mark.parametrize(("last", "now", "fires"), [
    pytest.param(local(25, 10), local(25, 13, 59, 59), False, id="3h59m59s-of-daytime"),
    pytest.param(local(25, 10), local(25, 14), True, id="4h-of-daytime"),
    pytest.param(local(25, 21), local(26, 9, 59), False, id="night-does-not-count"),
    pytest.param(local(25, 21), local(26, 10), True, id="1h-evening-plus-3h-morning"),
    pytest.param(local(25, 22), local(26, 6, 59), False, id="whole-night"),
    pytest.param(local(25, 5), local(25, 11), True, id="early-morning-reading"),
])
def test_no_readings_for_4_daytime_hours_is_inactivity(last: datetime, now: datetime, fires: bool) -> None:
    finding = check_inactivity(last.astimezone(UTC), DEFAULT_THRESHOLDS, now.astimezone(UTC), SHANGHAI)
    assert (finding is not None) == fires
    if finding is not None:
        assert finding.kind == "inactivity" and finding.since == last


def test_daytime_window_and_time_zone_are_configurable() -> None:
    night_shift = DEFAULT_THRESHOLDS.with_overrides({"day_start": time(0, 0), "day_end": time(23, 59),
                                                     "inactivity_s": 3600})
    assert check_inactivity(local(25, 23), night_shift, local(26, 0, 59).astimezone(UTC), SHANGHAI) is not None
    utc_window = daytime_between(T0, T0 + timedelta(hours=3), day_start=time(7), day_end=time(22), zone=ZoneInfo("UTC"))
    assert utc_window == timedelta(hours=2)  # 06:00-09:00 UTC overlaps 07:00-22:00 UTC for two hours


@pytest.mark.parametrize(("silent", "fires"), [(timedelta(minutes=5), True), (timedelta(minutes=5) - timedelta(
    seconds=1), False)])
def test_bridge_silent_for_5_minutes(silent: timedelta, fires: bool) -> None:
    finding = check_bridge_silence(T0, T0 + silent, name="大厅网关")
    assert (finding is not None) == fires
    if finding is not None:
        assert finding.kind == "device" and "大厅网关" in finding.message


def test_per_resident_thresholds_override_the_defaults() -> None:
    athlete = DEFAULT_THRESHOLDS.with_overrides({"heart_rate_high": 150, "heart_rate_sustain_s": 60,
                                                 "spo2_low": None})
    assert athlete == Thresholds(heart_rate_high=150, heart_rate_sustain=timedelta(seconds=60))
    assert check_heart_rate(series("heart_rate", 140, 300), athlete) == []
    assert [f.rule for f in check_heart_rate(series("heart_rate", 151, 60), athlete)] == ["heart_rate_high"]


def test_evaluate_readings_runs_every_rule_over_mixed_unsorted_samples() -> None:
    samples = series("heart_rate", 130, 120) + series("spo2", 85, 60) + [Sample("temperature", 38.5, T0),
                                                                          Sample("battery", 10, T0)]
    findings = evaluate_readings(list(reversed(samples)), DEFAULT_THRESHOLDS)
    assert sorted(f.rule for f in findings) == ["battery_low", "heart_rate_high", "spo2_low", "temperature_high"]
    assert all(f.until is not None for f in findings)
