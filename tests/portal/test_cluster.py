"""Several portal instances behind nginx (``anxin cluster``): the generated configuration, TLS and forwarded
headers, and an instance killed under boards and devices losing nothing (issue 21 points 1 and 2)."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from anxin.cli import build_parser
from anxin.cluster import Cluster, ClusterOptions
from anxin.nginx import NginxLayout, render_config
from caregiver_portal.accounts.models import User
from caregiver_portal.alerts.models import Alert, AlertEvent
from caregiver_portal.alerts.service import accept_alert
from caregiver_portal.app import request_limit
from caregiver_portal.client import AlertCreate, PortalClient, ReadingIn
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.middleware import ConcurrencyLimitMiddleware
from caregiver_portal.core.settings import parse_pool, settings_for_data_dir
from caregiver_portal.escalation.models import Escalation
from caregiver_portal.health.models import Reading
from tests.conftest import wait_until
from tests.portal.sse_client import messages, signed_in
from tests.support.databases import POSTGRES_ENV, fresh_database_url
from tests.support.seeding import TEST_WRISTBANDS, seed_for_tests

# Steps a few seconds apart, so a whole ladder (and the reminders after an acceptance) runs inside the test.
POLICY = {"policies": {"emergency": {
    "open": {"steps": [{"after_s": 0, "notify": ["grid_volunteers"], "label": "通知本网格"},
                       {"after_s": 3, "notify": ["site_volunteers"], "label": "通知全站"},
                       {"after_s": 6, "notify": ["admins"], "label": "通知管理员"}]},
    "accepted": {"steps": [{"after_s": 3, "notify": ["acceptor"], "label": "提醒接单人"},
                           {"after_s": 6, "notify": ["acceptor"], "label": "再提醒接单人"}]}}}}
LEVEL = re.compile(r"第(\d+)级")


def layout(tmp_path: Path, **changes: object) -> NginxLayout:
    """A layout with two instances."""
    base = {"upstreams": ("127.0.0.1:8101", "127.0.0.1:8102"), "listen_host": "0.0.0.0", "listen_port": 443,
            "server_name": "anxin.example.org", "certificate": tmp_path / "c.pem",
            "certificate_key": tmp_path / "k.pem", "prefix": tmp_path}
    return NginxLayout(**{**base, **changes})  # type: ignore[arg-type]


def test_nginx_config_balances_without_stickiness_streams_unbuffered_and_replaces_forwarded_headers(
        tmp_path: Path) -> None:
    config = render_config(layout(tmp_path, http_port=80))
    upstream = config[config.index("upstream anxin_portal"):config.index("keepalive")]
    assert upstream.count("max_fails=1 fail_timeout=5s") == 2
    assert "ip_hash" not in config and "sticky" not in config and "hash " not in upstream
    stream = config[config.index("location ~ /events$"):]
    assert "proxy_buffering off;" in stream and "proxy_read_timeout 3600s;" in stream
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config  # replaced, not appended
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in config
    assert "listen 0.0.0.0:443 ssl http2;" in config and "return 301 https://$host$request_uri;" in config
    assert "proxy_http_version 1.1;" in config and 'proxy_set_header Connection "";' in config


@pytest.mark.parametrize(("changes", "expected"), [
    pytest.param({"listen_port": 8443, "http_port": 8080}, "return 301 https://$host:8443$request_uri;", id="port"),
    pytest.param({"user": "nobody nogroup"}, "user nobody nogroup;", id="workers-account"),
    pytest.param({"workers": "auto"}, "worker_processes auto;", id="workers"),
])
def test_nginx_config_options(tmp_path: Path, changes: dict[str, object], expected: str) -> None:
    assert expected in render_config(layout(tmp_path, **changes))


def test_nginx_config_needs_an_instance(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        render_config(layout(tmp_path, upstreams=()))


@dataclass
class Board:
    """A live board through the balancer: the newest event id it saw per alert, and how often it connected.

    After a cut it reconnects once ``reconnect`` is set (a phone that takes its time), so that the test can
    make sure events happen while it is away.
    """

    session: requests.Session
    latest: dict[int, int] = field(default_factory=dict)
    connections: int = 0
    cut: bool = False
    replayed: int = 0
    ready: threading.Event = field(default_factory=threading.Event)
    reconnect: threading.Event = field(default_factory=threading.Event)

    def follow(self, url: str, stop: threading.Event) -> None:
        """Read ``/board/events`` until ``stop``, resuming with ``Last-Event-ID`` after a cut."""
        last_id = 0
        while not stop.is_set():
            headers = {"Last-Event-ID": str(last_id)} if last_id else {}
            try:
                with self.session.get(f"{url}/board/events", headers=headers, stream=True, timeout=(10, 30)) as answer:
                    self.connections += 1
                    before_ready = True
                    for message in messages(answer):
                        if message.event == "ready":
                            before_ready = False
                            self.ready.set()
                        elif message.event == "alert":
                            self.replayed += before_ready
                            last_id = max(last_id, int(message.id))
                            alert_id = message.data["alert_id"]
                            self.latest[alert_id] = max(self.latest.get(alert_id, 0), int(message.id))
                        if stop.is_set():
                            return
            except requests.RequestException:
                pass
            self.cut = True
            while not (self.reconnect.is_set() or stop.wait(0.1)):
                pass


@pytest.fixture
def postgres_url(tmp_path: Path) -> Iterator[str]:
    """A fresh PostgreSQL database (the cluster's database)."""
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip("several instances need PostgreSQL (set ANXIN_TEST_DATABASE_URL)")
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.skip("nginx is not installed (scripts/bootstrap.sh installs it)")
    with fresh_database_url("postgresql", tmp_path) as url:
        yield url


@pytest.fixture
def bridge_token(postgres_url: str) -> str:
    """Seed the database with the demo site; the bridge's token."""
    return seed_for_tests(postgres_url)[1]


@pytest.fixture
def cluster(postgres_url: str, bridge_token: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    """Four instances behind nginx on the seeded database, with the quick escalation policy."""
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY), encoding="utf-8")
    # Small pools: 4 instances x (2 + 3 + 3 listening) connections leave the shared server room for other tests.
    with Cluster(ClusterOptions(database_url=postgres_url, data_dir=tmp_path / "data", instances=4,
                                database_pool=(2, 3), env={"ANXIN_ESCALATION_POLICY": str(policy)})) as running:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", running.ca_file)  # requests (and PortalClient) trust it
        yield running


def sos(number: int) -> AlertCreate:
    """An SOS from one of the seeded wristbands."""
    return AlertCreate(event_id=f"cluster-sos-{number}", kind="sos", wristband=TEST_WRISTBANDS[number % 3])


def test_an_instance_killed_under_boards_and_devices_loses_nothing_and_fires_nothing_twice(
        cluster: Cluster, postgres_url: str, bridge_token: str, tmp_path: Path) -> None:
    first = signed_in(cluster.url, "volunteer1", "anxin-demo")
    assert [cookie.secure for cookie in first.cookies if cookie.name == "anxin_session"] == [True]
    assert_forwarded_headers_believed_only_from_the_balancer(cluster)
    boards = [Board(session=first if n == 0 else signed_in(cluster.url, "volunteer1", "anxin-demo")) for n in range(8)]
    stop = threading.Event()
    threads = [threading.Thread(target=board.follow, args=(cluster.url, stop), daemon=True) for board in boards]
    for thread in threads:
        thread.start()
    engine = create_db_engine(postgres_url)
    factory = create_session_factory(engine)
    client = PortalClient(cluster.url, bridge_token, tmp_path / "bridge-outbox.sqlite3",
                          max_backoff_s=2)
    client.start()
    try:
        for board in boards:
            assert board.ready.wait(60)
        for number in range(3):
            client.raise_alert(sos(number))
        wait_until(lambda: all(len(board.latest) == 3 for board in boards))
        accept_first(factory)
        cluster.kill(0)
        wait_until(lambda: any(board.cut for board in boards))
        for number in range(3, 6):
            client.raise_alert(sos(number))
        now = datetime.now(UTC)
        client.post_readings([ReadingIn(wristband=band, kind="heart_rate", value=72.0, measured_at=now)
                              for band in TEST_WRISTBANDS], batch_id="cluster-readings-1")
        wait_until(lambda: client.pending_count() == 0, timeout=90)
        for board in boards:
            board.reconnect.set()
        wait_until(lambda: ladders_done(factory), timeout=90)
        wait_until(lambda: all(board.latest == newest_per_alert(factory) for board in boards), timeout=90)
    finally:
        stop.set()
        client.close()
    cut = [board for board in boards if board.cut]
    assert cut, "no board was on the killed instance"
    assert all(board.connections == 2 for board in cut)
    assert all(board.replayed for board in cut)  # what happened while away came back from Last-Event-ID
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 6
        assert session.scalar(select(func.count()).select_from(Reading)) == 3
        steps = session.execute(select(AlertEvent.alert_id, AlertEvent.type, AlertEvent.message)
                                .where(AlertEvent.type.in_(("escalated", "reminded")))).all()
    assert len(steps) == len({(alert_id, kind, level(message)) for alert_id, kind, message in steps})  # once each
    engine.dispose()


def accept_first(factory: object) -> None:
    """volunteer1 accepts the first alert (so its reminders run too)."""
    with transaction(factory) as session:  # type: ignore[arg-type]
        user = session.scalar(select(User).where(User.username == "volunteer1"))
        first = session.scalar(select(Alert.id).order_by(Alert.id))
        assert user is not None and first is not None
        accept_alert(session=session, alert_id=first, user=user, now=datetime.now(UTC))


def ladders_done(factory: object) -> bool:
    """True when every alert has fired all its steps: no escalation deadline is left."""
    with factory() as session:  # type: ignore[operator]
        return bool(session.scalar(select(func.count()).select_from(Alert)) == 6 and session.scalar(
            select(func.count()).select_from(Escalation).where(Escalation.next_due_at.is_not(None))) == 0)


def newest_per_alert(factory: object) -> dict[int, int]:
    """The newest timeline id of every alert: what a board that missed nothing has seen last."""
    with factory() as session:  # type: ignore[operator]
        rows = session.execute(select(AlertEvent.alert_id, func.max(AlertEvent.id)).group_by(AlertEvent.alert_id))
        return {alert_id: newest for alert_id, newest in rows}


def level(message: str) -> str:
    """The step a timeline message names (第2级 …), or the whole message."""
    match = LEVEL.search(message)
    return match.group(1) if match else message


def assert_forwarded_headers_believed_only_from_the_balancer(cluster: Cluster) -> None:
    """Through nginx the portal knows it is served over TLS (HSTS); a direct caller's claim is ignored."""
    instance = cluster.instances[1]
    direct = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=30, source_address=("127.0.0.2", 0))
    direct.request("GET", "/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    answer = direct.getresponse()
    assert answer.status == 200 and answer.getheader("strict-transport-security") is None
    direct.close()
    via = requests.get(f"{cluster.url}/login", timeout=30, headers={"X-Forwarded-Proto": "http"})
    assert via.headers["strict-transport-security"].startswith("max-age=")  # nginx says https, whatever we claim


@pytest.mark.parametrize(("public_url", "secure"), [
    pytest.param("https://anxin.example.org", True, id="behind-tls"),
    pytest.param("http://127.0.0.1:8000", False, id="plain"),
])
def test_cookies_are_secure_behind_an_https_public_url(tmp_path: Path, public_url: str, secure: bool) -> None:
    assert settings_for_data_dir(tmp_path, public_url=public_url).secure_cookies is secure


@pytest.mark.parametrize(("text", "pool"), [("10+20", (10, 20)), ("5", (5, 0)), ("3+0", (3, 0))])
def test_database_pool_is_size_plus_overflow(text: str, pool: tuple[int, int]) -> None:
    assert parse_pool(text) == pool


@pytest.mark.parametrize("text", ["", "ten", "5+x", "+3"])
def test_database_pool_refuses_what_is_not_two_numbers(text: str) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["portal", "--database-pool", text])


async def test_requests_past_the_limit_wait_at_the_door_but_event_streams_do_not() -> None:
    inside, most = 0, 0
    release = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await release.wait()
        inside -= 1

    limited = ConcurrencyLimitMiddleware(app, limit=2)
    calls = [asyncio.create_task(limited({"type": "http", "path": path}, None, None))
             for path in ["/api/v1/alerts"] * 5 + ["/board/events"] * 3]
    while inside < 5:  # two requests and the three streams
        await asyncio.sleep(0.01)
    assert most == 5 and inside == 5
    release.set()
    await asyncio.gather(*calls)
    assert most == 5  # never more than 2 requests besides the 3 streams


def test_request_limit_leaves_connections_for_the_ticker_and_hubs(tmp_path: Path) -> None:
    settings = settings_for_data_dir(tmp_path, public_url="http://x", database_pool=(5, 10))
    assert request_limit(settings) == 11
    assert request_limit(settings.with_overrides(database_pool_size=1, database_max_overflow=0)) == 2
