"""One id, one request (issue 18 point 6): every idempotent device write re-sent under its id is a duplicate,
a different request under a used id is a 409 naming both digests, and nothing of it is stored."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from caregiver_portal.core.idempotency import request_digest
from caregiver_portal.core.settings import PortalSettings
from tests.portal.conftest import SeededPortal
from tests.support.community import seed_community_for_tests


class _Body(BaseModel):
    event_id: str
    details: dict[str, Any]


def test_digest_is_of_the_validated_request_and_its_path_parameters() -> None:
    same = request_digest(_Body(event_id="e1", details={"a": 1, "b": "安"}))
    assert same == request_digest(_Body.model_validate_json('{"details": {"b": "安", "a": 1}, "event_id": "e1"}'))
    assert same.startswith("sha256:") and len(same) == 71
    assert same != request_digest(_Body(event_id="e1", details={"a": 2, "b": "安"}))
    assert request_digest(_Body(event_id="e1", details={}), activity_id=1) != request_digest(
        _Body(event_id="e1", details={}), activity_id=2)


def test_a_used_id_with_a_different_body_is_409_with_both_digests_on_every_idempotent_write(
    seeded_portal: SeededPortal, portal_settings: PortalSettings,
) -> None:
    seed_community_for_tests(portal_settings.database_url)
    client, kiosk, bridge = seeded_portal.client, seeded_portal.kiosk_token, seeded_portal.bridge_token
    headers = {kiosk: seeded_portal.device_headers(kiosk), bridge: seeded_portal.device_headers(bridge)}
    activity = client.get("/api/v1/activities", headers=headers[kiosk]).json()[0]["id"]
    resident = client.get("/api/v1/residents/lookup?code=0201", headers=headers[kiosk]).json()["id"]
    other = client.get("/api/v1/residents/lookup?code=0502", headers=headers[kiosk]).json()["id"]
    reading = {"wristband": "F0:00:00:00:00:01", "kind": "heart_rate", "value": 70,
               "measured_at": "2026-12-06T01:00:00+00:00"}
    writes = [  # token, path, first body, a different body under the same id, the id's field
        (bridge, "/api/v1/alerts", {"event_id": "i-1", "kind": "help", "details": {"place": "一楼"}},
         {"event_id": "i-1", "kind": "help", "details": {"place": "二楼"}}, "event_id"),
        (bridge, "/api/v1/readings", {"batch_id": "i-2", "readings": [reading]},
         {"batch_id": "i-2", "readings": [{**reading, "value": 71}]}, "batch_id"),
        (kiosk, "/api/v1/orders", {"event_id": "i-3", "items": [{"name": "大米", "quantity": 1}]},
         {"event_id": "i-3", "items": [{"name": "大米", "quantity": 2}]}, "event_id"),
        (kiosk, f"/api/v1/activities/{activity}/signups", {"event_id": "i-4", "resident_id": resident},
         {"event_id": "i-4", "resident_id": other}, "event_id"),
        (kiosk, "/api/v1/ratings", {"event_id": "i-5", "target_kind": "service", "stars": 5},
         {"event_id": "i-5", "target_kind": "service", "stars": 1}, "event_id"),
    ]
    for token, path, body, changed, id_field in writes:
        first = client.post(path, json=body, headers=headers[token])
        again = client.post(path, json=dict(reversed(body.items())), headers=headers[token])  # same, reordered
        conflict = client.post(path, json=changed, headers=headers[token])
        assert first.status_code in (201, 202), (path, first.text)
        assert again.status_code in (200, 202) and again.json()["duplicate"] is True, (path, again.text)
        assert conflict.status_code == 409, (path, conflict.text)
        answer = conflict.json()
        assert answer["detail"] and answer["conflict"]["event_id"] == body[id_field]
        assert answer["conflict"]["stored_digest"] != answer["conflict"]["request_digest"]
        assert {d[:7] for d in (answer["conflict"]["stored_digest"], answer["conflict"]["request_digest"])} == {
            "sha256:"}
    alert = client.get("/api/v1/alerts/by-event/i-1", headers=headers[bridge]).json()
    assert alert["place"] != "二楼", "the conflicting alert changed nothing"
    order = client.get("/api/v1/orders/by-event/i-3", headers=headers[kiosk]).json()
    assert [line["quantity"] for line in order["items"]] == [1]
    mine = client.get(f"/api/v1/residents/{other}/activities", headers=headers[kiosk]).json()
    assert all(s["activity_id"] != activity for s in mine), "the other resident was not signed up"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_same_id_on_another_device_is_no_conflict(seeded_portal: SeededPortal) -> None:
    body = {"event_id": "shared-1", "kind": "help", "details": {"place": "一楼"}}
    client = seeded_portal.client
    assert client.post("/api/v1/alerts", json=body, headers=seeded_portal.device_headers()).status_code == 201
    kiosk = seeded_portal.device_headers(seeded_portal.kiosk_token)
    other = client.post("/api/v1/alerts", json={**body, "details": {"place": "大厅"}}, headers=kiosk)
    assert other.status_code == 201 and other.json()["duplicate"] is False
