"""Activities in Debian's Chromium: a grid worker publishes one, signs residents up until it is full,
sees the waitlist move up when someone cancels, prints the roster and checks people in on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LivePortal
from tests.support.web import DESKTOP, PHONE, device_api, open_page, shared_live_portal, shoot

pytestmark = pytest.mark.browser
web_portal = shared_live_portal()


def states(page: Any) -> dict[str, str]:
    """Resident id -> state of every live sign-up shown on the activity page."""
    cards = page.locator("#confirmed [data-resident-id], #waitlist [data-resident-id]")
    return {cards.nth(i).get_attribute("data-resident-id"): cards.nth(i).get_attribute("data-state")
            for i in range(cards.count())}


def test_grid_worker_creates_activity_and_waitlist_moves_up(web_portal: LivePortal, chromium: Any) -> None:
    page = open_page(chromium, web_portal, "caregiver1", "anxin-demo", DESKTOP)
    page.goto(f"{web_portal.url}/activities/new")
    page.fill("#title", "剪纸兴趣班")
    page.select_option("#category", "兴趣班")
    page.fill("#place", "老年活动室")
    page.fill("#capacity", "2")
    page.fill("#description", "红纸和剪刀由社区准备。")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{web_portal.url}/activities/*")
    activity_id = int(page.url.rsplit("/", 1)[1])
    residents = {r: device_api(web_portal, "GET", f"/residents/lookup?code={r}").json()["id"]
                 for r in ("0201", "0502", "1101")}
    for code in ("0201", "0502", "1101"):
        page.select_option("#resident_id", str(residents[code]))
        page.click("#signup-form button[type=submit]")
    assert states(page) == {str(residents["0201"]): "confirmed", str(residents["0502"]): "confirmed",
                            str(residents["1101"]): "waitlisted"}
    assert "已报名 2 / 2 人，候补 1 人" in page.inner_text("#places")
    shoot(page, web_portal, "activity")

    page.locator(f'#confirmed [data-resident-id="{residents["0502"]}"] a.cancel-signup').click()
    assert "的“" in page.inner_text("#confirm-q") and "报名吗？" in page.inner_text("#confirm-q")  # asked first
    page.click("#confirm-form button")
    assert "候补的第一位已自动补上" in page.inner_text(".flash")
    assert states(page) == {str(residents["0201"]): "confirmed", str(residents["1101"]): "confirmed"}
    kiosk_view = device_api(web_portal, "GET", f"/residents/{residents['1101']}/activities").json()
    assert [s["state"] for s in kiosk_view if s["activity_id"] == activity_id] == ["confirmed"]

    page.goto(f"{web_portal.url}/activities/{activity_id}/roster")
    assert [row.split("\t")[1] for row in page.locator("#roster tbody tr").all_inner_texts()] == ["王秀英", "张桂兰"]
    assert page.locator("button[data-print]").is_visible()
    shoot(page, web_portal, "roster")
    page.goto(f"{web_portal.url}/activities")
    shoot(page, web_portal, "activities")
    assert page.csp.violations == []
    page.context.close()

    phone = open_page(chromium, web_portal, "volunteer1", "anxin-demo", PHONE)
    phone.goto(f"{web_portal.url}/activities/{activity_id}/checkin")
    phone.locator(f'[data-resident-id="{residents["1101"]}"] button.checkin').click()
    phone.wait_for_selector(f'[data-resident-id="{residents["1101"]}"][data-present="true"]')
    assert "已到 1 / 2 人" in phone.inner_text("#present")
    shoot(phone, web_portal, "checkin")
    phone.context.close()


def test_volunteer_cannot_create_or_edit_activities(web_portal: LivePortal, chromium: Any) -> None:
    page = open_page(chromium, web_portal, "volunteer1", "anxin-demo", PHONE)
    page.goto(f"{web_portal.url}/activities")
    assert page.locator("a[href='/activities/new']").count() == 0
    assert page.request.get(f"{web_portal.url}/activities/new").status == 403
    page.context.close()
