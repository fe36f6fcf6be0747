"""Press time is the time (issue 13 point 4), pure rules: the press time kept, the board's line for a late
alert, and a late alert's first sweep going straight to the step it should be on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from caregiver_portal.alerts.press_time import delivery_note, duration_words, press_time
from caregiver_portal.core.clock import CHINA_TIME
from caregiver_portal.escalation.policy import (
    EMERGENCY,
    STANDARD,
    Audience,
    EscalationState,
    Policy,
    catch_up,
    due_steps,
)

EVERYONE = {Audience.GRID_VOLUNTEERS, Audience.GRID_WORKER, Audience.SITE_VOLUNTEERS, Audience.CAREGIVERS,
            Audience.CONTACTS, Audience.ADMINS}
PRESS = datetime(2026, 12, 7, 0, 31, 5, tzinfo=UTC)  # 08:31:05 in Shanghai


def later(seconds: float) -> datetime:
    return PRESS + timedelta(seconds=seconds)


@pytest.mark.parametrize(("reported", "received", "expected"), [
    pytest.param(PRESS, later(33), PRESS, id="held-offline-keeps-the-press"),
    pytest.param(None, later(33), later(33), id="no-press-time-means-receipt"),
    pytest.param(later(40), later(33), later(33), id="clock-ahead-is-not-after-receipt"),
    pytest.param(later(33), later(33), later(33), id="at-once"),
])
def test_press_time(reported: datetime | None, received: datetime, expected: datetime) -> None:
    assert press_time(reported, received) == expected


@pytest.mark.parametrize(("seconds", "words"), [
    (0, "0 秒"), (33, "33 秒"), (60, "1 分"), (125, "2 分 5 秒"), (3600, "1 小时"), (3780, "1 小时 3 分"),
    (-5, "0 秒"),
])
def test_duration_words(seconds: float, words: str) -> None:
    assert duration_words(timedelta(seconds=seconds)) == words


@pytest.mark.parametrize(("kind", "delay_s", "note"), [
    pytest.param("sos", 33, "按下于 08:31，网络中断后 33 秒送达", id="sos-held-offline"),
    pytest.param("help", 200, "按下于 08:31，网络中断后 3 分 20 秒送达", id="kiosk-call-held"),
    pytest.param("fall", 30, "跌倒于 08:31，30 秒后送达", id="fall-held-for-its-cancel-window"),
    pytest.param("health", 600, "发生于 08:31，10 分后送达", id="finding-from-late-readings"),
    pytest.param("sos", 9.9, None, id="a-few-seconds-is-not-late"),
    pytest.param("sos", 0, None, id="at-once"),
])
def test_delivery_note(kind: str, delay_s: float, note: str | None) -> None:
    assert delivery_note(kind, PRESS, later(delay_s), CHINA_TIME) == note


def first_sweep(policy: Policy, seconds: float):  # type: ignore[no-untyped-def]
    return catch_up(due_steps(EscalationState("open", PRESS, 0), policy, later(seconds)))


@pytest.mark.parametrize(("policy", "arrived_s", "number", "audiences", "next_s"), [
    pytest.param(EMERGENCY, 0, 0, {Audience.GRID_VOLUNTEERS, Audience.GRID_WORKER}, 60, id="on-time-first-step"),
    pytest.param(EMERGENCY, 33, 0, {Audience.GRID_VOLUNTEERS, Audience.GRID_WORKER}, 60, id="33s-late-step-1"),
    pytest.param(EMERGENCY, 61, 1, {Audience.GRID_VOLUNTEERS, Audience.GRID_WORKER, Audience.SITE_VOLUNTEERS,
                                    Audience.CAREGIVERS}, 180, id="61s-late-straight-to-site"),
    pytest.param(EMERGENCY, 200, 2, EVERYONE, 300, id="200s-late-straight-to-contacts"),
    pytest.param(EMERGENCY, 3600, 30, EVERYONE, 3660, id="an-hour-late-a-repeat"),
    pytest.param(STANDARD, 11 * 60, 1, {Audience.GRID_VOLUNTEERS, Audience.SITE_VOLUNTEERS}, 30 * 60,
                 id="help-11-min-late"),
])
def test_late_alert_escalates_at_once_to_its_step(policy: Policy, arrived_s: float, number: int,
                                                  audiences: set[Audience], next_s: float) -> None:
    plan = first_sweep(policy, arrived_s)
    [due] = plan.due
    assert (due.number, set(due.step.audiences), plan.next_due_at) == (number, audiences, later(next_s))
    assert due.caught_up == (number > 0)
    assert plan.fired == number + 1


def test_catch_up_keeps_the_label_of_the_step_reached() -> None:
    [due] = first_sweep(EMERGENCY, 200).due
    assert due.step.label == "180 秒无人接单，通知紧急联系人和站点管理员"
