"""Every main page in Debian's Chromium, on a phone and a desktop, for each role: no serious or critical
axe-core violation, no Content-Security-Policy violation, and nothing wider than a 360 px phone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LivePortal
from tests.support.web import (
    PHONE,
    VIEWPORTS,
    device_api,
    open_page,
    serious_accessibility_violations,
    shared_live_portal,
)

pytestmark = pytest.mark.browser
web_portal = shared_live_portal()
PAGES = {
    ("volunteer1", "anxin-demo"): ["/board", "/orders", "/orders/{order}", "/activities", "/activities/{activity}",
                                   "/activities/{activity}/checkin", "/timebank", "/timebank/leaderboard", "/checkins",
                                   "/timebank/donate", "/settlement"],
    ("caregiver1", "anxin-demo"): ["/residents", "/residents/{resident}", "/residents/{resident}/health",
                                   "/visits", "/visits/new", "/orders/new", "/activities/new",
                                   "/activities/{activity}/edit", "/activities/{activity}/roster",
                                   "/checkins", "/checkins/{resident}/plan", "/phone", "/phone/{resident}",
                                   "/residents/{resident}/balance", "/feedback", "/feedback/new", "/timebank/office"],
    ("admin", "anxin-admin"): ["/reports", "/admin", "/admin/users", "/admin/devices", "/admin/channels",
                               "/catalog", "/timebank", "/admin/checklist", "/admin/roster", "/admin/imports",
                               "/admin/users/2/roster", "/admin/devices/1/revoke", "/settlement", "/timebank/office"],
}


def ids(portal: LivePortal) -> dict[str, int]:
    """The resident, activity and order the pages are opened with (created once; a repeat answers the same)."""
    resident = device_api(portal, "GET", "/residents/lookup?code=0201").json()["id"]
    activity = device_api(portal, "GET", "/activities").json()[0]["id"]
    order = device_api(portal, "POST", "/orders", json={"event_id": "a11y-1", "resident_id": resident,
                                                        "items": [{"name": "大米", "quantity": 1}]}).json()["id"]
    device_api(portal, "POST", f"/activities/{activity}/signups", json={"event_id": "a11y-s", "resident_id": resident})
    return {"resident": resident, "activity": activity, "order": order}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_main_pages_pass_axe_and_fit_the_screen(web_portal: LivePortal, chromium: Any,
                                                viewport: dict[str, int]) -> None:
    found = ids(web_portal)  # device writes are idempotent: whichever viewport runs first creates them
    problems: dict[str, list[str]] = {}
    for (username, password), paths in PAGES.items():
        page = open_page(chromium, web_portal, username, password, viewport)
        for template in paths:
            path = template.format(**found)
            response = page.goto(f"{web_portal.url}{path}")
            assert response.status == 200, path
            issues = serious_accessibility_violations(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:
                issues.append(f"page is {width} px wide")
            if issues:
                problems[f"{username} {path}"] = issues
        if page.csp.violations:
            problems[f"{username} CSP"] = page.csp.violations
        page.context.close()
    assert problems == {}


def test_sign_in_page_passes_axe(web_portal: LivePortal, chromium: Any) -> None:
    context = chromium.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{web_portal.url}/login")
    assert serious_accessibility_violations(page) == []
    context.close()
