"""Administration in Debian's Chromium: a device token is shown once and works until revoked; a chat
channel gets a test message (to a local webhook receiver); grids are assigned to a grid worker; a new band is
paired by pressing it (phone and desktop)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from tests.conftest import LivePortal
from tests.support.web import (
    DESKTOP,
    PHONE,
    VIEWPORTS,
    device_api,
    open_page,
    serious_accessibility_violations,
    shared_live_portal,
    shoot,
)
from wearable.simulator import simulated_key

pytestmark = pytest.mark.browser
web_portal = shared_live_portal()


class Receiver(BaseHTTPRequestHandler):
    """A webhook endpoint that records what it is sent."""

    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append({"body": json.loads(body), "signature": self.headers.get("X-Anxin-Signature")})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Receiver.received.clear()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()
    server.server_close()


def test_admin_creates_kiosk_token_shown_once_then_revokes_it(web_portal: LivePortal, chromium: Any) -> None:
    page = open_page(chromium, web_portal, "admin", "anxin-admin", DESKTOP)
    page.goto(f"{web_portal.url}/admin/devices")
    page.select_option("#kind", "kiosk")
    page.fill("#device-name", "二楼自助机")
    page.click("#new-device button[type=submit]")
    token = page.inner_text("#device-token").strip()
    assert token.startswith("axd_")
    shoot(page, web_portal, "admin-devices")
    assert device_api(web_portal, "GET", "/catalog", token=token).status_code == 200
    page.reload()  # the token page came by redirect: reloading it neither shows the token nor adds a device
    assert token not in page.content()
    assert page.locator("#devices .card", has_text="二楼自助机").count() == 1
    page.locator("#devices .card", has_text="二楼自助机").get_by_role("link", name="吊销 二楼自助机").click()
    assert "确定要吊销自助机“二楼自助机”的令牌吗？" in page.inner_text("#confirm-q")
    assert device_api(web_portal, "GET", "/catalog", token=token).status_code == 200  # asking revoked nothing
    page.click("#confirm-form button")
    assert "已吊销" in page.inner_text(".flash")
    assert device_api(web_portal, "GET", "/catalog", token=token).status_code == 401
    page.context.close()


def test_admin_sends_a_test_message_to_a_new_channel(web_portal: LivePortal, chromium: Any, webhook: str) -> None:
    page = open_page(chromium, web_portal, "admin", "anxin-admin", DESKTOP)
    page.goto(f"{web_portal.url}/admin/channels")
    page.select_option("#channel-kind", "webhook")
    page.fill("#channel-name", "值班群")
    page.fill("#channel-url", webhook)
    page.fill("#channel-secret", "s3cret-signing-key")
    page.click("#new-channel button[type=submit]")
    page.locator("#channels .card", has_text="值班群").locator("button.primary").click()
    assert "测试消息已送达“值班群”" in page.inner_text(".flash")
    assert len(Receiver.received) == 1
    message = Receiver.received[0]
    assert "测试消息" in message["body"]["text"] and message["signature"].startswith("sha256=")
    shoot(page, web_portal, "admin-channels")
    page.context.close()


def test_admin_on_a_phone_is_asked_before_pausing_a_bot_and_sets_kiosk_requests(web_portal: LivePortal,
                                                                                 chromium: Any, webhook: str) -> None:
    page = open_page(chromium, web_portal, "admin", "anxin-admin", PHONE)
    page.goto(f"{web_portal.url}/admin/channels")
    page.select_option("#channel-kind", "webhook")
    page.fill("#channel-name", "夜班群")
    page.fill("#channel-url", webhook)
    page.click("#new-channel button[type=submit]")
    card = page.locator("#channels .card", has_text="夜班群")
    card.get_by_role("link", name="暂停…").click()
    assert "确定要暂停“夜班群”吗？" in page.inner_text("#confirm-q")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name="不，返回").click()
    assert "使用中" in card.inner_text()  # asking paused nothing
    card.get_by_role("link", name="暂停…").click()
    page.click("#confirm-form button")
    page.wait_for_url(f"{web_portal.url}/admin/channels")  # POST, then redirect: a reload posts nothing again
    assert "已暂停" in page.locator("#channels .card", has_text="夜班群").inner_text()
    page.uncheck(".requests-setting input[name=bot_requests]")
    page.click(".requests-setting button[type=submit]")
    assert "已保存" in page.inner_text(".flash")
    page.reload()
    assert not page.is_checked(".requests-setting input[name=bot_requests]")
    page.check(".requests-setting input[name=bot_requests]")
    page.click(".requests-setting button[type=submit]")
    page.context.close()


def test_admin_assigns_grids_and_the_grid_worker_sees_only_them(web_portal: LivePortal, chromium: Any) -> None:
    admin = open_page(chromium, web_portal, "admin", "anxin-admin", DESKTOP)
    admin.goto(f"{web_portal.url}/admin/users")
    card = admin.locator('[data-username="caregiver1"]')
    card.get_by_label("第一网格").check()
    card.get_by_role("button", name="保存网格").click()
    assert "网格已保存" in admin.inner_text(".flash")
    shoot(admin, web_portal, "admin-users")
    admin.context.close()

    worker = open_page(chromium, web_portal, "caregiver1", "anxin-demo", DESKTOP)
    worker.goto(f"{web_portal.url}/residents")
    names = worker.locator("#residents tbody tr td:first-child").all_inner_texts()
    assert names == ["王秀英", "张桂兰", "陈淑珍"]  # the demo puts every other resident in 第一网格
    second_grid = device_api(web_portal, "GET", "/residents/lookup?code=0502").json()["id"]
    assert worker.request.get(f"{web_portal.url}/residents/{second_grid}").status == 404
    worker.context.close()


# ----- pairing a band by pressing it (issue 13 point 2), phone and desktop -------------------------------------

PAIR_RESIDENT = {360: "刘德明 · 5号楼302 · 1302", 1366: "陈淑珍 · 7号楼403 · 2403"}


def hear(portal: LivePortal, bands: list[tuple[str, int, bool]]) -> None:
    """The bridge reports these unregistered bands (address, RSSI, pressed just now)."""
    now = datetime.now(UTC).isoformat()
    body = [{"address": address, "kind": "anxin", "name": f"Anxin Band {address[-2:]}", "rssi": rssi,
             "radio": "adapter", "last_seen_at": now, "pressed_at": now if pressed else None}
            for address, rssi, pressed in bands]
    answer = device_api(portal, "POST", "/bands/unknown", token=portal.bridge_token, json=body)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_admin_presses_a_new_band_sees_it_light_up_and_pairs_it_in_one_step(
    web_portal: LivePortal, chromium: Any, viewport: dict[str, int]
) -> None:
    width = viewport["width"]
    mine, other = f"F0:00:00:00:{width // 256:02X}:{width % 256:02X}", f"F0:00:00:00:{width // 256:02X}:FE"
    hear(web_portal, [(mine, -55, False), (other, -82, False)])
    page = open_page(chromium, web_portal, "admin", "anxin-admin", viewport)
    page.goto(f"{web_portal.url}/admin/bands/pair")
    band = page.locator(f'li[data-address="{mine}"]')
    band.wait_for()
    assert "信号很强（-55 dBm）" in band.inner_text()
    assert band.get_attribute("data-lit") == "false"

    hear(web_portal, [(mine, -54, True), (other, -82, False)])  # the admin presses the band in hand
    page.locator(f'li[data-address="{mine}"][data-lit="true"]').wait_for(timeout=30_000)
    assert page.locator(f'input[name=address][value="{mine}"]').is_checked()
    assert mine in page.locator("#pair-live").inner_text()
    assert page.locator(f'li[data-address="{other}"]').get_attribute("data-lit") == "false"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    assert serious_accessibility_violations(page) == []

    page.select_option("#resident", label=PAIR_RESIDENT[width])
    page.fill("#key", simulated_key(mine).hex())
    page.get_by_role("button", name="配对").click()
    flash = page.locator(".flash-ok")
    flash.wait_for()
    assert f"已配对：{mine} → {PAIR_RESIDENT[width].split(' · ')[0]}" in flash.inner_text()
    assert page.locator(f'li[data-address="{mine}"]').count() == 0
    keys = device_api(web_portal, "GET", "/bands/keys", token=web_portal.bridge_token).json()
    assert {b["address"]: b["key"] for b in keys}[mine] == simulated_key(mine).hex()
    assert page.csp.violations == []
    page.context.close()
