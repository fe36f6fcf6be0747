"""The time bank's pure rules, table-driven: the cap, star levels, expiry oldest first, donations, import dedupe,
and the monthly summary of residents' reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from caregiver_portal.feedback.rules import month_summary
from caregiver_portal.timebank import rules

T0 = datetime(2026, 1, 31, 8, 0, tzinfo=UTC)
NANJING = rules.Scheme()  # 10 points an hour, 1,500 h cap, stars at 100/300/600/1000/1500 h


@pytest.mark.parametrize(("balance", "asked", "cap", "expected"), [
    pytest.param(0, 10, 15000, rules.Credit(10, 0), id="room"),
    pytest.param(14995, 10, 15000, rules.Credit(5, 5), id="cut-at-cap"),
    pytest.param(15000, 10, 15000, rules.Credit(0, 10), id="full"),
    pytest.param(16000, 10, 15000, rules.Credit(0, 10), id="above-cap-after-lowering-it"),
    pytest.param(99999, 10, None, rules.Credit(10, 0), id="no-cap"),
    pytest.param(0, 0, 15000, rules.Credit(0, 0), id="nothing-asked"),
])
def test_credit_is_cut_at_the_cap(balance: int, asked: int, cap: int | None, expected: rules.Credit) -> None:
    assert rules.credit_within_cap(balance=balance, asked=asked, cap_points=cap) == expected


@pytest.mark.parametrize(("hours", "level", "badge"), [
    (0, 0, ""), (99.9, 0, ""), (100, 1, "★ 一星"), (299, 1, "★ 一星"), (300, 2, "★★ 二星"), (600, 3, "★★★ 三星"),
    (1000, 4, "★★★★ 四星"), (1500, 5, "★★★★★ 五星"), (9000, 5, "★★★★★ 五星"),
])
def test_star_levels_follow_nanjings_five_thresholds(hours: float, level: int, badge: str) -> None:
    assert rules.star_level(earned_points=round(hours * 10), scheme=NANJING) == level
    assert rules.star_badge(level) == badge


@pytest.mark.parametrize(("now", "months", "expected"), [
    (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
    (datetime(2024, 3, 31, tzinfo=UTC), 1, datetime(2024, 2, 29, tzinfo=UTC)),
    (datetime(2026, 1, 15, tzinfo=UTC), 12, datetime(2025, 1, 15, tzinfo=UTC)),
    (datetime(2026, 1, 15, tzinfo=UTC), 13, datetime(2024, 12, 15, tzinfo=UTC)),
])
def test_months_before_keeps_the_day_or_takes_the_months_last(now: datetime, months: int, expected: datetime) -> None:
    assert rules.months_before(now, months) == expected


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


@pytest.mark.parametrize(("lines", "cutoff_day", "expected"), [
    pytest.param([(0, 50)], 10, 50, id="old-unspent-credit"),
    pytest.param([(0, 50), (20, 30)], 10, 50, id="only-the-old-one"),
    pytest.param([(0, 50), (5, -20)], 10, 30, id="spending-uses-the-oldest-first"),
    pytest.param([(0, 50), (5, -50), (12, 100)], 10, 0, id="spent-old-credit-cannot-expire"),
    pytest.param([(0, 50), (1, 30), (40, -60)], 10, 20, id="a-later-spend-still-counts"),
    pytest.param([(0, 50), (11, -50)], 10, 0, id="already-expired-line-makes-it-idempotent"),
    pytest.param([(12, 50)], 10, 0, id="nothing-old"),
])
def test_points_expire_oldest_first(lines: list[tuple[int, int]], cutoff_day: int, expected: int) -> None:
    ledger = [rules.Line(day(n), points) for n, points in lines]
    assert rules.points_to_expire(ledger, cutoff=day(cutoff_day)) == expected


@pytest.mark.parametrize(("points", "balance", "same", "problem"), [
    (50, 100, False, None), (100, 100, False, None), (101, 100, False, "积分不足：要捐 101 分，现有 100 分"),
    (0, 100, False, "请填写要捐出的积分"), (10, 100, True, "不能捐给自己"),
])
def test_donation_needs_points_and_another_person(points: int, balance: int, same: bool, problem: str | None) -> None:
    assert rules.donation_problem(points=points, balance=balance, same_holder=same) == problem


def test_import_refuses_stored_ids_repeats_and_unknown_people() -> None:
    plan = rules.plan_import(["a", "b", "a", "c", "d"], stored={"b"}, holders_found=[True, True, True, False, True])
    assert plan.accepted == [0, 4]
    assert plan.refused == [(1, "已导入过（记录编号重复）"), (2, "文件里重复"), (3, "本站点找不到这个人")]


def test_month_summary_by_category_with_days_to_close() -> None:
    rows = [("facilities", day(0), day(2)), ("facilities", day(1), day(2)), ("facilities", day(3), None),
            ("other", day(0), day(10)), ("environment", day(4), None)]
    lines = {line.category: line for line in month_summary(rows)}
    assert [line.category for line in month_summary(rows)] == ["facilities", "environment", "other"]
    assert (lines["facilities"].reported, lines["facilities"].closed, lines["facilities"].open) == (3, 2, 1)
    assert lines["facilities"].median_days == 1.5 and lines["facilities"].longest_days == 2.0
    assert lines["environment"].median_days is None and lines["other"].label == "其他"
