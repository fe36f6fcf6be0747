"""Rehearsal scripts (``anxin bridge --simulate N --script``): the parser, table by table, and each action on a
simulated band."""

from __future__ import annotations

import pytest

from wearable.script import ScriptError, Step, describe, parse_bands, parse_duration, parse_script
from wearable.script_runner import apply_step
from wearable.sim_band import BandProfile
from wearable.simulator import SimulatedWorld, simulated_address
from wearable.vendor import WristbandEventKind


@pytest.mark.parametrize(("text", "seconds"), [
    ("90", 90), ("90s", 90), ("1m30s", 90), ("01:30", 90), ("2m", 120), ("1h", 3600), ("500ms", 0.5),
    ("0.5s", 0.5), ("1h2m3s", 3723),
])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "1x", "1:75", "m", "-5s"])
def test_durations_that_are_not(text: str) -> None:
    with pytest.raises(ScriptError, match="看不懂时间"):
        parse_duration(text)


@pytest.mark.parametrize(("text", "bands"), [
    ("3", (3,)), ("1,4", (1, 4)), ("2-4", (2, 3, 4)), ("all", (1, 2, 3, 4, 5)), ("全部", (1, 2, 3, 4, 5)),
    ("f0:00:00:00:00:09", ("F0:00:00:00:00:09",)), ("1,3-4", (1, 3, 4)),
])
def test_bands(text: str, bands: tuple[int | str, ...]) -> None:
    assert parse_bands(text, 5) == bands


@pytest.mark.parametrize(("text", "message"), [
    ("6", "只有 5 个模拟手环，没有手环 6"), ("0", "手环编号 0 不对"), ("4-2", "手环编号 4-2 不对"),
    ("band1", "看不懂手环"),
])
def test_bands_that_are_not(text: str, message: str) -> None:
    with pytest.raises(ScriptError, match=message):
        parse_bands(text, 5)


SCRIPT = """
# a morning at the centre
10s   1     sos
30s   2     fall          # held for its cancel window, then an alert
1m    3     heart-rate 150 for 5m
1m    4,5   血氧 86 for 3m
2m    6     temperature 38.6
0s    7     battery 22%
0s    7     battery-drain 2
3m    8     silent for 10m ; 3m 9 check-in
"""


def test_a_script_becomes_steps_in_time_order_with_each_for_undone_when_its_time_is_up() -> None:
    assert parse_script(SCRIPT, 9) == [
        Step(0, 7, "battery", 22), Step(0, 7, "battery-drain", 2), Step(10, 1, "sos"), Step(30, 2, "fall"),
        Step(60, 3, "heart-rate", 150), Step(60, 4, "spo2", 86), Step(60, 5, "spo2", 86),
        Step(120, 6, "temperature", 38.6), Step(180, 8, "silent"), Step(180, 9, "check-in"),
        Step(240, 4, "spo2"), Step(240, 5, "spo2"), Step(360, 3, "heart-rate"), Step(780, 8, "back"),
    ]


@pytest.mark.parametrize(("line", "message"), [
    ("10s 1", "每行要有：时间 手环 动作"),
    ("10s 1 dance", "不认识的动作 'dance'"),
    ("10s 1 heart-rate", "heart-rate 要一个数值"),
    ("10s 1 heart-rate fast", "不是数字"),
    ("10s 1 spo2 120", "spo2 的数值应在 50–100 % 之间，这里是 120"),
    ("10s 1 sos for 5m", "sos 不能持续一段时间"),
    ("10s 1 sos now", "多余的内容：now"),
    ("10s 12 sos", "只有 9 个模拟手环"),
])
def test_a_wrong_line_is_named_with_what_is_wrong(line: str, message: str) -> None:
    with pytest.raises(ScriptError, match=message) as caught:
        parse_script(f"5s 1 sos\n{line}", 9)
    assert str(caught.value).startswith(f"第 2 行 “{line}”")


def test_steps_are_described_in_chinese_for_the_plan_and_the_log() -> None:
    assert [describe(s) for s in parse_script("1m5s 3 heart-rate 150 for 2m; 0 F0:00:00:00:00:04 sos", 4)] == [
        "00:00.0 F0:00:00:00:00:04 求救", "01:05.0 手环 3 心率 150", "03:05.0 手环 3 心率（恢复平时）"]


def test_each_action_changes_the_simulated_band_and_none_puts_its_baseline_back() -> None:
    world = SimulatedWorld(2, reading_interval=2.0)
    band = world.band(simulated_address(1))
    band.profile = BandProfile(resting_hr=70, spo2=97, temperature_c=36.5, battery=90, battery_drain_per_tick=0.02)
    band.set_heart_rate(70)
    baselines: dict[str, BandProfile] = {}
    for step in parse_script("0 1 heart-rate 150; 0 1 spo2 85; 0 1 temperature 39; 0 1 battery 20;"
                             "0 1 battery-drain 3; 0 1 silent; 0 1 sos; 0 1 fall; 0 1 off-wrist", 2):
        apply_step(world, step, baselines)
    assert (band.heart_rate, band.profile.spo2, band.profile.temperature_c, band.battery) == (150, 85, 39, 20)
    assert band.profile.battery_drain_per_tick == pytest.approx(0.1)  # 3 %/min at a reading every 2 s
    assert not band.in_range and not band.worn
    assert [e.kind for e in band.pending] == [WristbandEventKind.SOS, WristbandEventKind.FALL,
                                              WristbandEventKind.OFF_WRIST]
    for action in ("heart-rate", "spo2", "temperature", "battery-drain", "back", "on-wrist"):
        apply_step(world, Step(0, 1, action), baselines)
    assert (band.heart_rate, band.profile.spo2, band.profile.temperature_c) == (70, 97, 36.5)
    assert band.profile.battery_drain_per_tick == 0.02 and band.in_range and band.worn
