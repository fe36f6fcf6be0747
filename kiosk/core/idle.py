"""When an unattended kiosk warns, counts down and ends the visit, and the tap guard (pure; ``now`` passed in).

Seniors need time. After ``timeout_s`` without a touch the kiosk shows and speaks
"您还在使用吗？"; the grace period (at least :data:`MIN_GRACE_S`) starts only once that warning
has been spoken, counts down on screen, and starts again on any touch or 再听一遍. Only then
does the kiosk end the visit and go home. The home screen waits too while a visit still holds
something personal (a cart, a known person), so nothing is left for the next senior.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from enum import StrEnum

import cn2an

HOME = "home"
IDLE_WARNING = "idle_warning"
IDLE_WARNING_TEXT = "您还在使用吗？"
MIN_GRACE_S = 30.0
"""The least time a senior gets between hearing the warning and the kiosk going home."""
_PAUSE_S = 0.35
"""What espeak-ng pauses at a comma or full stop (measured roughly on cmn-latn-pinyin)."""
_SPOKEN = re.compile(r"[\u4e00-\u9fff0-9]")
_PAUSES = re.compile(r"[，。！？；：、,.!?;:]")


class IdleAction(StrEnum):
    """What the idle check asks the app to do."""

    NONE = "none"
    WARN = "warn"
    END_VISIT = "end_visit"


def speech_seconds(text: str, rate_wpm: int) -> float:
    """How long speaking ``text`` takes at ``rate_wpm`` (espeak-ng counts a syllable as a word).

    An estimate on the long side: one syllable per Chinese character or digit, plus a pause
    at each punctuation mark. The grace period starts after it, so a long estimate only gives
    the senior more time.
    """
    syllables = len(_SPOKEN.findall(text))
    return syllables * 60.0 / max(rate_wpm, 1) + _PAUSE_S * len(_PAUSES.findall(text))


@dataclass(frozen=True, slots=True)
class IdleClock:
    """Monotonic times the idle policy needs (seconds, as the app's clock gives them)."""

    last_touch: float
    """The latest touch (or screen change)."""
    grace_from: float | None = None
    """While the warning shows: when its grace period starts (after the warning is spoken)."""

    @property
    def warning(self) -> bool:
        """True while the warning is showing."""
        return self.grace_from is not None

    def touched(self, now: float) -> IdleClock:
        """A touch: the timeout starts again; during the warning its grace period starts again."""
        grace_from = None if self.grace_from is None else max(now, self.grace_from)
        return replace(self, last_touch=now, grace_from=grace_from)

    def warned(self, now: float, spoken_s: float) -> IdleClock:
        """The warning is shown now and takes ``spoken_s`` to say: the grace period starts after it."""
        return replace(self, last_touch=now, grace_from=now + spoken_s)

    def repeated(self, now: float, spoken_s: float) -> IdleClock:
        """再听一遍 during the warning: the grace period starts after it has been said again."""
        if self.grace_from is None:
            return replace(self, last_touch=now)
        return replace(self, last_touch=now, grace_from=now + spoken_s)

    def dismissed(self, now: float) -> IdleClock:
        """The warning is gone (我还在, or the visit ended)."""
        return IdleClock(last_touch=now)


def idle_action(clock: IdleClock, *, now: float, at_home: bool, visit_active: bool, exempt: bool,
                timeout_s: float, grace_s: float) -> IdleAction:
    """Decide the idle step.

    ``at_home``: the home screen shows; ``visit_active``: the visit holds something personal;
    ``exempt``: the screen must not be left (a running help call).
    """
    if clock.grace_from is not None:
        return IdleAction.END_VISIT if now - clock.grace_from >= grace(grace_s) else IdleAction.NONE
    if exempt or (at_home and not visit_active):
        return IdleAction.NONE
    return IdleAction.WARN if now - clock.last_touch >= timeout_s else IdleAction.NONE


def grace(grace_s: float) -> float:
    """The grace period actually given (never below :data:`MIN_GRACE_S`)."""
    return max(MIN_GRACE_S, grace_s)


def seconds_left(clock: IdleClock, *, now: float, grace_s: float) -> int:
    """Whole seconds until the visit ends (the full grace period while the warning is being said)."""
    if clock.grace_from is None:
        return int(grace(grace_s))
    left = grace(grace_s) - max(0.0, now - clock.grace_from)
    return max(0, math.ceil(left))


def countdown_text(left: int) -> str:
    """``还有 30 秒回到首页`` (shown, ticking down)."""
    return f"还有 {left} 秒回到首页"


def idle_warning_speech(left: int) -> str:
    """What the warning screen says aloud (the countdown as it stands)."""
    return f"{IDLE_WARNING_TEXT}如果还要用，请按“我还在”。还有{cn2an.an2cn(left)}秒回到首页。"


class TapGuard:
    """Ignores taps for a short time after a screen change and repeated taps (tremor)."""

    def __init__(self, guard_s: float) -> None:
        """``guard_s``: how long taps are ignored after :meth:`block`."""
        self.guard_s = guard_s
        self._blocked_until = float("-inf")

    def block(self, now: float) -> None:
        """Start a new guard period (called on every screen change and accepted tap)."""
        self._blocked_until = now + self.guard_s

    def ready(self, now: float) -> bool:
        """True when a tap at ``now`` would be accepted."""
        return now >= self._blocked_until

    def accept(self, now: float) -> bool:
        """Accept a tap at ``now`` (and start a new guard period) or refuse it."""
        if not self.ready(now):
            return False
        self.block(now)
        return True
