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


def test_grid_worker_closes_the_loop_on_a_phone_and_the_office_hands_over(web_portal: LivePortal,
                                                                          chromium: Any) -> None:
    resident = device_api(web_portal, "GET", "/residents/lookup?code=0201").json()["id"]
    stored = device_api(web_portal, "POST", "/feedback", json={"event_id": "fb-web-1", "resident_id": resident,
                                                               "kind": "problem", "category": "facilities"})
    assert stored.status_code == 201 and stored.json()["assigned"]

    page = open_page(chromium, web_portal, "caregiver1", "anxin-demo", PHONE)
    page.goto(f"{web_portal.url}/feedback")
    card = page.locator(f'.card[data-feedback-id="{stored.json()["id"]}"]')
    assert "交给我" in card.inner_text() and "设施维修" in card.inner_text()
    card.locator("a").click()
    page.fill("#reply-text", "楼道灯已经换好了")
    page.click("#close button[type=submit]")
    assert "已办结" in page.inner_text(".flash")
    replies = device_api(web_portal, "GET", f"/feedback/replies?resident_id={resident}").json()
    assert [(r["id"], r["reply"]) for r in replies] == [(stored.json()["id"], "楼道灯已经换好了")]
    heard = device_api(web_portal, "POST", f"/feedback/{stored.json()['id']}/heard", json={"event_id": "heard-w1"})
    assert heard.ok and device_api(web_portal, "GET", f"/feedback/replies?resident_id={resident}").json() == []

    page.goto(f"{web_portal.url}/feedback/new")  # a suggestion heard on a visit, adopted: the resident earns 5
    page.select_option("#resident_id", str(resident))
    page.check("#kind-suggestion")
    page.select_option("#category", "service")
    page.fill("#text", "想要一个读报小组")
    page.click("#feedback-new button[type=submit]")
    assert "已记录" in page.inner_text(".flash")
    page.locator(".card", has_text="想要一个读报小组").locator("a").click()
    page.click("#useful button")
    assert "已采纳，居民获得积分" in page.inner_text(".flash")
    points = device_api(web_portal, "GET", f"/timebank/residents/{resident}").json()
    assert points["balance"] == 5
    shoot(page, web_portal, "feedback")

    admin = open_page(chromium, web_portal, "admin", "anxin-admin", DESKTOP)
    admin.goto(f"{web_portal.url}/timebank")
    post_form(admin, web_portal, "/timebank/rewards", {"name": "一支牙膏", "points": "5"})
    paste = next(r for r in device_api(web_portal, "GET", f"/timebank/residents/{resident}").json()["rewards"]
                 if r["name"] == "一支牙膏")
    redeemed = device_api(web_portal, "POST", "/timebank/redemptions",
                          json={"event_id": "rd-web-1", "resident_id": resident, "reward_id": paste["id"]})
    assert redeemed.status_code == 201 and redeemed.json()["balance"] == 0

    page.goto(f"{web_portal.url}/timebank/office")  # the office: hand over, enter a paper voucher
    waiting = page.locator(".card", has_text="一支牙膏")
    waiting.locator("button.given").click()
    assert "已发放" in page.inner_text(".flash")
    page.select_option("#paper-holder", label="李志愿")
    page.fill("#paper-no", "NJ-2026-001")
    page.fill("#paper-hours", "2")
    page.click("#paper button[type=submit]")
    assert "凭证 NJ-2026-001 已录入" in page.inner_text(".flash")
    assert "★" in page.inner_text("#accounts-table") or "李志愿" in page.inner_text("#accounts-table")
    shoot(page, web_portal, "timebank-office")
    assert page.csp.violations == []
    page.context.close()

    exported = admin.request.get(f"{web_portal.url}/timebank/export.json")
    assert exported.ok and exported.json()["format"] == "anxin-timebank/1"
    token = admin.locator('meta[name="csrf-token"]').get_attribute("content")
    again = admin.request.post(f"{web_portal.url}/timebank/office/import", multipart={
        "csrf_token": token, "upload": {"name": "bank.json", "mimeType": "application/json",
                                        "buffer": exported.body()}})
    assert again.ok and "导入 0 条" in again.text() and "已导入过" in again.text()
    admin.goto(f"{web_portal.url}/reports")
    assert "设施维修" in admin.inner_text("#feedback-report")
    admin.context.close()
