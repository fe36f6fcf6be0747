"""The community services' pure parts (table-driven) and their database parts (reminders, waitlist,
points) against a real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from caregiver_portal.activities import reminders
from caregiver_portal.activities import service as activities
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.web import parse_yuan
from caregiver_portal.demo.community import seed_demo_community
from caregiver_portal.health.charts import Bucket, bucket_values, build_chart, summarize
from caregiver_portal.orders.catalog import parse_synonyms
from caregiver_portal.reports.service import low_rated, response_stats
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.service import polite_name
from caregiver_portal.timebank import service as timebank
from tests.support.seeding import seed_for_tests

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 14:00 in Beijing


@pytest.mark.parametrize(("name", "gender", "birth_year", "expected"), [
    pytest.param("王秀英", "female", 1952, "王阿姨", id="woman"),
    pytest.param("李建国", "male", 1949, "李叔叔", id="man"),
    pytest.param("张桂兰", "female", 1941, "张奶奶", id="woman-over-80"),
    pytest.param("赵福生", "male", 1944, "赵爷爷", id="man-over-80"),
    pytest.param("欧阳春", "female", None, "欧阳阿姨", id="compound-surname"),
    pytest.param("刘德明", "", 1955, "刘德明", id="gender-unknown"),
])
def test_polite_name(name: str, gender: str, birth_year: int | None, expected: str) -> None:
    assert polite_name(name, gender, birth_year=birth_year, year=2026) == expected


@pytest.mark.parametrize(("text", "fen"), [
    pytest.param("23.5", 2350, id="one-decimal"), pytest.param("23.50元", 2350, id="yuan-suffix"),
    pytest.param("7", 700, id="whole"), pytest.param(".5", 50, id="fraction-only"),
    pytest.param("12，8", 1280, id="chinese-comma"),
])
def test_parse_yuan(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "-5", "1.234", "1.2.3"])
def test_parse_yuan_refuses_non_amounts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_yuan(text)


def test_parse_synonyms_splits_on_any_separator_and_drops_repeats() -> None:
    assert parse_synonyms("番茄，洋柿子、番茄 tomato") == ("番茄", "洋柿子", "tomato")


def test_chart_breaks_line_at_gaps_and_marks_alerts() -> None:
    start, step = NOW - timedelta(hours=24), timedelta(minutes=15)
    samples = [(start + timedelta(minutes=5 * i), 70.0) for i in range(288) if not 100 <= i < 130]
    chart = build_chart("heart_rate", bucket_values(samples, start, step), summarize(samples),
                        [(NOW - timedelta(hours=2), "紧急呼叫"), (NOW - timedelta(days=3), "old")],
                        start=start, end=NOW, step=step)
    assert len(chart.segments) == 2 and chart.dots == ()
    assert [label for _, label in chart.alert_marks] == ["紧急呼叫"]
    assert chart.summary is not None and chart.summary.count == len(samples) and chart.summary.average == 70
    assert [label for _, label in chart.x_ticks] == ["16:00", "20:00", "00:00", "04:00", "08:00", "12:00"]
    left, top, right, bottom = chart.plot
    assert chart.normal_band is not None and top < chart.normal_band[0] < bottom


def test_chart_widens_its_range_for_readings_outside_it() -> None:
    start, step = NOW - timedelta(hours=24), timedelta(hours=1)
    chart = build_chart("heart_rate", {0: Bucket(180.0, 180.0, 180.0)}, None, [], start=start, end=NOW, step=step)
    assert chart.dots and chart.dots[0][1] == chart.plot[1]  # the 180 bpm point sits at the top
    assert [label for _, label in chart.y_ticks] == ["50", "100", "150"]


@pytest.mark.parametrize(("readings", "low_high"), [
    pytest.param([70, 72, 149, 71], (70, 149), id="one-149-among-70s-stays-visible"),
    pytest.param([88, 86, 52, 90], (52, 90), id="a-dip"),
    pytest.param([70, 70], None, id="flat-no-bar"),
])
def test_chart_keeps_each_buckets_lowest_and_highest(readings: list[float],
                                                    low_high: tuple[float, float] | None) -> None:
    start, step = NOW - timedelta(hours=24), timedelta(minutes=15)
    samples = [(start + timedelta(minutes=1 + 3 * i), value) for i, value in enumerate(readings)]
    buckets = bucket_values(samples, start, step)
    assert buckets[0].mean == sum(readings) / len(readings) and (buckets[0].low, buckets[0].high) == (
        min(readings), max(readings))
    chart = build_chart("heart_rate", buckets, summarize(samples), [], start=start, end=NOW, step=step)
    if low_high is None:
        assert chart.ranges == ()
        return
    [(_, top, bottom)] = chart.ranges
    left, plot_top, right, plot_bottom = chart.plot
    assert plot_top <= top < bottom <= plot_bottom  # drawn inside the plot, the highest above the lowest
    if low_high[1] > 140:  # the y range grows to the episode, not only to the averages
        assert top == plot_top


def test_response_stats_leave_out_false_alarms() -> None:
    t = NOW
    rows = [(t, t + timedelta(seconds=30), t + timedelta(minutes=10), "resolved"),
            (t, t + timedelta(seconds=120), None, "accepted"),
            (t, None, None, "open"),
            (t, None, None, "cancelled")]
    stats = response_stats(rows)
    assert stats.count == 3 and stats.cancelled == 1 and stats.never_accepted == 1
    assert stats.within == {60: pytest.approx(1 / 3), 180: pytest.approx(2 / 3)}
    assert stats.median_accept_s == 75 and stats.median_resolve_s == 600


def test_low_rated_lists_worst_services_first_with_comments() -> None:
    rows = [("order", 1, 2, "菜不新鲜"), ("order", 1, 3, ""), ("activity", 4, 5, "好"), ("alert", 9, 1, "来得太慢")]
    items = low_rated(rows, {("order", 1): "代购 #1", ("alert", 9): "紧急呼叫 #9"})
    assert [(i.label, i.average, i.comments) for i in items] == [("紧急呼叫 #9", 1.0, ("来得太慢",)),
                                                                 ("代购 #1", 2.5, ("菜不新鲜",))]


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    seed_for_tests(database_url)
    engine = create_db_engine(database_url)
    factory = create_session_factory(engine)
    with transaction(factory) as setup:
        seed_demo_community(session=setup, now=NOW)
    with factory() as db:
        yield db
    engine.dispose()


def test_reminders_fall_due_the_day_before_and_an_hour_before(session: Session) -> None:
    spec = activities.ActivitySpec(title="太极拳", category="文体", description="", place="小广场",
                                   starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=2, hours=1),
                                   capacity=1)
    activity = activities.create_activity(session=session, site_id=1, spec=spec, user=None, now=NOW)
    first, second = session.query(Resident).order_by(Resident.id).limit(2).all()
    activities.sign_up(session=session, activity_id=activity.id, resident_id=first.id, now=NOW, site_id=1)
    waiting = activities.sign_up(session=session, activity_id=activity.id, resident_id=second.id, now=NOW, site_id=1)
    assert waiting.signup.state == "waitlisted"
    assert reminders.due_reminders(session, NOW + timedelta(hours=23)) == []
    due = reminders.due_reminders(session, NOW + timedelta(days=1, minutes=1))
    assert [(d.kind, d.resident_id) for d in due] == [("day_before", first.id)]
    assert due[0].text == "提醒您：明天 14:00 在小广场有太极拳，别忘了参加。"
    assert reminders.mark_sent(session, due[0].reminder_id, NOW + timedelta(days=1, minutes=1))
    assert not reminders.mark_sent(session, due[0].reminder_id, NOW + timedelta(days=1, minutes=2))

    activities.cancel_signup(session=session, activity_id=activity.id, resident_id=first.id,
                             now=NOW + timedelta(days=1, hours=1), site_id=1)
    hour_before = reminders.due_reminders(session, NOW + timedelta(days=1, hours=23, minutes=1))
    assert [(d.kind, d.resident_id) for d in hour_before] == [("hour_before", second.id)]
    assert reminders.due_reminders(session, NOW + timedelta(days=2, minutes=1)) == []  # started: too late


def test_moving_an_activity_moves_its_reminders(session: Session) -> None:
    spec = activities.ActivitySpec(title="义诊", category="义诊", description="", place="大厅",
                                   starts_at=NOW + timedelta(days=3), ends_at=NOW + timedelta(days=3, hours=2),
                                   capacity=5)
    activity = activities.create_activity(session=session, site_id=1, spec=spec, user=None, now=NOW)
    activities.sign_up(session=session, activity_id=activity.id, resident_id=1, now=NOW, site_id=1)
    later = activities.ActivitySpec(**{**spec.__dict__, "starts_at": NOW + timedelta(days=4),
                                       "ends_at": NOW + timedelta(days=4, hours=2)})
    activities.update_activity(session=session, activity_id=activity.id, site_id=1, spec=later, now=NOW)
    assert reminders.due_reminders(session, NOW + timedelta(days=2, hours=1)) == []
    assert [d.kind for d in reminders.due_reminders(session, NOW + timedelta(days=3, hours=1))] == ["day_before"]


def test_points_are_credited_once_per_service(session: Session) -> None:
    first = timebank.award(session=session, user_id=2, site_id=1, service="delivery", ref_id=7, now=NOW)
    again = timebank.award(session=session, user_id=2, site_id=1, service="delivery", ref_id=7, now=NOW)
    assert first is not None and first.points == 10 and again is None
    assert timebank.balance(session, user_id=2) == 10
