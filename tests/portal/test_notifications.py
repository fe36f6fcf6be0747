"""Bots and webhooks: request formats and signatures checked by a local HTTP server against the
vendors' documented algorithms, minimal content, retries, rate limiting and grouping."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import quote_plus

import pytest
import requests
from sqlalchemy import select

from caregiver_portal.accounts.models import Site
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.db import transaction
from caregiver_portal.notifications.models import Notification, NotificationChannel
from caregiver_portal.notifications.outbox import enqueue
from caregiver_portal.notifications.sender import Sender
from tests.portal.bot_server import BotServer, Received
from tests.portal.escalation_world import World, at, build_world

SECRET = "SECtest-secret-0123456789"
STAFF = ["volunteer", "caregiver", "admin"]


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """The seeded community on a fresh database."""
    community = build_world(database_url)
    yield community
    community.close()




def sender_for(world: World) -> Sender:
    return Sender(factory=world.factory, public_url="http://portal.test", http=requests.Session(),
                  sleep=lambda _seconds: None)


def first_step_delivered(world: World, kind: str, url: str, secret: str | None = None) -> int:
    """An SOS whose first step goes to one bot of ``kind``; returns the alert id."""
    world.add_channel(kind, url, audience=STAFF, secret=secret)
    alert_id = world.raise_alert(at(0), "sos-1")
    world.sweep(at(0))
    sender_for(world).deliver_due(now=at(1))
    return alert_id


def check_wecom(request: Received, now: datetime) -> None:
    assert request.path == "/wecom/cgi-bin/webhook/send" and request.query == {"key": ["KEY-1"]}
    assert set(request.json) == {"msgtype", "text"} and request.json["msgtype"] == "text"
    assert request.json["text"]["mentioned_mobile_list"] == ["13800000001", "13800000003"]


def check_dingtalk(request: Received, now: datetime) -> None:
    millis = request.query["timestamp"][0]
    assert millis == str(int(now.timestamp() * 1000))  # milliseconds
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{millis}\n{SECRET}".encode(), hashlib.sha256).digest())
    assert request.query["sign"] == [expected.decode()]
    assert f"sign={quote_plus(expected.decode())}" in request.raw_query  # URL-encoded on the wire
    assert request.query["access_token"] == ["TOKEN-1"]
    assert request.json["msgtype"] == "text"
    assert request.json["at"] == {"atMobiles": ["13800000001", "13800000003"], "isAtAll": False}


def check_feishu(request: Received, now: datetime) -> None:
    seconds = request.json["timestamp"]
    assert seconds == str(int(now.timestamp()))  # seconds, as a string
    key = f"{seconds}\n{SECRET}".encode()
    assert request.json["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert request.json["msg_type"] == "text" and set(request.json["content"]) == {"text"}


def check_webhook(request: Received, now: datetime) -> None:
    seconds = request.headers["X-Anxin-Timestamp"]
    mac = hmac.new(SECRET.encode(), f"{seconds}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Anxin-Signature"] == f"sha256={mac}"
    assert request.json["event"] == "alarm" and request.json["mentions"] == ["13800000001", "13800000003"]
    [alert] = request.json["alerts"]
    assert alert["kind"] == "sos" and alert["place"] == "3号楼201" and alert["link"].startswith("http://portal.test/")
    assert alert["called"] == ["李一", "王网格"]  # the webhook names the people called


def text_of(request: Received) -> str:
    body = request.json
    if request.bot == "webhook":
        return str(body["text"])
    if request.bot == "feishu":
        return str(body["content"]["text"])
    return str(body["text"]["content"])


VENDORS = (  # kind, path on the fake server, secret, checker
    ("wecom", "/wecom/cgi-bin/webhook/send?key=KEY-1", None, check_wecom),
    ("dingtalk", "/dingtalk/robot/send?access_token=TOKEN-1", SECRET, check_dingtalk),
    ("feishu", "/feishu/open-apis/bot/v2/hook/HOOK-1", SECRET, check_feishu),
    ("webhook", "/webhook/anxin", SECRET, check_webhook),
)


def test_each_bot_gets_its_vendor_format_and_signature(world: World, bots: BotServer) -> None:
    for kind, path, secret, _check in VENDORS:
        world.add_channel(kind, bots.url + path, audience=STAFF, secret=secret)
    alert_id = world.raise_alert(at(0), "sos-1")
    world.sweep(at(0))
    sender_for(world).deliver_due(now=at(1))
    for kind, _path, _secret, check in VENDORS:
        [request] = bots.requests_to(kind)
        check(request, at(1))
        text = text_of(request)
        assert "紧急呼叫 · 3号楼201" in text and f"http://portal.test/alerts/{alert_id}" in text
        assert "本次通知：李一、王网格" in text
        assert "王秀英" not in text  # no full names unless the site allows them
    deliveries = sorted(message for _, message in world.timeline(alert_id, "delivery"))
    assert deliveries == sorted(f"{kind}群：第 1 次发送成功" for kind, *_ in VENDORS)


def test_personal_details_appear_only_when_the_site_turns_them_on(world: World, bots: BotServer) -> None:
    world.add_channel("wecom", f"{bots.url}/wecom/send?key=K", audience=STAFF)
    first = world.raise_alert(at(0), "hr-1", kind="health", details={"finding": "心率持续偏高：最高 132 次/分"})
    world.sweep(at(0))
    sender_for(world).deliver_due(now=at(1))
    with transaction(world.factory) as session:
        site = session.get(Site, world.site_id)
        assert site is not None
        site.bot_personal_details = True
    second = world.raise_alert(at(2), "sos-2")
    with transaction(world.factory) as session:
        alert = session.get(Alert, second)
        assert alert is not None
        alert.details = {"finding": "心率持续偏高：最高 140 次/分"}
    world.sweep(at(2))
    sender_for(world).deliver_due(now=at(3))
    plain, personal = (text_of(r) for r in bots.received)
    assert "王秀英" not in plain and "132" not in plain and f"/alerts/{first}" in plain
    assert "王秀英" in personal and "140 次/分" in personal


def test_transient_failures_are_retried_with_backoff_and_every_attempt_is_timelined(world: World,
                                                                                    bots: BotServer) -> None:
    bots.answers["wecom"] = [(502, {}), (502, {}), (502, {})]
    alert_id = first_step_delivered(world, "wecom", f"{bots.url}/wecom/send?key=K")
    assert len(bots.received) == 3  # quick retries within one tick (tenacity)
    messages = [m for _, m in world.timeline(alert_id, "delivery")]
    assert messages == ["wecom群：第 1 次发送失败：HTTP 502", "wecom群：第 2 次发送失败：HTTP 502",
                        "wecom群：第 3 次发送失败：HTTP 502，40 秒后重试"]
    sender_for(world).deliver_due(now=at(40))
    assert len(bots.received) == 3  # still waiting
    sender_for(world).deliver_due(now=at(41))
    assert len(bots.received) == 4
    assert world.timeline(alert_id, "delivery")[-1] == ("delivery", "wecom群：第 4 次发送成功")


def test_bot_that_refuses_the_message_is_not_retried(world: World, bots: BotServer) -> None:
    bots.answers["dingtalk"] = [(200, {"errcode": 310000, "errmsg": "sign not match"})]
    alert_id = first_step_delivered(world, "dingtalk", f"{bots.url}/dingtalk/send?access_token=T", SECRET)
    assert world.timeline(alert_id, "delivery") == [
        ("delivery", "dingtalk群：第 1 次发送失败：被拒绝 (code 310000)，不再重试，请检查机器人设置")]
    with world.factory() as session:
        assert session.scalar(select(Notification.state)) == "failed"


def test_vendor_throttling_waits_for_the_next_minute(world: World, bots: BotServer) -> None:
    bots.answers["wecom"] = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    first_step_delivered(world, "wecom", f"{bots.url}/wecom/send?key=K")
    assert len(bots.received) == 1  # no quick retries into a throttled bot
    sender_for(world).deliver_due(now=at(60))
    assert len(bots.received) == 1
    sender_for(world).deliver_due(now=at(61))
    assert len(bots.received) == 2


def test_at_most_20_posts_a_minute_then_the_burst_goes_out_as_one_message(world: World, bots: BotServer) -> None:
    channel_id = world.add_channel("wecom", f"{bots.url}/wecom/send?key=K", audience=[])
    sender = sender_for(world)
    alert_ids = []
    for second in range(25):  # one new alarm a second
        alert_id = world.raise_alert(at(second), f"sos-{second}")
        alert_ids.append(alert_id)
        with transaction(world.factory) as session:
            alert = session.get(Alert, alert_id)
            assert alert is not None
            enqueue(session, alert=alert, channel_id=channel_id, event="alarm", payload={"step": "第1级"},
                    now=at(second))
        sender.deliver_due(now=at(second))
    assert len(bots.received) == 20
    sender.deliver_due(now=at(59.9))
    assert len(bots.received) == 20  # the window of the first post is still open
    sender.deliver_due(now=at(60.5))  # the first post (at 0 s plus a few ms) has left the 60 s window
    assert len(bots.received) == 21
    grouped = text_of(bots.received[-1])
    assert grouped.startswith("【安心】5 条报警通知")
    assert all(f"/alerts/{alert_id}" in grouped for alert_id in alert_ids[20:])


def test_accepting_drops_unsent_alarms_and_tells_the_bots_that_carried_one(world: World, bots: BotServer) -> None:
    alert_id = first_step_delivered(world, "wecom", f"{bots.url}/wecom/send?key=K")
    world.sweep(at(60))  # second step queued but not yet sent ...
    world.accept(alert_id, "li1", at(61))  # ... when 李一 accepts
    sender_for(world).deliver_due(now=at(62))
    assert len(bots.received) == 2
    assert "已有人接单" in text_of(bots.received[-1])
    with world.factory() as session:
        states = session.execute(select(Notification.event, Notification.state).order_by(Notification.id)).all()
    assert [tuple(row) for row in states] == [("alarm", "sent"), ("alarm", "skipped"), ("accepted", "sent")]


def test_emergency_contact_is_reached_through_the_family_webhook(world: World, bots: BotServer) -> None:
    family = world.add_channel("webhook", f"{bots.url}/webhook/family", audience=[], name="家属群")
    world.route_daughter_through(family)
    alert_id = world.raise_alert(at(0), "sos-1")
    for seconds in (0, 60, 180):
        world.sweep(at(seconds))
    sender_for(world).deliver_due(now=at(181))
    [request] = bots.received  # staff have no bot here; only the contacts step reaches the family group
    assert request.json["mentions"] == ["13900000001"]
    assert world.timeline(alert_id, "notified")[-1][1] == (
        "已通知 看板：管理员；家属群：女儿 张小红；请电话联系 儿子 张大军 13900000002")


def test_grid_bot_only_carries_alerts_of_its_grid(world: World, bots: BotServer) -> None:
    world.add_channel("wecom", f"{bots.url}/wecom/grid2?key=K", audience=STAFF, grid=2)
    world.add_channel("wecom", f"{bots.url}/wecom/grid1?key=K", audience=STAFF, grid=1)
    first_step_delivered(world, "webhook", f"{bots.url}/webhook/site")
    assert sorted(r.path for r in bots.received) == ["/webhook/site", "/wecom/grid1"]
    with world.factory() as session:
        assert session.scalar(select(NotificationChannel.lease_until).where(NotificationChannel.grid_id.is_not(None))
                              .limit(1)) is None
