"""Grocery proxy orders in Debian's Chromium: a kiosk order is claimed, bought (with a receipt photo),
delivered by a volunteer on a phone and confirmed at the kiosk; admins keep the catalog."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.conftest import LivePortal
from tests.support.web import DESKTOP, PHONE, device_api, open_page, shared_live_portal, shoot

pytestmark = pytest.mark.browser
web_portal = shared_live_portal()
# A 1x1 PNG: a receipt photo as small as it gets.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAA"
                       "AABJRU5ErkJggg==")


def place_order(portal: LivePortal, event_id: str, note: str = "") -> dict[str, Any]:
    wang = device_api(portal, "GET", "/residents/lookup?code=0201").json()
    response = device_api(portal, "POST", "/orders", json={
        "event_id": event_id, "resident_id": wang["id"], "note": note,
        "items": [{"name": "番茄", "quantity": 2}, {"name": "鸡蛋", "quantity": 1}, {"name": "酱油", "quantity": 1,
                                                                                 "unit": "瓶"}]})
    assert response.status_code == 201
    return response.json()


def test_volunteer_claims_buys_delivers_and_resident_confirms_on_phone(web_portal: LivePortal,
                                                                       chromium: Any) -> None:
    order = place_order(web_portal, "web-order-1", note="西红柿要熟一点的")
    page = open_page(chromium, web_portal, "volunteer1", "anxin-demo", PHONE)
    page.goto(f"{web_portal.url}/orders")
    card = page.locator(f'#waiting [data-order-id="{order["id"]}"]')
    assert "西红柿 2 斤" in card.inner_text() and "酱油 1 瓶" in card.inner_text()
    shoot(page, web_portal, "orders")
    card.locator("button.claim").click()
    page.wait_for_url(f"{web_portal.url}/orders/{order['id']}")
    assert page.locator(".order-detail").get_attribute("data-state") == "claimed"
    assert device_api(web_portal, "GET", "/orders/by-event/web-order-1").json()["claimed_by"] == "李志愿"

    page.fill("#amount", "23.5")
    page.set_input_files("#receipt", files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": PNG}])
    shoot(page, web_portal, "order-bought-form")
    page.click("button.bought")
    page.wait_for_selector('.order-detail[data-state="bought"]')
    assert "实付 23.50 元" in page.inner_text(".order-detail")
    receipt = page.request.get(f"{web_portal.url}/orders/{order['id']}/receipt")
    assert receipt.status == 200 and receipt.body() == PNG
    page.click("button.delivered")
    page.wait_for_selector('.order-detail[data-state="delivered"]')

    seen_by_kiosk = device_api(web_portal, "GET", "/orders/by-event/web-order-1").json()
    assert seen_by_kiosk["state"] == "delivered" and seen_by_kiosk["amount_paid_fen"] == 2350
    confirmed = device_api(web_portal, "POST", "/orders/by-event/web-order-1/confirm-received")
    assert confirmed.json()["state"] == "received"
    page.reload()
    assert page.locator(".order-detail").get_attribute("data-state") == "received"
    assert "老人已确认收货" in page.inner_text("h1")
    shoot(page, web_portal, "order-detail")
    page.goto(f"{web_portal.url}/timebank")
    assert f"代购 #{order['id']} 送达" in page.inner_text("#ledger")
    assert page.csp.violations == []
    page.context.close()


def test_claimed_order_cannot_be_claimed_by_a_second_volunteer(web_portal: LivePortal, chromium: Any) -> None:
    order = place_order(web_portal, "web-order-2")
    first = open_page(chromium, web_portal, "volunteer1", "anxin-demo", DESKTOP)
    second = open_page(chromium, web_portal, "caregiver1", "anxin-demo", DESKTOP)
    second.route("**/queue/events", lambda route: route.abort())  # a stale page: the claim races the live update
    second.goto(f"{web_portal.url}/orders")  # both see the order waiting
    first.goto(f"{web_portal.url}/orders")
    first.locator(f'[data-order-id="{order["id"]}"] button.claim').click()
    first.wait_for_url(f"{web_portal.url}/orders/{order['id']}")
    second.locator(f'#waiting [data-order-id="{order["id"]}"] button.claim').click()
    assert "不能这样操作" in second.inner_text(".flash-error")
    assert device_api(web_portal, "GET", "/orders/by-event/web-order-2").json()["claimed_by"] == "李志愿"
    first.context.close()
    second.context.close()


def test_admin_adds_catalog_item_that_the_kiosk_then_offers(web_portal: LivePortal, chromium: Any) -> None:
    page = open_page(chromium, web_portal, "admin", "anxin-admin", DESKTOP)
    page.goto(f"{web_portal.url}/catalog")
    page.fill("#new-name", "豆腐")
    page.fill("#new-synonyms", "老豆腐，嫩豆腐")
    page.select_option("#new-category", "蔬菜")
    page.select_option("#new-unit", "块")
    page.fill("#new-price", "2.5")
    page.click("#new-item button[type=submit]")
    assert "已添加“豆腐”" in page.inner_text(".flash")
    shoot(page, web_portal, "catalog")
    tofu = next(i for i in device_api(web_portal, "GET", "/catalog").json() if i["name"] == "豆腐")
    assert tofu["synonyms"] == ["老豆腐", "嫩豆腐"] and tofu["usual_price_fen"] == 250 and tofu["unit"] == "块"
    page.context.close()


def test_kiosk_order_and_signup_appear_live_in_the_volunteers_queue_on_a_phone(web_portal: LivePortal,
                                                                              chromium: Any) -> None:
    page = open_page(chromium, web_portal, "volunteer1", "anxin-demo", PHONE)
    page.goto(f"{web_portal.url}/orders")
    page.wait_for_selector("#order-queue[data-live=true]", timeout=30_000)
    order = place_order(web_portal, "web-order-live")
    page.locator(f'#waiting [data-order-id="{order["id"]}"]').wait_for(timeout=60_000)  # no reload
    assert f"新代购单 #{order['id']}" in page.inner_text("#queue-news")
    wang = device_api(web_portal, "GET", "/residents/lookup?code=0201").json()
    calligraphy = next(a for a in device_api(web_portal, "GET", "/activities").json() if a["title"] == "书法班")
    device_api(web_portal, "POST", f"/activities/{calligraphy['id']}/signups",
               json={"event_id": "web-signup-live", "resident_id": wang["id"]})
    page.locator("#signups .card", has_text="书法班").wait_for(timeout=60_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.csp.violations == []
    page.context.close()


def test_volunteer_sees_whom_an_order_is_offered_to_and_pauses_offers_on_a_phone(web_portal: LivePortal,
                                                                                chromium: Any) -> None:
    order = place_order(web_portal, "web-offer-1")
    page = open_page(chromium, web_portal, "volunteer1", "anxin-demo", PHONE)
    page.goto(f"{web_portal.url}/orders")
    offer = page.locator(f'#waiting [data-order-id="{order["id"]}"] .offer-line')
    assert "李志愿" in offer.inner_text() and "推送全站" in offer.inner_text()
    page.click("#offer-settings-link")
    page.select_option("#paused", "1")
    page.fill("#daily_limit", "3")
    page.fill("#building", "3")
    page.click("#offer-form button[type=submit]")
    assert "已暂停" in page.inner_text(".flash") and "已暂停" in page.inner_text("#offer-status")
    assert page.input_value("#building") == "3号楼" and page.input_value("#daily_limit") == "3"
    shoot(page, web_portal, "offer-settings")

    paused_order = place_order(web_portal, "web-offer-2")
    page.goto(f"{web_portal.url}/orders/{paused_order['id']}")
    assert "李志愿" not in page.inner_text(".offer-line")  # everyone sees it; the paused volunteer is not told

    page.goto(f"{web_portal.url}/me/offers")
    page.select_option("#paused", "0")
    page.click("#offer-form button[type=submit]")
    assert "会推送给您" in page.inner_text("#offer-status")
    assert page.csp.violations == []
    page.context.close()


def test_volunteer_marks_missing_item_and_substitute_and_the_kiosk_settles_it_on_a_phone(web_portal: LivePortal,
                                                                                         chromium: Any) -> None:
    order = place_order(web_portal, "web-order-settle")
    eggs, soy = order["items"][1]["line_id"], order["items"][2]["line_id"]
    page = open_page(chromium, web_portal, "volunteer1", "anxin-demo", PHONE)
    page.goto(f"{web_portal.url}/orders/{order['id']}")
    page.click("button.claim")
    page.wait_for_selector('.order-detail[data-state="claimed"]')
    page.check(f'input[name="outcome-{eggs}"][value="not_bought"]')
    page.check(f'input[name="outcome-{soy}"][value="substitute"]')
    page.fill(f"#sub-name-{soy}", "生抽")
    page.fill(f"#sub-price-{soy}", "12.5")
    page.fill("#amount", "20.5")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("button.bought")
    page.wait_for_selector('.order-detail[data-state="bought"]')
    items = page.inner_text(".order-detail .items")
    assert "没买到" in items and "替代品：生抽 12.50 元 · 等老人答复" in items
    assert page.input_value("#cash") == "20.50"
    page.fill("#cash", "8")
    page.click("button.delivered")
    page.wait_for_selector('.order-detail[data-state="delivered"]')

    kiosk = device_api(web_portal, "GET", "/orders/by-event/web-order-settle").json()
    substitute = next(i for i in kiosk["items"] if i["outcome"] == "substitute")
    assert (substitute["substitute_name"], substitute["substitute_price_fen"]) == ("生抽", 1250)
    answered = device_api(web_portal, "POST", "/orders/by-event/web-order-settle/substitutes",
                          json={"line_id": soy, "accept": False}).json()
    assert answered["amount_due_fen"] == 800
    confirmed = device_api(web_portal, "POST", "/orders/by-event/web-order-settle/confirm-received",
                           json={"amount_fen": 800, "amount_accepted": True}).json()
    assert confirmed["state"] == "received" and confirmed["money_state"] == "已结清"
    page.goto(f"{web_portal.url}/settlement")
    row = page.locator(f'#settle-orders [data-order-id="{order["id"]}"]')
    assert "已结清" in row.inner_text() and "中心应付 0.00 元" in row.inner_text()
    shoot(page, web_portal, "settlement")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.csp.violations == []
    page.context.close()


def test_duty_worker_records_a_phone_request_in_a_few_taps_and_the_kiosk_sees_it(web_portal: LivePortal,
                                                                               chromium: Any) -> None:
    page = open_page(chromium, web_portal, "caregiver1", "anxin-demo", PHONE)
    page.goto(f"{web_portal.url}/phone")
    page.fill("#q", "3号楼")
    page.click("#phone-search button")
    page.locator("#pick a.pick", has_text="王秀英").click()
    page.fill("#help-note", "灯泡坏了，想请人来换")
    page.click("#phone-help button[type=submit]")
    assert "已记录求助（电话代录）" in page.inner_text(".flash")
    assert "王秀英" in page.locator("#pick a.pick").first.inner_text()  # recent callers first
    assert "电话代录：" in page.inner_text("#recent-phone")
    page.locator("#pick a.pick", has_text="王秀英").click()
    page.fill("#phone-order input[aria-label^='鸡蛋']", "2")
    form = {name: page.input_value(f"#phone-order input[name={name}]") for name in ("token", "csrf_token")}
    action = page.get_attribute("#phone-order", "action")
    page.click("#phone-order button[type=submit]")
    assert "已记录代购（电话代录）" in page.inner_text(".flash")
    # the same form sent again (a double tap, a re-sent page) stores nothing new
    again = page.request.post(f"{web_portal.url}{action}", form={**form, "channel": "phone", "note": ""})
    assert "已经提交过了" in again.text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, web_portal, "phone")

    wang = device_api(web_portal, "GET", "/residents/lookup?code=0201").json()
    recorded = device_api(web_portal, "GET", f"/residents/{wang['id']}/phone-requests").json()["requests"]
    assert [(r["kind"], r["state"]) for r in recorded[:2]] == [("order", "submitted"), ("help", "open")]
    order = device_api(web_portal, "GET", f"/orders/by-event/{recorded[0]['event_id']}").json()
    assert order["items"][0]["name"] == "鸡蛋" and order["state_label"] == "待认领"
    board = page.context.new_page()
    board.goto(f"{web_portal.url}/board")
    card = board.locator(f'[data-alert-id="{recorded[1]["target_id"]}"]').first
    assert "电话代录（王网格）：灯泡坏了，想请人来换" in card.inner_text()
    assert page.csp.violations == []
    page.context.close()
