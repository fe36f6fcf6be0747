"""The safety net's pure rules (issue 16): check-in deadlines, silent bands, battery forecasts, care levels and
the arrival re-escalation, table-driven with time passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from caregiver_portal.escalation.config import policies_from_mapping
from caregiver_portal.escalation.policy import (
    DEFAULT_POLICIES,
    EMERGENCY,
    WELFARE,
    Audience,
    EscalationState,
    due_steps,
    step_audiences,
)
from caregiver_portal.reports.stages import response_stages, stage_rows
from caregiver_portal.residents.care import escalation_factor, level_label, roll_call_order
from caregiver_portal.safety.band_rules import (
    BandFacts,
    WearSchedule,
    battery_dies_at,
    evaluate_band,
    next_battery_ref,
    silence_already_raised,
)
from caregiver_portal.safety.checkin_rules import CheckinDue, deadline_minute, missed, worn_checkin

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 25)


def local(hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    """A local Shanghai time on DAY (+ ``days``), as UTC."""
    return datetime(2026, 11, 25 + days, hour, minute, tzinfo=ZONE).astimezone(UTC)


@pytest.mark.parametrize(("plan", "level", "expected"), [
    pytest.param(600, None, 600, id="not-assessed-keeps-the-plan"),
    pytest.param(600, 1, 600, id="mild-keeps-the-plan"),
    pytest.param(600, 2, 570, id="moderate-30-min-earlier"),
    pytest.param(600, 4, 540, id="total-loss-an-hour-earlier"),
    pytest.param(390, 4, 360, id="never-before-06:00"),
    pytest.param(300, 4, 300, id="a-plan-before-06:00-stays"),
])
def test_checkin_deadline_is_earlier_for_higher_care_levels(plan: int, level: int | None, expected: int) -> None:
    assert deadline_minute(plan, level) == expected


@pytest.mark.parametrize(("now", "checked_in", "alerted_on", "level", "expected"), [
    pytest.param(local(9, 59), False, None, None, False, id="before-10:00"),
    pytest.param(local(10, 0), False, None, None, True, id="at-10:00-missed"),
    pytest.param(local(10, 0), True, None, None, False, id="checked-in"),
    pytest.param(local(11, 0), False, DAY, None, False, id="already-alerted-today"),
    pytest.param(local(10, 0, days=1), False, DAY, None, True, id="alerted-yesterday-missed-again"),
    pytest.param(local(9, 0), False, None, 4, True, id="level-4-due-at-09:00"),
    pytest.param(local(1, 0, days=1), False, DAY, None, False, id="after-midnight-not-yet"),
])
def test_missed_checkin(now: datetime, checked_in: bool, alerted_on: date | None, level: int | None,
                        expected: bool) -> None:
    due = CheckinDue(1, 600, level, checked_in, alerted_on)
    assert missed(due, zone=ZONE, now=now) is expected


@pytest.mark.parametrize(("worn_at", "now", "expected"), [
    pytest.param(local(8, 0), local(9, 0), local(8, 0), id="worn-this-morning"),
    pytest.param(local(4, 59), local(9, 0), None, id="before-05:00"),
    pytest.param(local(10, 30), local(10, 31), None, id="after-the-deadline"),
    pytest.param(local(21, 0, days=-1), local(9, 0), None, id="yesterday-evening"),
    pytest.param(None, local(9, 0), None, id="never-worn"),
])
def test_a_band_worn_this_morning_counts_as_the_checkin(worn_at: datetime | None, now: datetime,
                                                        expected: datetime | None) -> None:
    due = CheckinDue(1, 600, None, False, None, last_worn_at=worn_at)
    assert worn_checkin(due, zone=ZONE, now=now) == expected


WATCHED = local(6, 0)
SCHEDULE = WearSchedule()


@pytest.mark.parametrize(("facts", "now", "reason"), [
    pytest.param(BandFacts(local(14, 0), local(14, 0), 80, WATCHED), local(15, 59), None, id="quiet-1h59"),
    pytest.param(BandFacts(local(14, 0), local(14, 0), 80, WATCHED), local(16, 0), "silent", id="silent-2h"),
    pytest.param(BandFacts(local(21, 30), local(21, 30), 80, WATCHED), local(8, 0, days=1), None,
                 id="night-does-not-count"),
    pytest.param(BandFacts(local(21, 30), local(21, 30), 80, WATCHED), local(8, 30, days=1), "silent",
                 id="30-min-evening-plus-90-min-morning"),
    pytest.param(BandFacts(None, None, None, local(14, 0)), local(16, 0), "silent", id="never-heard"),
    pytest.param(BandFacts(local(13, 0), local(13, 0), 20, WATCHED, (60, local(9, 0))), local(13, 0), "battery",
                 id="40-points-in-4h-dies-at-15:00"),
    pytest.param(BandFacts(local(13, 0), local(13, 0), 55, WATCHED, (60, local(9, 0))), local(13, 0), None,
                 id="slow-drain-lasts-past-21:00"),
    pytest.param(BandFacts(local(13, 0), local(13, 0), 20, WATCHED, (22, local(12, 30))), local(13, 0), None,
                 id="too-short-to-tell"),
    pytest.param(BandFacts(local(13, 0), None, 80, local(12, 0, days=-1)), local(13, 0), "never_worn",
                 id="heard-but-not-worn-for-a-day"),
    pytest.param(BandFacts(local(13, 0), local(14, 0, days=-1), 80, WATCHED), local(13, 0), None,
                 id="worn-23h-ago"),
])
def test_silent_band_findings(facts: BandFacts, now: datetime, reason: str | None) -> None:
    finding = evaluate_band(facts, SCHEDULE, ZONE, now)
    assert (finding.reason if finding else None) == reason


def test_a_silent_band_is_one_episode_until_heard_again() -> None:
    facts = BandFacts(local(14, 0), local(14, 0), 80, WATCHED)
    first, later = (evaluate_band(facts, SCHEDULE, ZONE, at) for at in (local(16, 0), local(18, 0)))
    assert first is not None and later is not None and first.episode == later.episode
    heard_again = evaluate_band(BandFacts(local(17, 0), local(17, 0), 80, WATCHED), SCHEDULE, ZONE, local(19, 0))
    assert heard_again is not None and heard_again.episode != first.episode


@pytest.mark.parametrize(("ref", "battery", "expected"), [
    pytest.param(None, 80, (80, local(9, 0)), id="first-level"),
    pytest.param((90, local(7, 0)), 80, (90, local(7, 0)), id="falling-keeps-the-reference"),
    pytest.param((30, local(7, 0)), 95, (95, local(9, 0)), id="charged-resets"),
    pytest.param((30, local(7, 0)), None, (30, local(7, 0)), id="no-level"),
])
def test_battery_reference(ref: tuple[int, datetime] | None, battery: int | None,
                           expected: tuple[int, datetime]) -> None:
    assert next_battery_ref(ref, battery, local(9, 0)) == expected


def test_battery_forecast_extrapolates_the_drain() -> None:
    assert battery_dies_at((60, local(9, 0)), 40, local(11, 0)) == local(15, 0)


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    care_level: int | None
    lives_alone: bool = False


def test_roll_call_lists_who_needs_most_care_first() -> None:
    people = [Person(1, "甲", None), Person(2, "乙", 1), Person(3, "丙", 4), Person(4, "丁", 1, lives_alone=True),
              Person(5, "戊", 3)]
    assert [p.id for p in roll_call_order(people)] == [3, 5, 4, 2, 1]
    assert level_label(4) == "能力完全丧失" and level_label(None) == "未评估"


@pytest.mark.parametrize(("level", "second_step_s"), [
    pytest.param(None, 60, id="not-assessed"), pytest.param(1, 60, id="mild"),
    pytest.param(2, 45, id="moderate"), pytest.param(4, 30, id="total-loss"),
])
def test_higher_care_levels_get_shorter_escalation_steps(level: int | None, second_step_s: float) -> None:
    policy = EMERGENCY.for_care(escalation_factor(level))
    plan = due_steps(EscalationState("open", local(12, 0), 1), policy, local(12, 0))
    assert plan.next_due_at == local(12, 0) + timedelta(seconds=second_step_s)


@pytest.mark.parametrize(("policy", "fired", "minutes", "numbers", "next_min"), [
    pytest.param(EMERGENCY, 0, 0, [], 15, id="emergency-nothing-at-acceptance"),
    pytest.param(EMERGENCY, 0, 14.9, [], 15, id="emergency-not-yet"),
    pytest.param(EMERGENCY, 0, 15, [0], 60, id="emergency-arrival-check-at-15-min"),
    pytest.param(EMERGENCY, 1, 60, [1], 90, id="emergency-remind-after-an-hour"),
    pytest.param(WELFARE, 0, 30, [0], 60, id="welfare-arrival-check-at-30-min"),
])
def test_accepted_ladder_checks_arrival_then_reminds(policy, fired: int, minutes: float,  # type: ignore[no-untyped-def]
                                                     numbers: list[int], next_min: float) -> None:
    start = local(12, 0)
    plan = due_steps(EscalationState("accepted", start, fired), policy, start + timedelta(minutes=minutes))
    assert [due.number for due in plan.due] == numbers
    assert plan.next_due_at == start + timedelta(minutes=next_min)
    assert all(due.step.unless_arrived == (due.number == 0) for due in plan.due)


@pytest.mark.parametrize(("open_fired", "expected"), [
    pytest.param(1, {Audience.ACCEPTOR, Audience.SITE_VOLUNTEERS, Audience.CAREGIVERS}, id="accepted-after-step-1"),
    pytest.param(2, {Audience.ACCEPTOR, Audience.CONTACTS, Audience.ADMINS}, id="accepted-after-step-2"),
    pytest.param(3, {Audience.ACCEPTOR, Audience.CONTACTS, Audience.ADMINS}, id="after-the-last-step-its-people"),
])
def test_arrival_re_escalation_goes_to_the_next_open_step(open_fired: int, expected: set[Audience]) -> None:
    step = EMERGENCY.accepted.steps[0]
    assert step_audiences(step, EMERGENCY.open, open_fired) == expected


def test_arrival_check_is_configurable() -> None:
    policies = policies_from_mapping({"policies": {"welfare": {
        "open": {"steps": [{"after_s": 0, "notify": ["grid_worker"]}]},
        "accepted": {"steps": [{"after_s": 600, "notify": ["acceptor", "next_step"], "unless_arrived": True}]}}}})
    step = policies.policies["welfare"].accepted.steps[0]
    assert step.unless_arrived and step.after == timedelta(minutes=10)
    assert DEFAULT_POLICIES.for_alert("band_silent", False).name == "welfare"


def test_report_stages_share_within_target_and_median() -> None:
    start = local(12, 0)
    rows = [(start, start + timedelta(seconds=30), start + timedelta(minutes=10), start + timedelta(minutes=50)),
            (start, start + timedelta(seconds=90), None, None),
            (start, start + timedelta(seconds=45), start + timedelta(minutes=20), start + timedelta(minutes=70))]
    accept, arrive, resolve = response_stages(rows)
    assert (accept.within, accept.median_s) == (pytest.approx(2 / 3), 45)
    assert (arrive.within, arrive.median_s) == (pytest.approx(1 / 3), 900)
    assert (resolve.within, resolve.median_s) == (pytest.approx(1 / 3), 3600)
    assert response_stages([])[0].within is None
    assert ("紧急呼叫 15 分钟内到达比例", "33.3%") in stage_rows((accept, arrive, resolve))


@pytest.mark.parametrize(("alerted", "last_reading", "covered"), [
    ("", datetime(2026, 5, 1, 6, tzinfo=UTC), False),
    ("silent:2026-05-01T06:00:00+00:00", datetime(2026, 5, 1, 6, tzinfo=UTC), True),
    ("battery:2026-05-01T01:00:00+00:00;silent:2026-05-01T06:30:00+00:00", datetime(2026, 5, 1, 6, tzinfo=UTC), True),
    ("silent:2026-05-01T06:00:00+00:00", datetime(2026, 5, 2, 0, tzinfo=UTC), False),  # heard since: a new silence
    ("never_worn:2026-05-01T06:00:00+00:00", datetime(2026, 5, 1, 6, tzinfo=UTC), False),
])
def test_inactivity_defers_to_a_raised_silent_band(alerted: str, last_reading: datetime, covered: bool) -> None:
    assert silence_already_raised(alerted, last_reading) is covered
