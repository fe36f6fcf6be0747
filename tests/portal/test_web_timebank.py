"""The time bank in Debian's Chromium: a resolved help call earns points, a volunteer redeems them,
the leaderboard shows who served most."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LivePortal
from tests.support.web import DESKTOP, PHONE, device_api, open_page, post_form, shared_live_portal, shoot

pytestmark = pytest.mark.browser
web_portal = shared_live_portal()


def test_volunteer_earns_points_for_a_help_call_and_redeems_rice(web_portal: LivePortal, chromium: Any) -> None:
    admin = open_page(chromium, web_portal, "admin", "anxin-admin", DESKTOP)
    admin.goto(f"{web_portal.url}/timebank")
    admin.fill("#points-help", "100")
    admin.click("#rules button[type=submit]")
    assert "积分规则已保存" in admin.inner_text(".flash")

    alert = device_api(web_portal, "POST", "/alerts", json={"event_id": "tb-help", "kind": "help"}).json()
    page = open_page(chromium, web_portal, "volunteer1", "anxin-demo", PHONE)
    page.goto(f"{web_portal.url}/alerts/{alert['id']}")
    page.click("button.accept")
    page.fill("#outcome", "已帮忙换好灯泡")
    page.click("form.resolve button[type=submit]")
    page.goto(f"{web_portal.url}/timebank")
    assert page.locator("#balance").get_attribute("data-points") == "100"
    rice = page.locator(".card", has_text="一袋大米")
    rice.locator("button.redeem").click()
    assert "兑换：一袋大米（5 公斤），请到站点领取" in page.inner_text(".flash")
    assert page.locator("#balance").get_attribute("data-points") == "0"
    assert "-100" in page.inner_text("#ledger")
    shoot(page, web_portal, "timebank")
    rice_id = rice.get_attribute("data-reward-id")
    again = post_form(page, web_portal, f"/timebank/redeem/{rice_id}", {})  # the redirect shows the refusal
    assert again.ok and "积分不足：需要 100 分，现有 0 分" in again.text()
    page.context.close()

    admin.goto(f"{web_portal.url}/timebank/leaderboard")
    first = admin.locator("#this-month tbody tr").first.inner_text()
    assert "李志愿" in first and "100" in first
    shoot(admin, web_portal, "leaderboard")
    assert admin.csp.violations == []
    admin.context.close()
