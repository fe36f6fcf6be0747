"""The idle policy with an injected clock: warn, wait until the warning is said, count down, end the visit."""

from __future__ import annotations

import pytest

from kiosk.core.idle import (
    MIN_GRACE_S,
    IdleAction,
    IdleClock,
    countdown_text,
    idle_action,
    idle_warning_speech,
    seconds_left,
    speech_seconds,
)

TIMEOUT, GRACE = 90.0, 30.0


def step(clock: IdleClock, now: float, *, home: bool = False, active: bool = True, exempt: bool = False,
         grace_s: float = GRACE) -> IdleAction:
    return idle_action(clock, now=now, at_home=home, visit_active=active, exempt=exempt, timeout_s=TIMEOUT,
                       grace_s=grace_s)


@pytest.mark.parametrize(
    ("home", "active", "exempt", "idle_s", "action"),
    [
        pytest.param(False, True, False, 89, IdleAction.NONE, id="before-timeout"),
        pytest.param(False, True, False, 90, IdleAction.WARN, id="timeout-warns-first"),
        pytest.param(True, False, False, 10_000, IdleAction.NONE, id="empty-home-never-times-out"),
        pytest.param(True, True, False, 90, IdleAction.WARN, id="home-with-a-cart-still-ends-the-visit"),
        pytest.param(False, True, True, 500, IdleAction.NONE, id="running-call-is-exempt"),
    ],
)
def test_idle_warns_after_the_timeout(home, active, exempt, idle_s, action):
    assert step(IdleClock(last_touch=0.0), idle_s, home=home, active=active, exempt=exempt) is action


def test_grace_starts_only_after_the_warning_has_been_spoken():
    speech = idle_warning_speech(30)
    spoken = speech_seconds(speech, 100)  # 很慢
    assert spoken > 9, "the warning takes long to say at the slowest speed"
    clock = IdleClock(last_touch=0.0).warned(100.0, spoken)
    assert step(clock, 100 + spoken + GRACE - 0.5) is IdleAction.NONE
    assert seconds_left(clock, now=100 + spoken / 2, grace_s=GRACE) == 30, "no counting while it is said"
    assert seconds_left(clock, now=100 + spoken + 10, grace_s=GRACE) == 20
    assert step(clock, 100 + spoken + GRACE) is IdleAction.END_VISIT


def test_grace_is_never_shorter_than_thirty_seconds():
    clock = IdleClock(last_touch=0.0).warned(0.0, 0.0)
    assert step(clock, 29.0, grace_s=5) is IdleAction.NONE
    assert step(clock, MIN_GRACE_S, grace_s=5) is IdleAction.END_VISIT


def test_any_touch_restarts_the_grace_period():
    clock = IdleClock(last_touch=0.0).warned(0.0, 10.0)
    clock = clock.touched(35.0)  # 25 s into the grace period, a touch somewhere on the screen
    assert step(clock, 64.0) is IdleAction.NONE and seconds_left(clock, now=64.0, grace_s=GRACE) == 1
    assert step(clock, 65.0) is IdleAction.END_VISIT


def test_listening_again_restarts_the_grace_after_the_warning_is_said_again():
    clock = IdleClock(last_touch=0.0).warned(0.0, 10.0).repeated(30.0, 10.0)
    assert seconds_left(clock, now=39.0, grace_s=GRACE) == 30
    assert step(clock, 69.0) is IdleAction.NONE and step(clock, 70.0) is IdleAction.END_VISIT


def test_dismissing_the_warning_starts_the_timeout_again():
    clock = IdleClock(last_touch=0.0).warned(0.0, 10.0).dismissed(20.0)
    assert not clock.warning and step(clock, 109.0) is IdleAction.NONE and step(clock, 110.0) is IdleAction.WARN


def test_countdown_is_shown_in_digits_and_spoken_in_words():
    assert countdown_text(25) == "还有 25 秒回到首页"
    assert "还有二十五秒回到首页" in idle_warning_speech(25)


def test_speech_estimate_grows_with_the_text_and_the_slowness():
    short, long_ = "好的。", idle_warning_speech(30)
    assert speech_seconds(short, 140) < speech_seconds(long_, 140) < speech_seconds(long_, 100)
