"""Monthly reports in Debian's Chromium: response-time shares, orders, ratings and the improvement
list on the page, and the same figures exported as CSV."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LivePortal
from tests.support.web import DESKTOP, PHONE, device_api, open_page, shared_live_portal, shoot

pytestmark = pytest.mark.browser
web_portal = shared_live_portal()


def test_admin_reads_month_report_and_exports_csv(web_portal: LivePortal, chromium: Any) -> None:
    sos = device_api(web_portal, "POST", "/alerts", token=web_portal.bridge_token,
                     json={"event_id": "rep-sos", "kind": "sos", "wristband": "F0:00:00:00:00:02"}).json()
    for n, stars, comment in ((1, 2, "送来的菜不新鲜"), (2, 3, ""), (3, 5, "很好")):
        target = {"target_kind": "alert", "target_id": sos["id"]} if n < 3 else {"target_kind": "service"}
        device_api(web_portal, "POST", "/ratings", json={"event_id": f"rep-{n}", "stars": stars, "comment": comment,
                                                         **target})
    volunteer = open_page(chromium, web_portal, "volunteer1", "anxin-demo", PHONE)
    volunteer.goto(f"{web_portal.url}/alerts/{sos['id']}")
    volunteer.click("button.accept")
    assert volunteer.request.get(f"{web_portal.url}/reports").status == 403
    volunteer.context.close()

    page = open_page(chromium, web_portal, "admin", "anxin-admin", DESKTOP)
    page.goto(f"{web_portal.url}/reports")
    table = page.inner_text("#report")
    assert "60 秒内接单比例\t100.0%" in table and "评价条数\t3" in table and "平均星级\t3.33" in table
    assert "送来的菜不新鲜" in page.inner_text("#improvements")
    shoot(page, web_portal, "reports")
    with page.expect_download() as download_info:
        page.click("#csv")
    csv_text = download_info.value.path().read_text(encoding="utf-8-sig")
    assert "60 秒内接单比例,100.0%" in csv_text and "紧急呼叫数（不含误报取消）,1" in csv_text
    assert "送来的菜不新鲜" in csv_text
    page.context.close()
