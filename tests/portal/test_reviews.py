"""Review of slow emergencies and false alarms: the pure rules table-driven with time passed in, the
ticker's review sweep on both databases, an admin closing an item, and the monthly report's figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from caregiver_portal.accounts.models import User
from caregiver_portal.core.db import transaction
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.reports.service import against_target, month_report, report_csv, report_rows
from caregiver_portal.reviews.models import ReviewItem
from caregiver_portal.reviews.rules import AlertTimes, accidental, review_due, waited_seconds
from caregiver_portal.reviews.service import close_review, open_due_reviews
from tests.portal.escalation_world import World, at

T = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def s(seconds: float) -> datetime:
    return T + timedelta(seconds=seconds)


@pytest.mark.parametrize(("times", "now", "due"), [
    pytest.param(AlertTimes(created_at=T), s(179), False, id="open-179s"),
    pytest.param(AlertTimes(created_at=T), s(180), True, id="open-exactly-180s"),
    pytest.param(AlertTimes(created_at=T, accepted_at=s(180)), s(900), False, id="accepted-at-180s-is-in-time"),
    pytest.param(AlertTimes(created_at=T, accepted_at=s(181)), s(900), True, id="accepted-late"),
    pytest.param(AlertTimes(created_at=s(30), occurred_at=T, accepted_at=s(200)), s(900), True,
                 id="counted-from-the-press"),
    pytest.param(AlertTimes(created_at=T, occurred_at=s(60), accepted_at=s(170)), s(900), False,
                 id="device-clock-ahead-counts-from-arrival"),
    pytest.param(AlertTimes(created_at=T, closed_at=s(40)), s(900), False, id="cancelled-before-180s"),
    pytest.param(AlertTimes(created_at=T, closed_at=s(400)), s(900), True, id="cancelled-unaccepted-after-180s"),
    pytest.param(AlertTimes(created_at=T, on_record_only=True), s(900), False, id="fall-cancelled-on-the-band"),
])
def test_review_is_due_when_not_accepted_within_180_s(times: AlertTimes, now: datetime, due: bool) -> None:
    assert review_due(times, now) is due


@pytest.mark.parametrize(("times", "cancelled", "by_staff", "expected"), [
    pytest.param(AlertTimes(created_at=T, closed_at=s(60)), True, False, True, id="device-cancel-within-60s"),
    pytest.param(AlertTimes(created_at=T, closed_at=s(61)), True, False, False, id="device-cancel-after-window"),
    pytest.param(AlertTimes(created_at=T, closed_at=s(600)), True, True, True, id="volunteer-marked-false"),
    pytest.param(AlertTimes(created_at=T, closed_at=s(20)), False, False, False, id="resolved-quickly-is-real"),
    pytest.param(AlertTimes(created_at=T, on_record_only=True), True, False, True, id="cancelled-on-the-band"),
])
def test_accidental_alarm(times: AlertTimes, cancelled: bool, by_staff: bool, expected: bool) -> None:
    assert accidental(times, cancelled=cancelled, cancelled_by_staff=by_staff) is expected


def test_waited_seconds_and_targets() -> None:
    assert waited_seconds(AlertTimes(created_at=T, accepted_at=s(200))) == 200
    assert waited_seconds(AlertTimes(created_at=T)) is None
    assert against_target(0.99, 0.99) == "达标"
    assert against_target(0.97, 0.985) == "未达标（差 1.5 个百分点）"
    assert against_target(None, 0.99) == ""


def reviews(world: World) -> list[ReviewItem]:
    with world.factory() as session:
        return list(session.scalars(select(ReviewItem).order_by(ReviewItem.alert_id)))


def test_review_sweep_opens_one_item_per_late_emergency_and_an_admin_closes_it(world: World) -> None:
    late = world.raise_alert(at(0), "rev-late")
    quick = world.raise_alert(at(0), "rev-quick")
    help_call = world.raise_alert(at(0), "rev-help", kind="help", device="kiosk", emergency=False)
    world.accept(quick, "li1", at(50))
    sweep = dict(factory=world.factory, reads=world.factory)
    assert open_due_reviews(**sweep, now=at(179)) == 0
    assert open_due_reviews(**sweep, now=at(180)) == 1
    assert open_due_reviews(**sweep, now=at(181)) == 0  # once per alert
    [item] = reviews(world)
    assert (item.alert_id, item.waited_s, item.closed_at) == (late, None, None)
    assert world.timeline(late, "review") == [("review", "180 秒内无人接单，已列入复盘，请管理员填写原因")]
    assert help_call not in {i.alert_id for i in reviews(world)}

    with transaction(world.factory) as session:
        admin = session.get(User, world.users["admin"])
        assert admin is not None
        with pytest.raises(InvalidTransition):
            close_review(session=session, review_id=item.id, admin=admin, reason="  ", site_ids=[world.site_id],
                         now=at(900))
        close_review(session=session, review_id=item.id, admin=admin, reason="夜班只有一人；已加第二人",
                     site_ids=[world.site_id], now=at(900))
    [closed] = reviews(world)
    assert closed.close_reason == "夜班只有一人；已加第二人" and closed.closed_by_id == world.users["admin"]


def test_month_report_shows_reviews_false_alarms_and_targets(world: World) -> None:
    for n in range(3):
        alert_id = world.raise_alert(at(n), f"rep-{n}")
        world.accept(alert_id, "li1", at(n + (30 if n else 200)))  # one accepted after 200 s
    with transaction(world.factory) as session:  # a volunteer marks a fourth one false
        from caregiver_portal.alerts.service import cancel_alert
        fourth = world.raise_alert(at(5), "rep-false")
        cancel_alert(session=session, alert_id=fourth, reason="老人误按", now=at(400),
                     user=session.get(User, world.users["li1"]))
    open_due_reviews(factory=world.factory, reads=world.factory, now=at(600))
    with world.factory() as session:
        report = month_report(session, site_id=world.site_id, year=2026, month=11)
    assert len(report.reviews) == 2 and {line.waited_s for line in report.reviews} == {200, None}
    assert (report.alarm_quality.alarms, report.alarm_quality.accidental) == (4, 1)
    rows = dict(report_rows(report))
    assert rows["60 秒内接单比例"] == "66.7%" and rows["60 秒目标 98.5%"].startswith("未达标")
    assert rows["误报比例"] == "25.0%" and rows["复盘（180 秒内无人接单）"] == "2"
    assert "未关闭" in report_csv(report)
