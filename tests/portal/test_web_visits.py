"""The visit diary on a grid worker's phone: log a visit in a few taps, turn the need into a grocery
order or a help request on the board in one step, and count households against the weekly target."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LivePortal
from tests.support.web import DESKTOP, PHONE, device_api, open_page, shared_live_portal, shoot

pytestmark = pytest.mark.browser
web_portal = shared_live_portal()


def test_grid_worker_logs_visits_and_turns_needs_into_order_and_help(web_portal: LivePortal,
                                                                    chromium: Any) -> None:
    zhang = device_api(web_portal, "GET", "/residents/lookup?code=1101").json()["id"]
    zhao = device_api(web_portal, "GET", "/residents/lookup?code=2104").json()["id"]
    page = open_page(chromium, web_portal, "caregiver1", "anxin-demo", PHONE)
    page.goto(f"{web_portal.url}/visits/new")
    page.select_option("#resident_id", str(zhang))
    page.get_by_label("需要关注").check()
    page.get_by_label("买菜").check()
    page.fill("#note", "腿脚不便，想每周有人帮忙买菜")
    shoot(page, web_portal, "visit")
    page.click("button[value=order]")
    page.wait_for_url(f"{web_portal.url}/orders/new?resident_id={zhang}")
    assert page.locator("#resident_id").input_value() == str(zhang)
    page.get_by_label("大米数量（袋）").fill("1")
    page.fill("#extra_name", "酱油")
    page.fill("#extra_unit", "瓶")
    page.click("form.form button[type=submit].primary")
    page.wait_for_selector('.order-detail[data-state="submitted"]')
    assert "大米 1 袋" in page.inner_text(".items") and "酱油 1 瓶" in page.inner_text(".items")

    page.goto(f"{web_portal.url}/visits/new")
    page.select_option("#resident_id", str(zhao))
    page.get_by_label("维修").check()
    page.fill("#note", "厨房水管漏水")
    page.click("button[value=help]")
    page.wait_for_url(f"{web_portal.url}/board")
    card = page.locator(".alert-card", has_text="赵福生")
    assert "求助" in card.inner_text() and card.get_attribute("data-state") == "open"

    page.goto(f"{web_portal.url}/visits")
    assert page.locator("#week-count").get_attribute("data-households") == "2"
    assert "还差 8 户" in page.inner_text("main")
    shoot(page, web_portal, "visits")
    assert page.csp.violations == []
    page.context.close()

    admin = open_page(chromium, web_portal, "admin", "anxin-admin", DESKTOP)
    admin.goto(f"{web_portal.url}/visits")
    assert "王网格\t2\t2\t还差 8 户" in admin.inner_text("#team-week")
    admin.context.close()
