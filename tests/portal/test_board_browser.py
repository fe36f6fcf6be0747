"""The live alert board in Debian's Chromium: sign in, see a new alert without reloading, accept it."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import LivePortal, sign_in
from tests.support.web import shoot

pytestmark = pytest.mark.browser


def post_sos(portal: LivePortal, event_id: str) -> dict:
    response = requests.post(f"{portal.url}/api/v1/alerts", timeout=10,
                             json={"event_id": event_id, "kind": "sos", "wristband": "F0:00:00:00:00:01"},
                             headers={"Authorization": f"Bearer {portal.bridge_token}"})
    response.raise_for_status()
    return response.json()


def post_help(portal: LivePortal, event_id: str) -> dict:
    response = requests.post(f"{portal.url}/api/v1/alerts", timeout=10,
                             json={"event_id": event_id, "kind": "help", "emergency": False,
                                   "details": {"place": "社区中心大厅自助机"}},
                             headers={"Authorization": f"Bearer {portal.kiosk_token}"})
    response.raise_for_status()
    return response.json()


def test_volunteer_sees_new_alert_live_and_accepts_it(live_portal: LivePortal, chromium) -> None:  # type: ignore[no-untyped-def]
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    sign_in(page, live_portal.url, "volunteer1", "anxin-demo")
    page.wait_for_selector("#board[data-live=true]")
    alert = post_sos(live_portal, "browser-1")
    card = page.locator(f'[data-alert-id="{alert["id"]}"]')
    card.wait_for(timeout=60_000)
    assert "紧急呼叫" in card.inner_text() and "3号楼201" in card.inner_text()
    post_help(live_portal, "browser-help-1")
    page.locator("[data-alert-id]").nth(1).wait_for(timeout=60_000)
    shoot(page, live_portal, "board-phone")
    card.locator("button.accept").click()
    page.wait_for_selector(f'[data-alert-id="{alert["id"]}"][data-state="accepted"]', timeout=60_000)
    assert "李志愿 已接单" in card.inner_text()
    state = requests.get(f"{live_portal.url}/api/v1/alerts/{alert['id']}", timeout=10,
                         headers={"Authorization": f"Bearer {live_portal.kiosk_token}"}).json()
    assert state["state"] == "accepted" and state["accepted_by"] == "李志愿"
    page.close()


def test_board_requires_sign_in_and_rejects_wrong_password(live_portal: LivePortal, chromium) -> None:  # type: ignore[no-untyped-def]
    page = chromium.new_page()
    page.goto(f"{live_portal.url}/board")
    assert page.url.startswith(f"{live_portal.url}/login")
    page.fill("#username", "volunteer1")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.inner_text(".error")
    page.close()


def test_accept_without_csrf_token_is_refused(live_portal: LivePortal, chromium) -> None:  # type: ignore[no-untyped-def]
    page = chromium.new_page()
    sign_in(page, live_portal.url, "volunteer1", "anxin-demo")
    alert = post_sos(live_portal, "csrf-1")
    response = page.request.post(f"{live_portal.url}/alerts/{alert['id']}/accept", form={"csrf_token": "forged"})
    assert response.status == 403
    page.close()
