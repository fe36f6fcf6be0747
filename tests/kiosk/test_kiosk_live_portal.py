"""The kiosk against a real portal process on loopback, with a volunteer accepting in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from kiosk.config import KioskConfig
from tests.conftest import LivePortal, sign_in
from tests.kiosk.harness import KioskHarness

pytestmark = [pytest.mark.kivy, pytest.mark.browser]


def _config(portal: LivePortal, tmp_path: Path) -> KioskConfig:
    return KioskConfig(portal_url=portal.url, token=portal.kiosk_token, site_name="幸福社区", place="社区中心大厅",
                       duty_phone="010-6512 3456", outbox_path=tmp_path / "kiosk-outbox.sqlite3",
                       poll_interval_s=0.3, site_poll_interval_s=0.5, tap_guard_s=0.3)


def _accept_in_browser(chromium, portal: LivePortal, alert_id: int) -> None:  # type: ignore[no-untyped-def]
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    try:
        sign_in(page, portal.url, "volunteer1", "anxin-demo")
        card = page.locator(f'[data-alert-id="{alert_id}"]')
        card.wait_for(timeout=10_000)
        card.locator("button.accept").click()
        page.wait_for_selector(f'[data-alert-id="{alert_id}"][data-state="accepted"]', timeout=10_000)
    finally:
        page.close()


def test_accepted_wristband_sos_and_help_call_show_on_the_kiosk(live_portal, chromium, tmp_path):  # type: ignore[no-untyped-def]
    """One portal for both paths (a portal process takes seconds to start)."""
    with KioskHarness(_config(live_portal, tmp_path)) as h:
        assert h.wait_for_text("现在没有进行中的呼叫", 30)
        response = requests.post(f"{live_portal.url}/api/v1/alerts", timeout=10,
                                 json={"event_id": "kiosk-strip-1", "kind": "sos", "wristband": "F0:00:00:00:00:01"},
                                 headers={"Authorization": f"Bearer {live_portal.bridge_token}"})
        response.raise_for_status()
        assert h.wait_for_text("紧急呼叫 · 3号楼 · 正在通知志愿者", 30), (h.texts(), h.app.runtime.site_feed.last)
        _accept_in_browser(chromium, live_portal, response.json()["id"])
        assert h.wait_for_text("紧急呼叫 · 3号楼 · 志愿者已接单", 30), h.texts()

        h.tap("呼叫帮助")
        h.tap("是，呼叫")
        assert h.wait_for_text("已送达，正在通知志愿者", 30), h.texts()
        tracker = h.app.state.data.help
        assert tracker is not None and tracker.alert is not None
        _accept_in_browser(chromium, live_portal, int(tracker.alert["id"]))
        assert h.wait_for_text("志愿者已接单：李志愿", 30), h.texts()


def test_real_client_offline_keeps_the_call_and_sends_it_when_the_portal_returns(live_portal, tmp_path):  # type: ignore[no-untyped-def]
    live_portal.stop()
    with KioskHarness(_config(live_portal, tmp_path)) as h:
        h.tap("呼叫帮助")
        h.tap("是，呼叫")
        assert h.wait_for_text("暂时联系不上服务中心", 30), h.texts()
        assert h.has_text("010-6512 3456")
        assert h.app.client.pending_count() == 1  # type: ignore[union-attr]
        live_portal.start()
        assert h.wait_for_text("已送达，正在通知志愿者", 60), h.texts()


def test_cancel_on_kiosk_cancels_the_alert_in_the_portal(live_portal, tmp_path):  # type: ignore[no-untyped-def]
    with KioskHarness(_config(live_portal, tmp_path)) as h:
        h.tap("呼叫帮助")
        h.tap("是，呼叫")
        assert h.wait_for_text("已送达，正在通知志愿者", 30), h.texts()
        h.tap("我没事，取消呼叫")
        h.tap("是，取消呼叫")
        assert h.wait_for_text("呼叫已取消", 30), h.texts()
        alert_id = h.app.state.data.help.alert["id"]  # type: ignore[union-attr,index]
    answer = requests.get(f"{live_portal.url}/api/v1/alerts/{alert_id}", timeout=10,
                          headers={"Authorization": f"Bearer {live_portal.kiosk_token}"}).json()
    assert answer["state"] == "cancelled"
