"""Issue 13's end-to-end test: a centre goes live from an EMPTY database (no demo seed) using only the portal's
pages and ``anxin`` commands, on SQLite and PostgreSQL.

The site, its admin and its bridge are created with ``anxin admin``; 200 residents and 5 volunteers with their
on-call hours are imported from generated .xlsx files; a local webhook channel is added on the channels page;
ten simulated bands (the real bridge, simulated radios) are paired on the pairing page by pressing each one;
then an SOS from one of them reaches the board of the volunteer on call for its resident's grid and the
webhook names that volunteer, and a call held offline for 30 s (its press time scripted on the band's clock,
no sleeping) is shown with its press time. Last, a rehearsal script (issue 13 point 6) played on the same
bridge makes a band fall and another's heart race, and both reach the portal.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from anxin.admin import run_admin_command
from anxin.cli import build_parser
from caregiver_portal.bands.models import Wristband
from caregiver_portal.client import PortalClient
from caregiver_portal.core.db import create_db_engine, create_session_factory
from caregiver_portal.health.models import Reading
from tests.conftest import LivePortal, free_port, start_portal_process
from tests.portal.bot_server import BotServer, bot_server
from tests.support.sheets import RESIDENT_HEADER, VOLUNTEER_HEADER, residents, xlsx
from tests.support.web import PHONE, open_page
from wearable.config import BridgeSettings
from wearable.runner import serve
from wearable.script import parse_script
from wearable.script_runner import play
from wearable.simulator import SimulatedWorld, simulated_address, simulated_key

pytestmark = pytest.mark.browser

SITE = "光明里社区服务中心"
ADMIN = ("zhanzhang", "Guangming-admin-2026")
ON_CALL = ("vol1", "Guangming-vol-2026")
PEOPLE = residents(200, grids=("第一网格", "第二网格"))
VOLUNTEERS = [("志愿者一", "13900000001", "志愿者", "第一网格", "每天 全天", "", *ON_CALL)] + [
    (f"志愿者{n}", f"1390000000{i}", "志愿者", "第二网格", "每天 全天", "", f"vol{i}", f"Guangming-vol-{i}x")
    for i, n in zip(range(2, 6), "二三四五", strict=True)]
GRID_ONE = [row for row in PEOPLE if row[4] == "第一网格"][:10]  # the residents who get the ten bands
BANDS = 10


@dataclass
class Bridge:
    """The real bridge in a thread of its own, hearing ten simulated bands nobody has registered yet."""

    loop: asyncio.AbstractEventLoop
    world: SimulatedWorld
    stop: asyncio.Event
    thread: threading.Thread
    client: PortalClient

    def rehearse(self, script: str) -> None:
        """Play a rehearsal script on the bands (times from now)."""
        asyncio.run_coroutine_threadsafe(play(self.world, parse_script(script, BANDS)), self.loop)

    def press(self, index: int, *, pressed_ago_s: float = 0.0) -> None:
        """The band's button is pressed (``pressed_ago_s``: its clock says the press was that long ago)."""
        band = self.world.band(simulated_address(index))

        def press() -> None:
            real = self.world.now
            self.world.now = lambda: time.time() - pressed_ago_s
            try:
                band.press_sos()
            finally:
                self.world.now = real

        self.loop.call_soon_threadsafe(press)


@pytest.fixture
def admin_command(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                  monkeypatch: pytest.MonkeyPatch) -> Callable[..., Callable[..., str]]:
    """``anxin admin ARGS`` through the real parser and dispatcher, on the given database; returns its output."""
    monkeypatch.setenv("ANXIN_SECRET_KEY", "test-secret-key-0123456789abcdef")  # the live portal's secret

    def on(database_url: str) -> Callable[..., str]:
        def run(*args: str) -> str:
            capsys.readouterr()
            code = run_admin_command(build_parser().parse_args(
                ["admin", "--database-url", database_url, "--data-dir", str(tmp_path), *args]))
            out, err = capsys.readouterr()
            assert code == 0, out + err
            return out

        return run

    return on


def start_bridge(url: str, token: str, outbox: Path) -> Bridge:
    client = PortalClient(url, token, outbox)
    client.start()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, Any] = {}

    def run() -> None:
        asyncio.set_event_loop(loop)

        async def main() -> None:
            holder["stop"], holder["world"] = asyncio.Event(), SimulatedWorld(BANDS, advertise_interval=0.2,
                                                                              reading_interval=0.2)
            ready.set()
            await serve(client, world=holder["world"], stop=holder["stop"], install_signal_handlers=False,
                        settings=BridgeSettings(fall_cancel_window=1.0, batch_interval=1.0))

        loop.run_until_complete(main())

    thread = threading.Thread(target=run, name="go-live-bridge", daemon=True)
    thread.start()
    assert ready.wait(30)
    return Bridge(loop, holder["world"], holder["stop"], thread, client)


@pytest.fixture
def bots() -> Iterator[BotServer]:
    with bot_server() as server:
        yield server


def called_by_webhook(bots: BotServer) -> list[str]:
    return [name for request in bots.requests_to("webhook") for alert in request.json.get("alerts", [])
            if alert.get("kind") == "sos" for name in alert.get("called", [])]


def test_a_centre_goes_live_from_an_empty_database(  # noqa: PLR0915 - one story, told in order
    empty_database_url: str, tmp_path: Path, chromium: Any, bots: BotServer,
    admin_command: Callable[..., Callable[..., str]],
) -> None:
    database_url = empty_database_url  # no tables yet: the first admin command migrates
    admin = admin_command(database_url)
    admin("create-site", SITE, "--duty-phone", "010-6600-1234")
    data_dir = tmp_path / "portal"
    data_dir.mkdir()
    url = f"http://127.0.0.1:{free_port()}"
    portal = LivePortal(url, database_url, data_dir, "", "", start_portal_process(url, database_url, data_dir))
    bridge = None
    try:
        admin("create-user", ADMIN[0], "--role", "admin", "--display-name", "王站长", "--password", ADMIN[1])
        (tmp_path / "residents.xlsx").write_bytes(xlsx([RESIDENT_HEADER, *PEOPLE]))
        assert "新建 200" in admin("import-residents", str(tmp_path / "residents.xlsx"), "--site", SITE, "--yes")
        (tmp_path / "volunteers.xlsx").write_bytes(xlsx([VOLUNTEER_HEADER, *VOLUNTEERS]))
        assert "新建 5" in admin("import-volunteers", str(tmp_path / "volunteers.xlsx"), "--site", SITE, "--yes")
        token = re.search(r"令牌（只显示这一次，请妥善保存）：(\S+)",
                          admin("create-device", "--site", SITE, "--kind", "bridge", "--name", "大厅网关")).group(1)  # type: ignore[union-attr]
        bridge = start_bridge(url, token, tmp_path / "bridge-outbox.sqlite3")

        page = open_page(chromium, portal, *ADMIN, PHONE)
        page.goto(f"{url}/admin/channels")
        page.select_option("#channel-kind", "webhook")
        page.fill("#channel-name", "光明里志愿者群")
        page.fill("#channel-url", f"{bots.url}/webhook/guangming")
        page.locator("#channel-url").press("Enter")
        page.locator(".flash-ok").wait_for()

        page.goto(f"{url}/admin/bands/pair")
        for index, (name, room, *_rest, code) in enumerate(GRID_ONE, start=1):
            address = simulated_address(index)
            bridge.press(index)  # the admin presses the band in hand...
            page.locator(f'li[data-address="{address}"][data-lit="true"]').wait_for(timeout=30_000)
            assert page.locator(f'input[name=address][value="{address}"]').is_checked()  # ...and it is the one chosen
            page.select_option("#resident", label=f"{name} · {room} · {code}")
            page.fill("#key", simulated_key(address).hex())  # the band's factory key
            page.get_by_role("button", name="配对").click()
            page.locator(".flash-ok").filter(has_text=f"已配对：{address} → {name}").wait_for()
        page.context.close()

        volunteer = open_page(chromium, portal, *ON_CALL, PHONE)
        volunteer.wait_for_selector("#board[data-live=true]")
        first_name, first_room = GRID_ONE[0][0], GRID_ONE[0][1]
        deadline = time.monotonic() + 60
        card = volunteer.locator("[data-alert-id][data-state=open]").filter(has_text=first_room)
        while not card.count():  # the bridge takes the new key within seconds: press until an alert comes
            assert time.monotonic() < deadline, "no SOS from the first paired band reached the board"
            bridge.press(1)
            volunteer.wait_for_timeout(1000)
        assert "紧急呼叫" in card.first.inner_text()
        while "志愿者一" not in called_by_webhook(bots):
            assert time.monotonic() < deadline + 30, f"the webhook never named the volunteer: {bots.received}"
            time.sleep(0.2)

        second_room = GRID_ONE[1][1]
        bridge.press(2, pressed_ago_s=30)  # held offline for 30 s: the band's clock says when it was pressed
        late = volunteer.locator("[data-alert-id]").filter(has_text=second_room).filter(has_text="秒送达")
        late.wait_for(timeout=60_000)
        note = re.search(r"按下于 \d\d:\d\d，网络中断后 (\d+) 秒送达", late.inner_text())
        assert note is not None and 29 <= int(note.group(1)) < 60, late.inner_text()  # 30 s + delivery on a busy host
        [alert] = [a for a in bridge.client.site_alerts() if a["place"] == second_room]  # the pairing press: none
        assert 29 <= (_at(alert["received_at"]) - _at(alert["occurred_at"])) < 60

        bridge.rehearse("0s 4 fall; 0s 3 heart-rate 160")  # resident 3 consented to health data
        volunteer.locator("[data-alert-id]").filter(has_text=GRID_ONE[3][1]).filter(has_text="跌倒").wait_for(
            timeout=60_000)
        while not high_heart_rates(database_url, simulated_address(3)):
            assert time.monotonic() < deadline + 120, "no racing heart rate from band 3 reached the portal"
            time.sleep(0.2)
        print(f"{SITE} live: 200 residents, 5 volunteers, {BANDS} bands paired by pressing; SOS to "
              f"{first_name}'s volunteer named in the webhook ({database_url.split(':')[0]})")
    finally:
        if bridge is not None:
            bridge.loop.call_soon_threadsafe(bridge.stop.set)
            bridge.thread.join(15)
            bridge.client.close()
        portal.stop()


def high_heart_rates(database_url: str, address: str) -> list[float]:
    """Heart rates of 150 bpm or more the portal stored for the band (the check reads the database)."""
    engine = create_db_engine(database_url)
    try:
        with create_session_factory(engine)() as session:
            return list(session.scalars(select(Reading.value).join(Wristband, Wristband.id == Reading.wristband_id)
                                        .where(Wristband.address == address, Reading.kind == "heart_rate",
                                               Reading.value >= 150)))
    finally:
        engine.dispose()


def _at(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text).timestamp()
