"""The roll-call list on a grid worker's phone (Debian's Chromium at 360×740, SQLite and PostgreSQL): start a
heatwave roll call, watch a band's SOS and a kiosk's answer move residents between 需要帮助 / 没有回应 / 平安
without reloading, tap-to-call links, a visit's answer, and the report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.escalation.setup import add_emergency_contact
from caregiver_portal.residents.models import Resident
from tests.conftest import LivePortal, sign_in
from tests.support.databases import fresh_database_url
from tests.support.web import PHONE, CspWatch, shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """SQLite only: the live list's PostgreSQL path (LISTEN/NOTIFY) is the board's, tested there; the roll-call
    services run on both databases in test_roll_calls.py."""
    with fresh_database_url("sqlite", tmp_path) as url:
        yield url


def api(portal: LivePortal, method: str, path: str, token: str, **kwargs: Any) -> Any:
    response = requests.request(method, f"{portal.url}/api/v1{path}", timeout=10,
                                headers={"Authorization": f"Bearer {token}"}, **kwargs)
    response.raise_for_status()
    return response.json()


def section_names(page: Any, state: str) -> str:
    return str(page.inner_text(f'.roll-section[data-state="{state}"]'))


def in_section(page: Any, state: str, name: str) -> None:
    """Wait until ``name`` is listed in the section of ``state`` (the page updates itself)."""
    page.locator(f'.roll-section[data-state="{state}"] .roll-row', has_text=name).wait_for()


def give_daughter(portal: LivePortal, code: str, phone: str) -> None:
    """Set-up: the resident with ``code`` has a daughter to call."""
    engine = create_db_engine(portal.database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            resident = session.scalar(select(Resident).where(Resident.resident_code == code))
            assert resident is not None
            add_emergency_contact(session, resident=resident, name="王小红", relation="女儿", phone=phone)
    finally:
        engine.dispose()


def test_grid_worker_follows_a_roll_call_live_on_a_phone(live_portal: LivePortal, chromium: Any) -> None:
    give_daughter(live_portal, "0201", "13800000201")
    page = chromium.new_page(viewport=PHONE)
    csp = CspWatch(page)
    page.set_default_timeout(30_000)
    sign_in(page, live_portal.url, "caregiver1", "anxin-demo")
    page.goto(f"{live_portal.url}/roll-calls")
    page.select_option("#target", label="幸福里社区服务中心 · 第一网格")
    page.select_option("#reason", "heatwave")
    page.click("#start-roll-call button[type=submit]")
    page.wait_for_selector("#roll-call[data-roll-call-id]")
    page.wait_for_selector("#roll-call[data-live=true]")
    waiting = section_names(page, "waiting")
    assert all(name in waiting for name in ("王秀英", "张桂兰", "陈淑珍")) and "李建国" not in waiting
    assert page.locator('a.call[href="tel:13800000201"]').count() == 1  # 王秀英's daughter, one tap

    api(live_portal, "POST", "/alerts", live_portal.bridge_token,  # 王秀英 presses her band
        json={"event_id": "rc-browser-sos", "kind": "sos", "wristband": "F0:00:00:00:00:01"})
    in_section(page, "help", "王秀英")
    zhang = api(live_portal, "GET", "/residents/lookup?code=1101", live_portal.kiosk_token)
    opened = api(live_portal, "GET", f"/roll-calls/open?resident_id={zhang['id']}", live_portal.kiosk_token)
    assert [c["reason_label"] for c in opened["roll_calls"]] == ["高温"]
    api(live_portal, "POST", "/roll-calls/answers", live_portal.kiosk_token,
        json={"event_id": "rc-browser-kiosk", "resident_id": zhang["id"], "answer": "safe"})
    in_section(page, "safe", "张桂兰")
    summary = page.locator("#roll-summary")
    assert (summary.get_attribute("data-help"), summary.get_attribute("data-waiting"),
            summary.get_attribute("data-safe")) == ("1", "1", "1")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the list must not scroll sideways on a phone"
    shoot(page, live_portal, "roll-call-phone")

    page.locator('.roll-section[data-state="waiting"] button', has_text="上门确认平安").first.click()
    in_section(page, "safe", "陈淑珍")
    page.click("text=结束点名并查看报告")
    page.wait_for_selector("#roll-report")
    assert "回应方式：上门" in page.inner_text("#roll-report") and "王秀英" in page.inner_text("#report-help")
    assert csp.violations == []
    stream = requests.get(f"{live_portal.url}/roll-calls/1/events", timeout=10, stream=True)
    assert stream.status_code == 401  # the live stream needs a signed-in user
    page.close()
