"""The daily check-in and arrival in the browser (TestClient on both databases): a grid worker puts a resident
on the check-in, a volunteer marks them seen, and an accepted SOS is marked 已到达."""

from __future__ import annotations

import re

from sqlalchemy import select

from caregiver_portal.alerts.models import Alert
from caregiver_portal.safety.models import Checkin
from tests.portal.conftest import SeededPortal
from tests.portal.test_web_security import sign_in


def test_checkin_plan_seen_and_arrival(seeded_portal: SeededPortal) -> None:
    client = seeded_portal.client
    raised = client.post("/api/v1/alerts", headers=seeded_portal.device_headers(),
                         json={"event_id": "web-arrive-1", "kind": "sos", "wristband": "F0:00:00:00:00:01"}).json()
    factory = client.app.state.portal.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        alert = session.get(Alert, raised["id"])
        assert alert is not None and alert.resident_id is not None
        resident_id = alert.resident_id

    csrf = sign_in(client, "caregiver1")
    saved = client.post(f"/checkins/{resident_id}/plan", follow_redirects=False,
                        data={"csrf_token": csrf, "care_level": "4", "lives_alone": "true", "checkin": "true",
                              "deadline": "10:00", "wear_start": "07:00", "wear_end": "22:00",
                              "silent_after_h": "2", "charge_at": "21:00"})
    assert saved.status_code == 303
    listed = client.get("/checkins").text
    assert f'data-resident-id="{resident_id}" data-checked="false"' in listed and "能力完全丧失" in listed
    assert "09:00" in listed  # grade 4: an hour before the plan's 10:00
    refused = client.post(f"/checkins/{resident_id}/plan", follow_redirects=True,
                          data={"csrf_token": csrf, "deadline": "25:00", "checkin": "true"})
    assert "时间“25:00”不正确" in refused.text

    client.post("/logout", data={"csrf_token": csrf})
    csrf = sign_in(client, "volunteer1")
    client.post(f"/checkins/{resident_id}/seen", data={"csrf_token": csrf}, follow_redirects=False)
    assert f'data-resident-id="{resident_id}" data-checked="true"' in client.get("/checkins").text
    with factory() as session:
        assert session.scalars(select(Checkin.source).where(Checkin.resident_id == resident_id)).all() == ["staff"]

    client.post(f"/alerts/{raised['id']}/accept", data={"csrf_token": csrf}, follow_redirects=False)
    page = client.get(f"/alerts/{raised['id']}").text
    assert re.search(rf'action="/alerts/{raised["id"]}/arrived"', page)
    assert client.post(f"/alerts/{raised['id']}/arrived", data={"csrf_token": csrf},
                       follow_redirects=False).status_code == 303
    with factory() as session:
        alert = session.get(Alert, raised["id"])
        assert alert is not None and alert.arrived_at is not None
    assert "/arrived" not in client.get(f"/alerts/{raised['id']}").text
