"""Administration in Debian's Chromium: a device token is shown once and works until revoked; a chat
channel gets a test message (to a local webhook receiver); grids are assigned to a grid worker."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from tests.conftest import LivePortal
from tests.support.web import DESKTOP, device_api, open_page, shared_live_portal, shoot

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
