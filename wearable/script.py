"""Rehearsal scripts for simulated bands (``anxin bridge --simulate N --script ...``): parsing, pure.

A script is lines (or ``;``-separated parts) of ``TIME BANDS ACTION [VALUE] [for DURATION]``;
``#`` starts a comment::

    10s      1      sos                    # band 1 presses SOS 10 s after the start
    30s      2      fall
    1m       3      heart-rate 150 for 5m  # then back to the band's own resting rate
    1m       4,5    spo2 86 for 3m
    2m       6      temperature 38.6
    0s       7      battery 22
    0s       7      battery-drain 2        # % per minute
    3m       8-9    silent for 10m         # out of range: no advertisement, no connection
    5m       all    check-in

TIME and DURATION: ``90``, ``90s``, ``1m30s``, ``1h``, ``500ms`` or ``01:30`` (from the start of the
run). BANDS: ``3``, ``1,4``, ``2-5`` or ``all`` (simulated band numbers), or an address. Actions
and their Chinese names are in :data:`ACTIONS`. :func:`parse_script` gives the steps in time
order, a ``for`` duration already turned into its own step that puts the band back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ACTIONS: dict[str, tuple[str, ...]] = {
    "sos": ("求救", "sos"),
    "cancel-sos": ("取消求救",),
    "fall": ("跌倒",),
    "cancel-fall": ("没事", "取消跌倒"),
    "check-in": ("打卡", "平安打卡", "checkin"),
    "heart-rate": ("心率", "hr"),
    "spo2": ("血氧",),
    "temperature": ("体温", "temp"),
    "battery": ("电量",),
    "battery-drain": ("耗电",),
    "silent": ("静默", "离开"),
    "back": ("回来", "恢复信号"),
    "off-wrist": ("摘下",),
    "on-wrist": ("戴上",),
}
"""Each action with the other names it may be written as."""
VALUE_RANGES: dict[str, tuple[float, float, str]] = {
    "heart-rate": (20, 250, "次/分"),
    "spo2": (50, 100, "%"),
    "temperature": (30, 43, "°C"),
    "battery": (0, 100, "%"),
    "battery-drain": (0, 100, "%/分钟"),
}
"""Actions that take a value, with its plausible range and unit."""
REVERTS = {"heart-rate": "heart-rate", "spo2": "spo2", "temperature": "temperature", "battery-drain": "battery-drain",
           "silent": "back", "off-wrist": "on-wrist"}
"""What ``for DURATION`` does when the time is up (a value of None: back to the band's own baseline)."""
ALIASES = {name: action for action, names in ACTIONS.items() for name in (action, *names)}
MAX_BANDS = 0xFFFF
_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$")
_ADDRESS = re.compile(r"^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$")


class ScriptError(ValueError):
    """A script line that cannot be understood (the message names the line, in Chinese)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One thing a simulated band does at a moment of the run."""

    at: float
    """Seconds from the start of the run."""
    band: int | str
    """Simulated band number (1 = ``F0:00:00:00:00:01``) or an address (upper case)."""
    action: str
    """A key of :data:`ACTIONS`."""
    value: float | None = None
    """The action's value (see :data:`VALUE_RANGES`); None for an action without one, or "back to baseline"."""


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``1m30s``, ``1h``, ``500ms`` or ``mm:ss`` -> seconds."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if match := re.fullmatch(r"(\d+):([0-5]\d)", text):
        return int(match.group(1)) * 60 + int(match.group(2))
    match = _DURATION.fullmatch(text)
    if not text or match is None or not any(match.groups()):
        raise ScriptError(f"看不懂时间 {text!r}（例如 10s、1m30s、01:30）")
    hours, minutes, seconds, millis = (float(group) if group else 0.0 for group in match.groups())
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def parse_bands(text: str, count: int | None) -> tuple[int | str, ...]:
    """``3``, ``1,4``, ``2-5``, ``all`` or an address -> band numbers / addresses (``all`` needs ``count``)."""
    if text.lower() in ("all", "全部"):
        if not count:
            raise ScriptError("“all” 需要知道有几个模拟手环（--simulate N）")
        return tuple(range(1, count + 1))
    bands: list[int | str] = []
    for part in text.split(","):
        if _ADDRESS.fullmatch(part):
            bands.append(part.upper())
        elif match := re.fullmatch(r"(\d+)(?:-(\d+))?", part):
            first, last = int(match.group(1)), int(match.group(2) or match.group(1))
            if not 1 <= first <= last <= MAX_BANDS:
                raise ScriptError(f"手环编号 {part} 不对（从 1 开始）")
            bands.extend(range(first, last + 1))
        else:
            raise ScriptError(f"看不懂手环 {part!r}（例如 3、1,4、2-5、all 或手环地址）")
    if count is not None:
        beyond = [b for b in bands if isinstance(b, int) and b > count]
        if beyond:
            raise ScriptError(f"只有 {count} 个模拟手环，没有手环 {beyond[0]}")
    return tuple(bands)


def parse_line(line: str, count: int | None = None) -> list[Step]:
    """One script line -> its steps (a ``for`` duration adds the step that puts each band back)."""
    words = line.split()
    if len(words) < 3:
        raise ScriptError("每行要有：时间 手环 动作，例如 “10s 1 sos”")
    at, bands = parse_duration(words[0]), parse_bands(words[1], count)
    action = ALIASES.get(words[2].lower())
    if action is None:
        raise ScriptError(f"不认识的动作 {words[2]!r}；可用：{'、'.join(ACTIONS)}")
    rest = words[3:]
    value = None
    if action in VALUE_RANGES:
        if not rest:
            raise ScriptError(f"{action} 要一个数值，例如 “{action} {VALUE_RANGES[action][0]:g}”")
        value = _value(action, rest.pop(0))
    duration = None
    if rest[:1] in (["for"], ["持续"]) and len(rest) == 2:
        duration = parse_duration(rest[1])
        if action not in REVERTS:
            raise ScriptError(f"{action} 不能持续一段时间（只有 {'、'.join(REVERTS)} 可以）")
    elif rest:
        raise ScriptError(f"多余的内容：{' '.join(rest)}")
    steps = [Step(at, band, action, value) for band in bands]
    if duration is not None:
        steps += [Step(at + duration, band, REVERTS[action], None) for band in bands]
    return steps


def _value(action: str, text: str) -> float:
    low, high, unit = VALUE_RANGES[action]
    try:
        value = float(text.rstrip("%"))
    except ValueError as exc:
        raise ScriptError(f"{action} 的数值 {text!r} 不是数字") from exc
    if not low <= value <= high:
        raise ScriptError(f"{action} 的数值应在 {low:g}–{high:g} {unit} 之间，这里是 {value:g}")
    return value


def parse_script(text: str, count: int | None = None) -> list[Step]:
    """A whole script (lines, or parts separated by ``;``) -> its steps in time order (stable within a moment).
    ``count``: how many simulated bands there are (checks the numbers, allows ``all``)."""
    steps: list[Step] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        for part in raw.split("#", 1)[0].split(";"):
            if not part.strip():
                continue
            try:
                steps += parse_line(part, count)
            except ScriptError as exc:
                raise ScriptError(f"第 {number} 行 “{part.strip()}”：{exc}") from exc
    return sorted(steps, key=lambda step: step.at)


def describe(step: Step) -> str:
    """One step in words, for the log and the plan printed at start."""
    minutes, seconds = divmod(step.at, 60)
    value = "" if step.value is None else f" {step.value:g}"
    if step.value is None and step.action in VALUE_RANGES:
        value = "（恢复平时）"
    band = f"手环 {step.band}" if isinstance(step.band, int) else step.band
    return f"{int(minutes):02d}:{seconds:04.1f} {band} {ACTIONS[step.action][0]}{value}"
