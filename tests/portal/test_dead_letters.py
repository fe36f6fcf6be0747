"""Dead letters: the bridge forwards an SOS from a band of another site and its own SOS right after; the own SOS
is delivered at once, and what the portal refused for good (a forbidden request, an id reused for a different
request) is reported to it and shown to the admin."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from caregiver_portal.accounts.service import get_or_create_site
from caregiver_portal.bands.models import Wristband
from caregiver_portal.client import AlertCreate, PortalClient, ReadingIn
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from tests.conftest import LivePortal, wait_until
from tests.portal.conftest import SeededPortal
from tests.security.access import sign_in

FOREIGN_BAND, OWN_BAND = "F0:00:00:00:09:99", "F0:00:00:00:00:01"
REPORT = {"event_id": "bad-1", "method": "POST", "path": "/api/v1/readings", "status_code": 403,
          "problem": "forbidden", "detail": "HTTP 403: 只有手环网关可以使用这个接口", "summary": "readings x1",
          "failed_at": "2026-12-06T01:00:00+00:00"}


def _register_band_at_another_site(database_url: str, address: str) -> None:
    engine = create_db_engine(database_url)
    with transaction(create_session_factory(engine)) as session:
        other = get_or_create_site(session=session, name="另一个社区")
        session.add(Wristband(site_id=other.id, address=address))
    engine.dispose()


def test_who_am_i_names_the_device_and_refuses_a_bad_token(seeded_portal: SeededPortal) -> None:
    client = seeded_portal.client
    me = client.get("/api/v1/device", headers=seeded_portal.device_headers()).json()
    assert me["kind"] == "bridge" and me["name"] == "大厅手环网关"
    assert client.get("/api/v1/device", headers=seeded_portal.device_headers("nope")).status_code == 401


def test_reported_dead_letter_is_stored_once_and_shown_to_the_admin_until_handled(
    seeded_portal: SeededPortal,
) -> None:
    client = seeded_portal.client
    headers = seeded_portal.device_headers(seeded_portal.kiosk_token)
    first = client.post("/api/v1/device/dead-letters", json=[REPORT], headers=headers)
    again = client.post("/api/v1/device/dead-letters", json=[REPORT, {**REPORT, "event_id": "bad-2"}], headers=headers)
    assert (first.status_code, first.json()) == (200, {"stored": 1, "known": 0})
    assert again.json() == {"stored": 1, "known": 1}
    assert client.post("/api/v1/device/dead-letters", json=[], headers=headers).status_code == 422
    csrf = sign_in(client, "admin", "anxin-admin")
    page = client.get("/admin/dead-letters").text
    assert "bad-1" in page and "大厅自助机" in page and "无权提交" in page and "readings x1" in page
    letter_id = re.findall(r'data-dead-letter-id="(\d+)"', page)[-1]
    done = client.post(f"/admin/dead-letters/{letter_id}/resolve", data={"csrf_token": csrf}, follow_redirects=True)
    assert done.status_code == 200 and f'data-dead-letter-id="{letter_id}"' not in done.text


def _admin_page(portal: LivePortal) -> str:
    with requests.Session() as browser:
        page = browser.get(f"{portal.url}/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        browser.post(f"{portal.url}/login", data={"username": "admin", "password": "anxin-admin",
                                                  "csrf_token": csrf, "next": "/admin/dead-letters"})
        return browser.get(f"{portal.url}/admin/dead-letters").text


def _page_listing(portal: LivePortal, *event_ids: str) -> str | None:
    page = _admin_page(portal)
    return page if all(event_id in page for event_id in event_ids) else None


def test_foreign_band_sos_does_not_hold_back_the_own_sos_and_refusals_reach_the_admin(
    live_portal: LivePortal, tmp_path: Path,
) -> None:
    _register_band_at_another_site(live_portal.database_url, FOREIGN_BAND)
    bridge = PortalClient(live_portal.url, live_portal.bridge_token, tmp_path / "bridge.sqlite3")
    kiosk = PortalClient(live_portal.url, live_portal.kiosk_token, tmp_path / "kiosk.sqlite3")
    bridge.raise_alert(AlertCreate(kind="sos", wristband=FOREIGN_BAND, event_id="foreign-1"))
    kiosk.raise_alert(AlertCreate(kind="help", event_id="help-1", details={"place": "一楼"}))
    reflashed = PortalClient(live_portal.url, live_portal.kiosk_token, tmp_path / "reflashed.sqlite3")
    reflashed.raise_alert(AlertCreate(kind="help", event_id="help-1", details={"place": "二楼"}))  # counter restarted
    kiosk.post_readings([ReadingIn(wristband=OWN_BAND, kind="heart_rate", value=70,
                                   measured_at=datetime(2026, 12, 6, 1, tzinfo=UTC))], batch_id="kiosk-readings-1")
    bridge.start()
    kiosk.start()
    try:
        stored = time.monotonic()
        bridge.raise_alert(AlertCreate(kind="sos", wristband=OWN_BAND, event_id="own-1"))
        own = bridge.wait_delivered("own-1", timeout=30)
        took = time.monotonic() - stored
        foreign = bridge.wait_delivered("foreign-1", timeout=30)
        wait_until(lambda: kiosk.outbox_state("kiosk-readings-1") == "rejected", timeout=30)
        first_help = kiosk.wait_delivered("help-1", timeout=30)
        reflashed.start()  # after the first help call is stored: the same id with another body is a conflict
        wait_until(lambda: reflashed.outbox_state("help-1") == "rejected", timeout=30)
        conflict, conflict_answer = reflashed.dead_letter("help-1"), reflashed.delivery("help-1")
        page = wait_until(lambda: _page_listing(live_portal, "kiosk-readings-1", "help-1"), timeout=30)
        still = kiosk.get_alert_for_event("help-1")
    finally:
        bridge.close()
        kiosk.close()
        reflashed.close()
    print(f"own SOS stored -> delivered (live portal): {took:.3f} s")  # docs/reliability.md
    assert own is not None and own["duplicate"] is False
    assert foreign is not None and foreign["place"] == "大厅手环网关", "answered like an unregistered band"
    assert "another" not in str(foreign), "the answer does not tell that the band exists elsewhere"
    assert "大厅自助机" in page and "无权提交" in page
    assert first_help is not None and conflict is not None and conflict.problem == "conflict"
    assert conflict_answer is None, "a conflict is never recorded as delivered"
    digests = conflict.answer["conflict"]
    assert digests["stored_digest"].startswith("sha256:") and digests["stored_digest"] != digests["request_digest"]
    assert still is not None and still["place"] == first_help["place"] == "一楼"
    assert "编号冲突" in page
