"""Activity reminders reach the volunteers' bots through the notification outbox: once per activity
and kind, at the right time, with the count and no names by default; the activity page shows it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient
from sqlalchemy import select

from caregiver_portal.accounts.models import Site
from caregiver_portal.activities import reminder_delivery, reminders
from caregiver_portal.activities import service as activities
from caregiver_portal.activities.models import ActivityReminder
from caregiver_portal.activities.reminder_delivery import ReminderRow, deliver_due_reminders, describe, is_overdue
from caregiver_portal.alerts.models import Alert
from caregiver_portal.app import create_app
from caregiver_portal.core.clock import CHINA_TIME, utcnow
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.settings import PortalSettings
from caregiver_portal.notifications.models import Notification, NotificationChannel
from caregiver_portal.notifications.outbox import enqueue
from caregiver_portal.notifications.sender import Sender
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.privacy import erase_resident
from caregiver_portal.ticker import Ticker
from tests.portal.bot_server import BotServer, Received
from tests.portal.escalation_world import T0, World, build_world
from tests.support.community import seed_community_for_tests
from tests.support.concurrency import at_once
from tests.support.seeding import seed_for_tests

START = datetime(2026, 11, 27, 9, 0, tzinfo=CHINA_TIME)  # published at T0 = 11-25 14:00 China time
DAY_BEFORE, HOUR_BEFORE = START - timedelta(days=1), START - timedelta(hours=1)
# 王秀英 (grid 1) is seeded by the world; these join her: name, grid number (None: no grid)
MORE_RESIDENTS = (("李建国", 1), ("张桂兰", 1), ("赵福生", 2), ("刘德明", 2), ("陈秀兰", 2), ("杨国强", None),
                  ("黄淑芬", None), ("周志明", None), ("吴玉梅", None), ("徐长林", None), ("孙丽华", None))
ALL_NAMES = ["王秀英"] + [name for name, _ in MORE_RESIDENTS]
PORTAL = "http://portal.test"


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """The seeded community of the escalation tests, with eleven more residents."""
    community = build_world(database_url)
    with transaction(community.factory) as session:
        for number, (name, grid) in enumerate(MORE_RESIDENTS):
            session.add(Resident(site_id=community.site_id, name=name, room=f"5号楼{number + 101}",
                                 grid_id=community.grid_ids[grid - 1] if grid else None))
    yield community
    community.close()




def resident_ids(world: World, count: int = len(ALL_NAMES)) -> list[int]:
    with world.factory() as session:
        return list(session.scalars(select(Resident.id).order_by(Resident.id).limit(count)))


def publish(world: World, residents: list[int], *, title: str = "社区义诊", place: str = "社区服务中心一楼",
            starts_at: datetime = START, now: datetime = T0) -> int:
    """An activity published and signed up for at ``now``; returns its id."""
    spec = activities.ActivitySpec(title=title, category="义诊", description="", place=place, starts_at=starts_at,
                                   ends_at=starts_at + timedelta(hours=2), capacity=50)
    with transaction(world.factory) as session:
        activity = activities.create_activity(session=session, site_id=world.site_id, spec=spec, user=None, now=now)
        for resident_id in residents:
            activities.sign_up(session=session, activity_id=activity.id, resident_id=resident_id, now=now,
                               site_id=world.site_id)
        return activity.id


def deliver(world: World, now: datetime, **options: Any) -> int:
    return deliver_due_reminders(factory=world.factory, now=now, **options)


def send(world: World, now: datetime) -> None:
    sender = Sender(factory=world.factory, public_url=PORTAL, http=requests.Session(), sleep=lambda _s: None)
    sender.deliver_due(now=now)


def outbox(world: World) -> list[tuple[int, int, str, str]]:
    """(channel id, activity id, kind, state) of every activity reminder in the outbox."""
    with world.factory() as session:
        rows = session.scalars(select(Notification).where(Notification.event == "activity_reminder")
                               .order_by(Notification.id))
        return [(row.channel_id, row.payload["activity_id"], row.payload["kind"], row.state) for row in rows]


def outcomes(world: World, activity_id: int) -> dict[str, set[str]]:
    """Kind -> the outcomes of its reminder rows ("" while pending)."""
    with world.factory() as session:
        rows = session.execute(select(ActivityReminder.kind, ActivityReminder.outcome)
                               .where(ActivityReminder.activity_id == activity_id))
        found: dict[str, set[str]] = {}
        for kind, outcome in rows:
            found.setdefault(kind, set()).add(outcome)
        return found


def text_of(request: Received) -> str:
    body = request.json
    return str(body["text"] if request.bot == "webhook" else body["text"]["content"])


def test_ticker_reminds_the_volunteers_bot_the_day_before_and_an_hour_before(world: World, bots: BotServer) -> None:
    world.add_channel("wecom", f"{bots.url}/wecom/send?key=K", audience=["volunteer"])
    activity_id = publish(world, resident_ids(world))
    clock = [DAY_BEFORE - timedelta(minutes=1)]
    ticker = Ticker(factory=world.factory, public_url=PORTAL, clock=lambda: clock[0])
    try:
        for now in (clock[0], DAY_BEFORE + timedelta(seconds=30), DAY_BEFORE + timedelta(seconds=90),
                    HOUR_BEFORE + timedelta(seconds=30), HOUR_BEFORE + timedelta(seconds=90)):
            clock[0] = now
            ticker.run_reminders()
            ticker.run_notifications()
    finally:
        ticker.shutdown()
    day_before, hour_before = (text_of(request) for request in bots.received)
    link = f"{PORTAL}/activities/{activity_id}"
    assert day_before == (f"【安心】活动提醒：明天 09:00「社区义诊」（社区服务中心一楼），已报名 12 人，"
                          f"请提前提醒长者。\n{link}")
    assert hour_before == (f"【安心】活动提醒：今天 09:00「社区义诊」（社区服务中心一楼）一小时后开始，已报名 12 人，"
                           f"请提醒长者准时出发。\n{link}")
    assert not any(name in day_before + hour_before for name in ALL_NAMES)  # PIPL: count only by default
    assert outbox(world) == [(1, activity_id, "day_before", "sent"), (1, activity_id, "hour_before", "sent")]
    assert outcomes(world, activity_id) == {"day_before": {"sent"}, "hour_before": {"sent"}}


def test_each_staff_bot_hears_of_its_residents_and_family_bots_hear_nothing(world: World, bots: BotServer) -> None:
    site = world.add_channel("webhook", f"{bots.url}/webhook/site", audience=["volunteer", "admin"])
    grid1 = world.add_channel("wecom", f"{bots.url}/wecom/grid1?key=K", audience=["caregiver"], grid=1)
    grid2 = world.add_channel("wecom", f"{bots.url}/wecom/grid2?key=K", audience=["volunteer"], grid=2)
    world.add_channel("webhook", f"{bots.url}/webhook/family", audience=[])  # contacts only
    world.add_channel("webhook", f"{bots.url}/webhook/admins", audience=["admin"])
    ids = resident_ids(world)
    activity_id = publish(world, [ids[0], ids[1], ids[3], ids[6]])  # grid 1, grid 1, grid 2, no grid
    assert deliver(world, DAY_BEFORE) == 4
    send(world, DAY_BEFORE)
    texts = {request.path: text_of(request) for request in bots.received}
    assert set(texts) == {"/webhook/site", "/wecom/grid1", "/wecom/grid2"}
    assert "已报名 4 人，请提前提醒长者" in texts["/webhook/site"]
    assert "已报名 4 人，其中本网格 2 人" in texts["/wecom/grid1"]
    assert "已报名 4 人，其中本网格 1 人" in texts["/wecom/grid2"]
    [webhook] = [request for request in bots.received if request.path == "/webhook/site"]
    assert webhook.json["event"] == "activity_reminder" and webhook.json["alerts"] == []
    [notice] = webhook.json["notices"]
    assert (notice["activity_id"], notice["kind"], notice["signed_up"]) == (activity_id, "day_before", 4)
    assert notice["link"] == f"{PORTAL}/activities/{activity_id}"
    assert sorted(channel for channel, *_ in outbox(world)) == sorted([site, grid1, grid2])


def test_names_are_added_only_when_the_site_turns_personal_details_on(world: World, bots: BotServer) -> None:
    world.add_channel("wecom", f"{bots.url}/wecom/send?key=K", audience=["volunteer"])
    with transaction(world.factory) as session:
        site = session.get(Site, world.site_id)
        assert site is not None
        site.bot_personal_details = True
    publish(world, resident_ids(world, 3))
    deliver(world, DAY_BEFORE)
    send(world, DAY_BEFORE)
    [request] = bots.received
    assert "已报名 3 人（王秀英、李建国、张桂兰）" in text_of(request)


def test_running_twice_delivers_once(world: World, bots: BotServer) -> None:
    world.add_channel("wecom", f"{bots.url}/wecom/send?key=K", audience=["volunteer"])
    publish(world, resident_ids(world, 5))
    assert deliver(world, DAY_BEFORE + timedelta(minutes=1)) == 5
    assert deliver(world, DAY_BEFORE + timedelta(minutes=1)) == 0
    assert deliver(world, DAY_BEFORE + timedelta(minutes=2)) == 0
    send(world, DAY_BEFORE + timedelta(minutes=2))
    assert len(bots.received) == 1 and len(outbox(world)) == 1


def test_two_portal_processes_ticking_at_once_deliver_each_reminder_once(world: World) -> None:
    channel_id = world.add_channel("webhook", "http://127.0.0.1:9/unused", audience=["volunteer"])
    ids = resident_ids(world)
    activity_ids = [publish(world, ids[i % 4::4], title=f"活动{i}", starts_at=START + timedelta(minutes=i))
                    for i in range(16)]
    twin = world.reopen()  # a second "portal process": its own engine and connections
    try:
        for now in (HOUR_BEFORE - timedelta(hours=2), START - timedelta(minutes=30)):
            handled = at_once(lambda n=now: deliver(world, n, batch_size=3),
                              lambda n=now: deliver(twin, n, batch_size=3))
            assert all(isinstance(count, int) for count in handled), handled
            assert sum(handled) == sum(len(ids[i % 4::4]) for i in range(16))
    finally:
        twin.close()
    expected = sorted((channel_id, a, kind, "pending") for a in activity_ids for kind in ("day_before", "hour_before"))
    assert sorted(outbox(world)) == expected  # one message per activity and kind, none twice


def test_a_failure_rolls_back_the_marks_with_the_messages(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.add_channel("wecom", "http://127.0.0.1:9/unused", audience=["volunteer"])
    failing, fine = publish(world, resident_ids(world, 2), title="先失败"), publish(world, resident_ids(world, 2),
                                                                                  title="正常", starts_at=START
                                                                                  + timedelta(hours=1))

    def enqueue_or_fail(session: Any, **kwargs: Any) -> Notification:
        if kwargs["payload"]["activity_id"] == failing:
            raise RuntimeError("outbox unavailable")
        return enqueue(session, **kwargs)

    monkeypatch.setattr(reminder_delivery, "enqueue", enqueue_or_fail)
    assert deliver(world, DAY_BEFORE + timedelta(hours=1)) == 2  # the other activity is not held up
    assert outcomes(world, failing) == {"day_before": {""}, "hour_before": {""}}  # still due: nothing lost
    assert [a for _, a, _, _ in outbox(world)] == [fine]
    monkeypatch.undo()
    assert deliver(world, DAY_BEFORE + timedelta(hours=1, minutes=1)) == 2
    assert sorted(a for _, a, _, _ in outbox(world)) == sorted([fine, failing])


def test_cancelled_signups_do_not_count_and_a_cancelled_activity_is_not_reminded(world: World,
                                                                                 bots: BotServer) -> None:
    world.add_channel("wecom", f"{bots.url}/wecom/send?key=K", audience=["volunteer"])
    ids = resident_ids(world, 3)
    kept, called_off = publish(world, ids), publish(world, ids, title="健康讲座")
    with transaction(world.factory) as session:
        activities.cancel_signup(session=session, activity_id=kept, resident_id=ids[0], now=T0, site_id=None)
        activities.cancel_activity(session=session, activity_id=called_off, site_id=None, now=T0)
    assert deliver(world, DAY_BEFORE) == 2
    send(world, DAY_BEFORE)
    [request] = bots.received
    assert "「社区义诊」" in text_of(request) and "已报名 2 人" in text_of(request)
    assert [a for _, a, _, _ in outbox(world)] == [kept]


def test_cancelling_after_the_message_was_queued_withdraws_it(world: World, bots: BotServer) -> None:
    world.add_channel("wecom", f"{bots.url}/wecom/send?key=K", audience=["volunteer"])
    activity_id = publish(world, resident_ids(world, 2))
    deliver(world, DAY_BEFORE)  # queued, but the bot is not reached before ...
    with transaction(world.factory) as session:  # ... the organiser calls it off
        activities.cancel_activity(session=session, activity_id=activity_id, site_id=None, now=DAY_BEFORE)
    send(world, DAY_BEFORE + timedelta(seconds=1))
    assert bots.received == [] and outbox(world) == [(1, activity_id, "day_before", "skipped")]


def move(world: World, activity_id: int, starts_at: datetime, now: datetime) -> None:
    spec = activities.ActivitySpec(title="社区义诊", category="义诊", description="", place="社区服务中心一楼",
                                   starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), capacity=50)
    with transaction(world.factory) as session:
        activities.update_activity(session=session, activity_id=activity_id, site_id=None, spec=spec, now=now)


def test_a_moved_activity_is_reminded_at_its_new_time_even_after_the_old_reminder(world: World,
                                                                                  bots: BotServer) -> None:
    world.add_channel("wecom", f"{bots.url}/wecom/send?key=K", audience=["volunteer"])
    activity_id = publish(world, resident_ids(world, 2))
    assert deliver(world, DAY_BEFORE) == 2  # "明天 09:00" went out for 11-27 ...
    send(world, DAY_BEFORE)
    later = START + timedelta(days=7)
    move(world, activity_id, later, DAY_BEFORE + timedelta(hours=1))  # ... then it moved a week on
    assert deliver(world, HOUR_BEFORE) == 0  # nothing for the old date
    assert deliver(world, later - timedelta(days=1)) == 2
    send(world, later - timedelta(days=1))
    heads = [text_of(request).split("，")[0] for request in bots.received]
    assert heads == ["【安心】活动提醒：明天 09:00「社区义诊」（社区服务中心一楼）"] * 2
    assert [kind for _, _, kind, _ in outbox(world)] == ["day_before", "day_before"]


@pytest.mark.parametrize(("kind", "before_start", "overdue"), [
    pytest.param("day_before", timedelta(hours=24), False, id="day-before-on-time"),
    pytest.param("day_before", timedelta(hours=2), False, id="day-before-late-but-before-the-hour"),
    pytest.param("day_before", timedelta(hours=1), True, id="day-before-once-the-hour-before-is-due"),
    pytest.param("hour_before", timedelta(hours=1), False, id="hour-before-on-time"),
    pytest.param("hour_before", timedelta(minutes=15), False, id="hour-before-15-min-left"),
    pytest.param("hour_before", timedelta(minutes=14), True, id="hour-before-too-late"),
])
def test_overdue_rule(kind: str, before_start: timedelta, overdue: bool) -> None:
    assert is_overdue(kind, starts_at=START, now=START - before_start) is overdue


def test_after_an_outage_only_the_reminder_that_still_helps_goes_out(world: World, bots: BotServer) -> None:
    world.add_channel("wecom", f"{bots.url}/wecom/send?key=K", audience=["volunteer"])
    early, late = publish(world, resident_ids(world, 3)), publish(world, resident_ids(world, 2), title="健康讲座",
                                                                 starts_at=START - timedelta(minutes=30))
    back = START - timedelta(minutes=40)  # the portal was down from the day before until 08:20
    assert deliver(world, back) == 10
    send(world, back)
    [request] = bots.received  # 健康讲座 (08:30) has 10 minutes left: too late for anything
    assert text_of(request).startswith(
        "【安心】活动提醒：今天 09:00「社区义诊」（社区服务中心一楼）40 分钟后开始，已报名 3 人")
    assert outcomes(world, early) == {"day_before": {"overdue"}, "hour_before": {"sent"}}
    assert outcomes(world, late) == {"day_before": {"overdue"}, "hour_before": {"overdue"}}
    with world.factory() as session:
        assert reminders.due_reminders(session, back) == []  # nothing piles up


def test_late_day_before_reminder_tells_the_real_day(world: World, bots: BotServer) -> None:
    world.add_channel("wecom", f"{bots.url}/wecom/send?key=K", audience=["volunteer"])
    publish(world, resident_ids(world, 1))
    deliver(world, START - timedelta(hours=3))  # 06:00 on the day
    send(world, START - timedelta(hours=3))
    assert text_of(bots.received[0]).startswith("【安心】活动提醒：今天 09:00「社区义诊」")


def test_without_a_volunteers_bot_reminders_are_marked_and_do_not_pile_up(world: World) -> None:
    world.add_channel("webhook", "http://127.0.0.1:9/family", audience=[])  # a family bot only
    activity_id = publish(world, resident_ids(world, 2))
    assert deliver(world, DAY_BEFORE) == 2
    assert outbox(world) == [] and outcomes(world, activity_id)["day_before"] == {"no_channel"}
    assert deliver(world, DAY_BEFORE + timedelta(minutes=1)) == 0


def test_alerts_and_reminders_due_together_never_share_a_post(world: World, bots: BotServer) -> None:
    channel_id = world.add_channel("wecom", f"{bots.url}/wecom/send?key=K", audience=["volunteer"])
    publish(world, resident_ids(world, 2))
    deliver(world, DAY_BEFORE)
    alert_id = world.raise_alert(DAY_BEFORE, "sos-1")
    with transaction(world.factory) as session:
        enqueue(session, alert=session.get(Alert, alert_id), channel_id=channel_id, event="alarm",
                payload={"step": "第1级"}, now=DAY_BEFORE)
    send(world, DAY_BEFORE + timedelta(seconds=1))
    send(world, DAY_BEFORE + timedelta(seconds=2))
    first, second = (text_of(request) for request in bots.received)
    assert "紧急呼叫" in first and "活动提醒" not in first
    assert second.startswith("【安心】活动提醒：明天 09:00")


@pytest.mark.parametrize(("kind", "rows", "cancelled", "state", "text"), [
    pytest.param("day_before", [], False, "none", "没有要提醒的报名", id="nobody-signed-up"),
    pytest.param("day_before", [(DAY_BEFORE, None, "", False)], False, "waiting", "未到时间（11月26日 09:00）",
                 id="waiting"),
    pytest.param("day_before", [(DAY_BEFORE - timedelta(hours=30), None, "", False)], False, "due", "即将发送",
                 id="due-before-the-next-tick"),
    pytest.param("day_before", [(DAY_BEFORE, DAY_BEFORE + timedelta(seconds=20), "sent", False),
                                (DAY_BEFORE, None, "", True)], False, "sent", "已发送 11月26日 09:00", id="sent"),
    pytest.param("hour_before", [(HOUR_BEFORE, HOUR_BEFORE, "no_channel", False)], False, "no_channel",
                 "未发送：没有配置通知渠道", id="no-channel"),
    pytest.param("day_before", [(DAY_BEFORE, HOUR_BEFORE, "overdue", False)], False, "overdue",
                 "未发送：错过了时间，改由一小时前提醒", id="overdue"),
    pytest.param("hour_before", [(HOUR_BEFORE, None, "", True)], True, "cancelled", "活动已取消，不再提醒",
                 id="activity-cancelled"),
])
def test_activity_page_states(kind: str, rows: list[tuple[datetime, datetime | None, str, bool]], cancelled: bool,
                              state: str, text: str) -> None:
    now = DAY_BEFORE - timedelta(hours=6)
    described = describe(kind, [ReminderRow(*row) for row in rows], starts_at=START, cancelled=cancelled, now=now)
    assert (described.state, described.text) == (state, text)


@pytest.fixture
def portal(portal_settings: PortalSettings) -> Iterator[TestClient]:
    """The seeded portal in-process, with its ticker off (the test runs the reminders with its own clock)."""
    seed_for_tests(portal_settings.database_url)
    seed_community_for_tests(portal_settings.database_url)
    with TestClient(create_app(portal_settings.with_overrides(tick_interval_s=0))) as client:
        yield client


def reminder_lines(client: TestClient, activity_id: int) -> dict[str, tuple[str, str]]:
    page = client.get(f"/activities/{activity_id}").text
    found = re.findall(r'<span data-reminder="(\w+)" data-state="(\w+)">([^<]*)</span>', page)
    return {kind: (state, text) for kind, state, text in found}


def test_activity_page_shows_whether_the_volunteers_were_reminded(portal: TestClient,
                                                                  portal_settings: PortalSettings) -> None:
    login = portal.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    portal.post("/login", data={"csrf_token": token, "username": "admin", "password": "anxin-admin"})
    engine = create_db_engine(portal_settings.database_url)
    factory = create_session_factory(engine)
    now = utcnow()
    starts_at = (now + timedelta(days=1, hours=3)).replace(second=0, microsecond=0)
    with transaction(factory) as session:
        site_id = session.scalars(select(Site.id)).first()
        assert site_id is not None
        spec = activities.ActivitySpec(title="剪纸", category="兴趣班", description="", place="活动室",
                                       starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), capacity=5)
        activity = activities.create_activity(session=session, site_id=site_id, spec=spec, user=None, now=now)
        activities.sign_up(session=session, activity_id=activity.id,
                           resident_id=session.scalars(select(Resident.id)).first(), now=now, site_id=site_id)
    try:
        day_before = reminder_lines(portal, activity.id)["day_before"]
        assert day_before[0] == "waiting" and day_before[1].startswith("前一天提醒：未到时间（")
        deliver_due_reminders(factory=factory, now=starts_at - timedelta(days=1))  # no bot configured yet
        assert reminder_lines(portal, activity.id)["day_before"] == ("no_channel",
                                                                      "前一天提醒：未发送：没有配置通知渠道")
        with transaction(factory) as session:
            session.add(NotificationChannel(site_id=site_id, kind="wecom", name="志愿者群", url="http://127.0.0.1:9/",
                                            audience=["volunteer"]))
        sent_at = starts_at - timedelta(minutes=59)
        deliver_due_reminders(factory=factory, now=sent_at)
        local = sent_at.astimezone(CHINA_TIME)
        assert reminder_lines(portal, activity.id)["hour_before"] == (
            "sent", f"一小时前提醒：已发送 {local.month}月{local.day}日 {local:%H:%M}")
    finally:
        engine.dispose()


def test_erasing_a_resident_removes_their_name_from_reminders_already_queued(world: World, bots: BotServer) -> None:
    world.add_channel("wecom", f"{bots.url}/wecom/send?key=K", audience=["volunteer"])
    with transaction(world.factory) as session:
        session.get_one(Site, world.site_id).bot_personal_details = True
    wang, li = resident_ids(world, 2)
    publish(world, [wang, li])
    deliver(world, DAY_BEFORE)
    with transaction(world.factory) as session:
        touched = erase_resident(session=session, resident_id=wang)
    assert touched["notices (name removed)"] == 1
    with world.factory() as session:
        [text] = [n.payload["text"] for n in session.scalars(select(Notification))]
    assert "王秀英" not in text and "（已删除）" in text and "李建国" in text
