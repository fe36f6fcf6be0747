"""Several portal instances on one database: nothing fires, posts or accepts twice, and the
live board of every instance hears about changes made on any other."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from caregiver_portal.alerts.live import TIMELINE, BoardEvent, coalesce, enable_notify
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.live import EventHub, listen_url
from caregiver_portal.notifications.models import Notification
from caregiver_portal.notifications.outbox import enqueue
from caregiver_portal.notifications.sender import Sender
from tests.conftest import LivePortal, free_port, start_portal_process
from tests.portal.bot_server import bot_server
from tests.portal.escalation_world import World, at, build_world
from tests.portal.sse_client import messages, signed_in
from tests.support.concurrency import at_once
from tests.support.databases import DATABASE_BACKENDS


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """The seeded community on a fresh database."""
    community = build_world(database_url)
    yield community
    community.close()


@pytest.fixture
def twin(world: World) -> Iterator[World]:
    """A second "portal process": its own engine and connections on the same database."""
    other = world.reopen()
    yield other
    other.close()


def test_two_instances_sweeping_the_same_deadlines_never_double_fire(world: World, twin: World) -> None:
    alert_ids = [world.raise_alert(at(0), f"sos-{i}") for i in range(40)]
    for seconds in (0, 60, 180, 300, 420):
        reports = at_once(lambda s=seconds: world.sweep(at(s)), lambda s=seconds: twin.sweep(at(s)))
        assert sum(report.steps for report in reports) == len(alert_ids)
    for alert_id in alert_ids:
        assert len(world.timeline(alert_id, "escalated")) == 5


def test_two_volunteers_accepting_at_once_only_one_wins(world: World, twin: World) -> None:
    alert_id = world.raise_alert(at(0), "sos-1")
    results = at_once(lambda: world.accept(alert_id, "li1", at(10)), lambda: twin.accept(alert_id, "zhao2", at(10)))
    assert sorted(type(r).__name__ for r in results) == ["InvalidTransition", "NoneType"]
    assert any(isinstance(r, InvalidTransition) for r in results)
    assert len(world.timeline(alert_id, "accepted")) == 1


def test_two_senders_never_post_the_same_notification_twice(world: World, twin: World) -> None:
    with bot_server() as bots:
        channel_id = world.add_channel("webhook", f"{bots.url}/webhook/1", audience=["volunteer"])
        alert_ids = [world.raise_alert(at(0), f"sos-{i}") for i in range(30)]
        with transaction(world.factory) as session:
            for alert_id in alert_ids:
                alert = session.get(Alert, alert_id)
                assert alert is not None
                enqueue(session, alert=alert, channel_id=channel_id, event="alarm", payload={"step": "x"}, now=at(1))
        senders = [Sender(factory=w.factory, public_url="http://portal.test", http=requests.Session(),
                          sleep=lambda _s: None) for w in (world, twin)]
        at_once(lambda: senders[0].deliver_due(now=at(2)), lambda: senders[1].deliver_due(now=at(2)))
        posted = [alert["id"] for request in bots.received for alert in request.json["alerts"]]
    assert sorted(posted) == sorted(alert_ids)  # each exactly once (grouped into one post)
    with world.factory() as session:
        assert {n.state for n in session.query(Notification)} == {"sent"}


# LISTEN/NOTIFY is PostgreSQL's: these run on PostgreSQL only (CI always has it).
postgres_only = pytest.mark.parametrize("database_url", [b for b in DATABASE_BACKENDS if b == "postgresql"],
                                        indirect=True)


@postgres_only
async def test_notify_wakes_the_hub_of_another_instance_at_once(world: World) -> None:
    enable_notify()
    engine = create_db_engine(world.engine.url.render_as_string(hide_password=False))
    hub = EventHub(create_session_factory(engine), feed=TIMELINE, poll_interval_s=3600,  # only NOTIFY can wake it
                   listen_url=listen_url(engine))
    task = asyncio.create_task(hub.run())
    try:
        while not hub.listening:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # let the catch-up poll finish
        mailbox = hub.subscribe(None)
        alert_id = await asyncio.to_thread(world.raise_alert, at(0), "notify-1")
        chunk = await asyncio.wait_for(mailbox.take(), timeout=60)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        engine.dispose()
    assert f'"alert_id":{alert_id},"type":"raised"'.encode() in chunk  # within a minute of an hour-long poll: NOTIFY


@postgres_only
def test_board_on_one_portal_process_sees_an_alert_raised_on_another(live_portal: LivePortal,
                                                                     tmp_path: Path) -> None:
    other_dir = tmp_path / "second"
    other_dir.mkdir()
    other_url = f"http://127.0.0.1:{free_port()}"
    other = start_portal_process(other_url, live_portal.database_url, other_dir)
    try:
        session = signed_in(other_url, "volunteer1", "anxin-demo")
        with session.get(f"{other_url}/board/events", stream=True, timeout=(30, 60)) as stream:
            events = messages(stream)
            assert next(events).event == "ready"
            raised = requests.post(f"{live_portal.url}/api/v1/alerts", timeout=60,
                                   headers={"Authorization": f"Bearer {live_portal.bridge_token}"},
                                   json={"event_id": "twin-1", "kind": "sos", "wristband": "F0:00:00:00:00:01"})
            alert_id = raised.json()["id"]
            first = next(message for message in events if message.event == "alert")
        assert first.data == {"alert_id": alert_id, "type": "raised"}  # NOTIFY itself: the in-process test above
    finally:
        other.terminate()
        other.wait(60)


def test_rows_of_one_alert_in_one_poll_become_one_message() -> None:
    rows = [BoardEvent(10, 1, 1, "raised"), BoardEvent(11, 2, 1, "escalated"), BoardEvent(12, 2, 1, "notified"),
            BoardEvent(13, 1, 1, "escalated")]
    assert coalesce(rows) == [BoardEvent(12, 2, 1, "escalated"), BoardEvent(13, 1, 1, "raised")]
    assert coalesce([BoardEvent(20, 3, 1, "delivery"), BoardEvent(21, 3, 1, "delivery")]) == [
        BoardEvent(21, 3, 1, "delivery")]


async def test_a_board_stream_replays_its_site_then_streams_live_events_and_pings(world: World) -> None:
    hub = EventHub(world.factory, feed=TIMELINE, keepalive_s=0.05)
    stream = await hub.stream(site_id=1, replay=lambda: [BoardEvent(5, 1, 1, "raised"), BoardEvent(6, 2, 2, "raised")])
    sent: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    disconnected = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await disconnected.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        await sent.put(message)

    async def next_body() -> bytes:
        return (await asyncio.wait_for(sent.get(), timeout=60))["body"]

    response = asyncio.create_task(stream({"type": "http"}, receive, send))
    pump = None
    try:
        start = await asyncio.wait_for(sent.get(), timeout=60)
        assert (start["status"], dict(start["headers"])[b"content-type"]) == (200, b"text/event-stream; charset=utf-8")
        first = await next_body()
        assert first.startswith(b'id: 5\nevent: alert\ndata: {"alert_id":1,"type":"raised"}\n\nevent: ready\ndata: ')
        hub.deliver([BoardEvent(7, 3, 2, "raised"), BoardEvent(8, 4, 1, "accepted")])  # site 2's is not shown
        assert await next_body() == b'id: 8\nevent: alert\ndata: {"alert_id":4,"type":"accepted"}\n\n'
        pump = asyncio.create_task(hub.run())  # its keep-alive timer pings every board
        assert await next_body() == b": ping\n\n"
        assert hub.subscriber_count == 1
        disconnected.set()
        await asyncio.wait_for(response, timeout=60)
    finally:
        if pump is not None:
            pump.cancel()
            await asyncio.gather(pump, return_exceptions=True)
    assert hub.subscriber_count == 0
