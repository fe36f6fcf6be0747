"""Residents in Debian's Chromium: a grid worker opens a resident's health trends (server-side SVG,
alerts marked); each view is audited; volunteers cannot see health data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import LivePortal
from tests.support.web import DESKTOP, PHONE, device_api, open_page, shared_live_portal, shoot

pytestmark = pytest.mark.browser
web_portal = shared_live_portal()
BAND = "F0:00:00:00:00:01"  # paired with 王秀英 (code 0201) by the demo seed


def post_readings(portal: LivePortal) -> None:
    now = datetime.now(UTC)
    readings = []
    for minutes in range(0, 24 * 60, 10):
        at = (now - timedelta(minutes=minutes)).isoformat()
        readings += [{"wristband": BAND, "kind": "heart_rate", "value": 70 + minutes % 7, "measured_at": at},
                     {"wristband": BAND, "kind": "spo2", "value": 97, "measured_at": at},
                     {"wristband": BAND, "kind": "temperature", "value": 36.5, "measured_at": at},
                     {"wristband": BAND, "kind": "battery", "value": 90 - minutes / 60, "measured_at": at}]
    response = device_api(portal, "POST", "/readings", token=portal.bridge_token,
                          json={"batch_id": "chart-1", "readings": readings})
    assert response.status_code == 202 and response.json()["accepted"] == len(readings)
    alert = device_api(portal, "POST", "/alerts", token=portal.bridge_token,
                       json={"event_id": "chart-sos", "kind": "sos", "wristband": BAND})
    assert alert.status_code == 201


def test_grid_worker_sees_health_trends_and_the_view_is_audited(web_portal: LivePortal, chromium: Any) -> None:
    post_readings(web_portal)
    resident_id = device_api(web_portal, "GET", "/residents/lookup?code=0201").json()["id"]
    page = open_page(chromium, web_portal, "caregiver1", "anxin-demo", PHONE)
    page.goto(f"{web_portal.url}/residents")
    page.fill("#q", "王秀英")
    page.click("form[role=search] button")
    page.click(f'#residents [data-resident-id="{resident_id}"] a')
    assert "自助机称呼：王阿姨" in page.inner_text("h1")
    shoot(page, web_portal, "resident")
    page.click("text=健康趋势")
    heart = page.locator('[data-chart="heart_rate"]')
    assert heart.locator("polyline.line").count() >= 1
    assert heart.locator(".alert-mark").count() == 1
    assert "紧急呼叫" in heart.inner_text() and "144 条读数" in heart.inner_text()
    page.click("text=最近 7 天")
    assert page.locator('[data-chart="spo2"] polyline.line').count() >= 1
    assert page.csp.violations == []
    page.context.close()

    admin = open_page(chromium, web_portal, "admin", "anxin-admin", DESKTOP)
    admin.goto(f"{web_portal.url}/residents/{resident_id}/health")
    log = admin.inner_text("#access-log")
    assert "王网格" in log and "health_24h" in log and "health_7d" in log
    shoot(admin, web_portal, "resident-health")
    admin.context.close()


def test_volunteer_may_not_open_resident_pages(web_portal: LivePortal, chromium: Any) -> None:
    page = open_page(chromium, web_portal, "volunteer1", "anxin-demo", PHONE)
    assert page.locator("nav a[href='/residents']").count() == 0
    for path in ("/residents", "/residents/1", "/residents/1/health"):
        assert page.request.get(f"{web_portal.url}{path}").status == 403, path
    page.context.close()


def test_kiosk_greets_resident_after_gender_is_set_in_profile(web_portal: LivePortal, chromium: Any) -> None:
    resident_id = device_api(web_portal, "GET", "/residents/lookup?code=1302").json()["id"]
    page = open_page(chromium, web_portal, "caregiver1", "anxin-demo", DESKTOP)
    page.goto(f"{web_portal.url}/residents/{resident_id}")
    page.check("#profile input[name=gender][value='']")
    page.click("#profile button[type=submit]")
    assert device_api(web_portal, "GET", "/residents/lookup?code=1302").json()["polite_name"] == "刘德明"
    page.check("#profile input[name=gender][value=male]")
    page.fill("#birth_year", "1960")
    page.click("#profile button[type=submit]")
    assert "已保存" in page.inner_text(".flash")
    assert device_api(web_portal, "GET", "/residents/lookup?code=1302").json()["polite_name"] == "刘叔叔"
    page.context.close()
