"""The pure escalation policy: which steps are due when, with time passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from caregiver_portal.core.errors import ConfigurationError
from caregiver_portal.escalation.config import policies_from_mapping
from caregiver_portal.escalation.policy import (
    DEFAULT_POLICIES,
    EMERGENCY,
    STANDARD,
    Audience,
    EscalationState,
    Ladder,
    Step,
    due_steps,
)

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
MIN = 60


def plan(fired: int, seconds: float, *, phase: str = "open", policy=EMERGENCY):  # type: ignore[no-untyped-def]
    return due_steps(EscalationState(phase, T0, fired), policy, T0 + timedelta(seconds=seconds))  # type: ignore[arg-type]


@pytest.mark.parametrize(("fired", "seconds", "numbers", "next_s"), [
    pytest.param(0, 0, [0], 60, id="first-step-at-once"),
    pytest.param(1, 59.999, [], 60, id="not-yet-site"),
    pytest.param(1, 60, [1], 180, id="site-at-60s"),
    pytest.param(2, 179, [], 180, id="not-yet-contacts"),
    pytest.param(2, 180, [2], 300, id="contacts-and-admins-at-180s"),
    pytest.param(3, 300, [3], 420, id="first-repeat-2-min-later"),
    pytest.param(4, 420, [4], 540, id="repeats-latch"),
    pytest.param(0, 200, [0, 1, 2], 300, id="outage-fires-each-missed-step-once"),
    pytest.param(3, 3600, [30], 3660, id="outage-collapses-missed-repeats"),
    pytest.param(0, 3600, [0, 1, 2, 30], 3660, id="long-outage-steps-and-one-repeat"),
])
def test_unaccepted_emergency_ladder(fired: int, seconds: float, numbers: list[int], next_s: float) -> None:
    result = plan(fired, seconds)
    assert [due.number for due in result.due] == numbers
    assert result.next_due_at == T0 + timedelta(seconds=next_s)
    assert result.fired == (numbers[-1] + 1 if numbers else fired)


def test_repeat_notifies_everyone_the_ladder_reached() -> None:
    [repeat] = plan(3, 300).due
    assert repeat.repeat and repeat.step.audiences == {
        Audience.GRID_VOLUNTEERS, Audience.GRID_WORKER, Audience.SITE_VOLUNTEERS, Audience.CAREGIVERS,
        Audience.CONTACTS, Audience.ADMINS}


def test_unaccepted_sos_escalates_to_site_after_60s() -> None:
    [step] = plan(1, 60).due
    assert step.step.audiences == {Audience.SITE_VOLUNTEERS, Audience.CAREGIVERS}


@pytest.mark.parametrize(("fired", "seconds", "numbers", "next_s"), [
    pytest.param(0, 0, [], 30 * MIN, id="nothing-right-after-accepting"),
    pytest.param(0, 30 * MIN - 1, [], 30 * MIN, id="just-before-30-min"),
    pytest.param(0, 30 * MIN, [0], 60 * MIN, id="remind-at-30-min"),
    pytest.param(1, 60 * MIN, [1], 90 * MIN, id="remind-again"),
])
def test_accepted_but_unresolved_reminds_acceptor_and_grid_worker(fired: int, seconds: float, numbers: list[int],
                                                                   next_s: float) -> None:
    result = plan(fired, seconds, phase="accepted", policy=STANDARD)
    assert [due.number for due in result.due] == numbers
    assert result.next_due_at == T0 + timedelta(seconds=next_s)
    for due in result.due:
        assert due.step.audiences == {Audience.ACCEPTOR, Audience.GRID_WORKER}


@pytest.mark.parametrize(("seconds", "audiences"), [
    pytest.param(0, {Audience.GRID_VOLUNTEERS}, id="grid-volunteers-first"),
    pytest.param(10 * MIN, {Audience.SITE_VOLUNTEERS}, id="site-after-10-min"),
    pytest.param(30 * MIN, {Audience.GRID_WORKER}, id="grid-worker-after-30-min"),
])
def test_non_emergency_help_ladder(seconds: float, audiences: set[Audience]) -> None:
    fired = {0: 0, 10 * MIN: 1, 30 * MIN: 2}[int(seconds)]
    [due] = plan(fired, seconds, policy=STANDARD).due
    assert due.step.audiences == audiences


@pytest.mark.parametrize(("kind", "emergency", "policy"), [
    ("sos", True, "emergency"), ("fall", True, "emergency"), ("help", True, "emergency"),
    ("help", False, "standard"), ("health", False, "standard"), ("inactivity", False, "standard"),
    ("device", False, "device"),
])
def test_policy_follows_kind_and_emergency_flag(kind: str, emergency: bool, policy: str) -> None:
    assert DEFAULT_POLICIES.for_alert(kind, emergency).name == policy


def test_ladder_without_repeats_ends() -> None:
    ladder = Ladder((Step(timedelta(0), frozenset({Audience.ADMINS}), "x"),))
    assert ladder.entry(1) is None


def test_ladder_refuses_decreasing_offsets() -> None:
    with pytest.raises(ValueError):
        Ladder((Step(timedelta(60), frozenset(), "a"), Step(timedelta(0), frozenset(), "b")))


def test_policies_from_configuration_override_a_default() -> None:
    policies = policies_from_mapping({"policies": {"emergency": {"open": {
        "steps": [{"after_s": 0, "notify": ["site_volunteers"]}, {"after_s": 30, "notify": ["admins"]}],
        "repeat_every_s": 60}}}})
    result = due_steps(EscalationState("open", T0, 1), policies.for_alert("sos", True), T0 + timedelta(seconds=30))
    assert [due.step.audiences for due in result.due] == [{Audience.ADMINS}]
    assert policies.for_alert("help", False).name == "standard"


@pytest.mark.parametrize("data", [
    pytest.param({"kinds": {"sos": "nonexistent"}}, id="unknown-policy"),
    pytest.param({"policies": {"x": {"open": {"steps": [{"after_s": 0, "notify": ["martians"]}]}}}},
                 id="unknown-audience"),
    pytest.param({"policies": {"x": {"open": {"steps": [{"notify": []}]}}}}, id="missing-offset"),
])
def test_invalid_policy_configuration_is_refused_with_a_reason(data: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigurationError):
        policies_from_mapping(data)
