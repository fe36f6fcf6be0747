"""Volunteers' actions on one alert in the browser's forms: a note, and cancelling a false alarm
with a reason; both land in the timeline and the kiosk sees the cancellation."""

from __future__ import annotations

from tests.portal.conftest import SeededPortal
from tests.security.access import sign_in


def test_volunteer_adds_a_note_then_cancels_a_false_alarm_with_a_reason(seeded_portal: SeededPortal) -> None:
    client = seeded_portal.client
    kiosk = seeded_portal.device_headers(seeded_portal.kiosk_token)
    alert = client.post("/api/v1/alerts", headers=kiosk, json={"event_id": "mistake-1", "kind": "help",
                                                                "details": {"place": "大厅"}}).json()
    csrf = {"X-CSRF-Token": sign_in(client, "volunteer1", "anxin-demo")}
    assert client.post(f"/alerts/{alert['id']}/notes", headers=csrf, data={"text": "已到楼下"},
                       follow_redirects=False).status_code == 303
    assert client.post(f"/alerts/{alert['id']}/cancel", headers=csrf, data={"reason": "老人误按，已确认平安"},
                       follow_redirects=False).status_code == 303
    page = client.get(f"/alerts/{alert['id']}").text
    assert "李志愿：已到楼下" in page and "老人误按，已确认平安" in page
    assert client.get("/api/v1/alerts/by-event/mistake-1", headers=kiosk).json()["state"] == "cancelled"


def test_cancelling_needs_a_reason(seeded_portal: SeededPortal) -> None:
    client = seeded_portal.client
    alert = client.post("/api/v1/alerts", headers=seeded_portal.device_headers(),
                        json={"event_id": "sos-no-reason", "kind": "sos"}).json()
    csrf = {"X-CSRF-Token": sign_in(client, "volunteer1", "anxin-demo")}
    assert client.post(f"/alerts/{alert['id']}/cancel", headers=csrf, data={"reason": ""}).status_code == 422
    assert client.get("/api/v1/site/alerts", headers=seeded_portal.device_headers()).json()[0]["state"] == "open"
