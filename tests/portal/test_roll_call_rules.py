"""Roll-call rules, table-driven with time passed in: which answer wins, when unanswered residents
escalate, the order of the live list, and the report's figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from caregiver_portal.roll_calls.rules import Row, escalation_due, next_state, sections, summarise

T = datetime(2026, 7, 20, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(("current", "answer", "source", "expected"), [
    pytest.param("waiting", "safe", "kiosk", "safe", id="kiosk-says-safe"),
    pytest.param("waiting", "help", "band", "help", id="band-press-needs-help"),
    pytest.param("safe", "help", "band", "help", id="sos-after-safe-needs-help"),
    pytest.param("help", "safe", "kiosk", None, id="kiosk-cannot-undo-help"),
    pytest.param("help", "safe", "checkin", None, id="check-in-cannot-undo-help"),
    pytest.param("help", "safe", "visit", "safe", id="a-visit-confirms-safe"),
    pytest.param("help", "safe", "phone", "safe", id="a-call-confirms-safe"),
    pytest.param("safe", "safe", "kiosk", None, id="same-answer-changes-nothing"),
    pytest.param("safe", "waiting", "visit", None, id="nobody-answers-waiting"),
    pytest.param("waiting", "maybe", "kiosk", None, id="unknown-answer"),
])
def test_which_answer_wins(current: str, answer: str, source: str, expected: str | None) -> None:
    assert next_state(current, answer, source) == expected


@pytest.mark.parametrize(("escalated", "closed", "now", "due"), [
    pytest.param(None, None, T - timedelta(seconds=1), False, id="before-the-time"),
    pytest.param(None, None, T, True, id="at-the-time"),
    pytest.param(T, None, T + timedelta(hours=1), False, id="escalated-once-only"),
    pytest.param(None, T - timedelta(minutes=1), T + timedelta(hours=1), False, id="closed-roll-call"),
])
def test_unanswered_escalate_once_at_the_set_time(escalated: datetime | None, closed: datetime | None,
                                                  now: datetime, due: bool) -> None:
    assert escalation_due(escalate_at=T, escalated_at=escalated, closed_at=closed, now=now) is due


def test_live_list_puts_help_first_then_no_answer_then_safe_with_more_care_first() -> None:
    rows = [Row(1, "张三", "1", "safe", position=4), Row(2, "李四", "2", "waiting", position=1),
            Row(3, "王五", "3", "help", position=3), Row(4, "赵六", "4", "waiting", position=0),
            Row(5, "钱七", "5", "waiting", position=2)]
    listed = [(section.label, [row.entry_id for row in section.rows]) for section in sections(rows)]
    assert listed == [("需要帮助", [3]), ("没有回应", [4, 2, 5]), ("平安", [1])]


def test_summary_counts_states_sources_and_median_answer_time() -> None:
    rows = [Row(1, "a", "", "safe", T + timedelta(minutes=2), "kiosk"),
            Row(2, "b", "", "help", T + timedelta(minutes=4), "band"),
            Row(3, "c", "", "safe", T + timedelta(minutes=10), "visit"), Row(4, "d", "", "waiting")]
    summary = summarise(rows, started_at=T)
    assert (summary.safe, summary.help, summary.waiting, summary.total) == (2, 1, 1, 4)
    assert summary.by_source == {"kiosk": 1, "band": 1, "visit": 1}
    assert summary.median_answer_s == 240 and summary.answered_share == 0.75
