"""The board card on a 360x740 phone (issue 13 points 4 and 5): a call held offline says when it was pressed
and how late it came, and is at once on its step with the next step, its time and the numbers to tap; a health
alert says what was found and how much."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import Page

from caregiver_portal.core.clock import CHINA_TIME
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.demo.seed import seed_demo_duties
from tests.conftest import LivePortal, sign_in
from tests.support.web import PHONE

pytestmark = pytest.mark.browser
BAND = "F0:00:00:00:00:01"  # the demo's 王秀英, 3号楼201, whose daughter 王小红 is her emergency contact


def post(portal: LivePortal, path: str, body: dict) -> dict:
    response = requests.post(f"{portal.url}{path}", json=body, timeout=10,
                             headers={"Authorization": f"Bearer {portal.bridge_token}"})
    response.raise_for_status()
    return response.json()


def add_daughter(database_url: str) -> None:
    """The demo's duties: 王秀英's daughter is her emergency contact (the test seed leaves them out)."""
    engine = create_db_engine(database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            seed_demo_duties(session=session)
    finally:
        engine.dispose()


ONE_LINE = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const lineHeight = parseFloat(getComputedStyle(el).lineHeight);
  return {text: range.getBoundingClientRect().height, lineHeight, box: el.getBoundingClientRect().height};
}"""


def assert_top_bar_labels_on_one_line(page: Page) -> None:
    """The brand and 退出 each set on one line (their text no taller than 1.5 lines) and at least 44 px tall."""
    top_bar = page.locator(".topbar")
    for label in (top_bar.locator(".brand"), top_bar.get_by_role("button", name="退出", exact=True)):
        size = label.evaluate(ONE_LINE)
        assert size["text"] <= 1.5 * size["lineHeight"], (label.inner_text(), size)
        assert size["box"] >= 44, (label.inner_text(), size)


def test_card_shows_press_time_step_next_step_phones_and_health_finding(live_portal: LivePortal,
                                                                        chromium) -> None:  # type: ignore[no-untyped-def]
    add_daughter(live_portal.database_url)
    page = chromium.new_page(viewport=PHONE)
    sign_in(page, live_portal.url, "volunteer1", "anxin-demo")
    page.wait_for_selector("#board[data-live=true]")
    assert_top_bar_labels_on_one_line(page)  # was one character a line at 360 px
    pressed = datetime.now(UTC) - timedelta(seconds=200)
    late = post(live_portal, "/api/v1/alerts", {"event_id": "held-200", "kind": "sos", "wristband": BAND,
                                                "occurred_at": pressed.isoformat()})
    card = page.locator(f'[data-alert-id="{late["id"]}"]')
    card.locator(".step-now").wait_for(timeout=60_000)  # the ticker's first sweep (about 1 s)
    text = card.inner_text()
    local = pressed.astimezone(CHINA_TIME)
    assert f"按下于 {local:%H:%M}，网络中断后 3 分" in text
    assert "当前 第3级：180 秒无人接单，通知紧急联系人和站点管理员" in text
    assert "下一步" in text and "再次：仍未处理，再次通知所有人" in text
    assert "请电话联系" in text
    phone = card.locator("a.tel")
    assert phone.get_attribute("href") == "tel:13800000201" and "女儿 王小红" in phone.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing off the screen

    now = datetime.now(UTC)
    post(live_portal, "/api/v1/readings", {"batch_id": "fever-1", "readings": [
        {"wristband": BAND, "kind": "temperature", "value": 38.6, "measured_at": now.isoformat()}]})
    health = page.locator('[data-alert-id]:has-text("健康异常")')
    health.wait_for(timeout=60_000)
    assert "体温偏高：38.6°C" in health.inner_text()
    page.close()
