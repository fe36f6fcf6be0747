"""The device API: authentication, idempotent alerts, reading batches, clear 4xx errors."""

from __future__ import annotations

import pytest

from tests.portal.conftest import SeededPortal

BAND = "F0:00:00:00:00:01"


def raise_sos(portal: SeededPortal, event_id: str = "band1-7", **extra: object):  # type: ignore[no-untyped-def]
    body = {"event_id": event_id, "kind": "sos", "wristband": BAND, **extra}
    return portal.client.post("/api/v1/alerts", json=body, headers=portal.device_headers())


def test_healthz_answers_ok(seeded_portal: SeededPortal) -> None:
    response = seeded_portal.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_sos_from_known_wristband_is_stored_with_resident_place(seeded_portal: SeededPortal) -> None:
    response = raise_sos(seeded_portal)
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "open" and body["emergency"] is True and body["duplicate"] is False
    assert body["place"] == "3号楼201"


def test_same_event_sent_twice_is_stored_once(seeded_portal: SeededPortal) -> None:
    first = raise_sos(seeded_portal)
    second = raise_sos(seeded_portal)
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"] and second.json()["duplicate"] is True
    alerts = seeded_portal.client.get("/api/v1/site/alerts", headers=seeded_portal.device_headers()).json()
    assert [a["id"] for a in alerts] == [first.json()["id"]]


def test_same_event_id_from_another_device_is_a_different_alert(seeded_portal: SeededPortal) -> None:
    from_bridge = raise_sos(seeded_portal, "shared-1")
    from_kiosk = seeded_portal.client.post("/api/v1/alerts", json={"event_id": "shared-1", "kind": "help"},
                                           headers=seeded_portal.device_headers(seeded_portal.kiosk_token))
    assert from_kiosk.status_code == 201
    assert from_kiosk.json()["id"] != from_bridge.json()["id"]


@pytest.mark.parametrize("headers", [
    pytest.param({}, id="no-header"),
    pytest.param({"Authorization": "Bearer axd_not-a-real-token"}, id="unknown-token"),
    pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="wrong-scheme"),
])
def test_device_api_refuses_missing_or_wrong_token(seeded_portal: SeededPortal, headers: dict[str, str]) -> None:
    response = seeded_portal.client.post("/api/v1/alerts", json={"event_id": "x", "kind": "sos"}, headers=headers)
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize("body", [
    pytest.param({"event_id": "x", "kind": "earthquake"}, id="unknown-kind"),
    pytest.param({"event_id": "", "kind": "sos"}, id="empty-event-id"),
    pytest.param({"event_id": "a b<script>", "kind": "sos"}, id="bad-event-id"),
    pytest.param({"kind": "sos"}, id="missing-event-id"),
    pytest.param({"event_id": "x", "kind": "sos", "surprise": 1}, id="unknown-field"),
    pytest.param({"event_id": "x", "kind": "sos", "occurred_at": "2026-11-25T10:00:00"}, id="naive-timestamp"),
    pytest.param([1, 2, 3], id="not-an-object"),
])
def test_malformed_alert_gets_422_with_json_detail(seeded_portal: SeededPortal, body: object) -> None:
    response = seeded_portal.client.post("/api/v1/alerts", json=body, headers=seeded_portal.device_headers())
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


def test_garbage_body_gets_422_not_500(seeded_portal: SeededPortal) -> None:
    response = seeded_portal.client.post("/api/v1/alerts", content=b"\xff\xfe garbage",
                                         headers={**seeded_portal.device_headers(), "content-type": "application/json"})
    assert response.status_code == 422


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/xml"])
def test_wrong_content_type_gets_422_and_stores_nothing(seeded_portal: SeededPortal, content_type: str) -> None:
    response = seeded_portal.client.post("/api/v1/alerts", content=b'{"event_id": "typed", "kind": "sos"}',
                                         headers={**seeded_portal.device_headers(), "content-type": content_type})
    assert response.status_code == 422 and isinstance(response.json()["detail"], list)
    lookup = seeded_portal.client.get("/api/v1/alerts/by-event/typed", headers=seeded_portal.device_headers())
    assert lookup.status_code == 404


@pytest.mark.parametrize("timestamp", ["1970-01-01T00:00:00Z", "0001-01-01T00:00:00+08:00", "1999-12-31T23:59:59Z"])
def test_timestamps_from_an_unset_clock_get_422(seeded_portal: SeededPortal, timestamp: str) -> None:
    alert = {"event_id": "clock", "kind": "sos", "wristband": BAND, "occurred_at": timestamp}
    batch = {"batch_id": "clock", "readings": [{"wristband": BAND, "kind": "heart_rate", "value": 70,
                                                "measured_at": timestamp}]}
    for path, body in (("/api/v1/alerts", alert), ("/api/v1/readings", batch)):
        response = seeded_portal.client.post(path, json=body, headers=seeded_portal.device_headers())
        assert response.status_code == 422, path
        assert "2000" in str(response.json()["detail"])


def test_readings_from_the_far_future_are_counted_as_rejected(seeded_portal: SeededPortal) -> None:
    batch = {"batch_id": "future", "readings": [
        {"wristband": BAND, "kind": "heart_rate", "value": 70, "measured_at": "9999-12-31T23:59:59Z"},
        {"wristband": BAND, "kind": "heart_rate", "value": 71, "measured_at": "2026-11-25T06:00:00Z"}]}
    response = seeded_portal.client.post("/api/v1/readings", json=batch, headers=seeded_portal.device_headers())
    assert response.status_code == 202
    assert (response.json()["accepted"], response.json()["rejected"]) == (1, 1)


def test_oversized_body_gets_413(seeded_portal: SeededPortal) -> None:
    response = seeded_portal.client.post("/api/v1/readings", content=b"x" * 2_000_000,
                                         headers={**seeded_portal.device_headers(), "content-type": "application/json"})
    assert response.status_code == 413
    assert "detail" in response.json()


def test_reading_batch_is_stored_once_and_unknown_bands_are_reported(seeded_portal: SeededPortal) -> None:
    batch = {"batch_id": "batch-1", "readings": [
        {"wristband": BAND, "kind": "heart_rate", "value": 72, "measured_at": "2026-11-25T06:00:00+00:00"},
        {"wristband": BAND, "kind": "battery", "value": 80, "measured_at": "2026-11-25T06:00:01+00:00"},
        {"wristband": "AA:BB:CC:DD:EE:FF", "kind": "spo2", "value": 97, "measured_at": "2026-11-25T06:00:00+00:00"},
    ]}
    first = seeded_portal.client.post("/api/v1/readings", json=batch, headers=seeded_portal.device_headers())
    again = seeded_portal.client.post("/api/v1/readings", json=batch, headers=seeded_portal.device_headers())
    assert first.status_code == 202
    assert first.json() == {"batch_id": "batch-1", "accepted": 2, "rejected": 1, "duplicate": False,
                            "unknown_wristbands": ["AA:BB:CC:DD:EE:FF"], "withheld_without_consent": 0}
    assert again.json()["duplicate"] is True and again.json()["accepted"] == 2


@pytest.mark.parametrize("value", [float("nan"), 1e12, -5000])
def test_absurd_reading_values_are_refused(seeded_portal: SeededPortal, value: float) -> None:
    batch = {"batch_id": "b", "readings": [{"wristband": BAND, "kind": "heart_rate", "value": value,
                                             "measured_at": "2026-11-25T06:00:00+00:00"}]}
    response = seeded_portal.client.post("/api/v1/readings", content=_json_allowing_nan(batch),
                                         headers={**seeded_portal.device_headers(), "content-type": "application/json"})
    assert response.status_code == 422


def _json_allowing_nan(body: object) -> bytes:
    import json

    return json.dumps(body).encode()


def test_kiosk_follows_its_alert_by_event_id_and_can_cancel_it(seeded_portal: SeededPortal) -> None:
    kiosk = seeded_portal.device_headers(seeded_portal.kiosk_token)
    seeded_portal.client.post("/api/v1/alerts", json={"event_id": "k-1", "kind": "help", "emergency": True,
                                                       "details": {"place": "大厅"}}, headers=kiosk)
    followed = seeded_portal.client.get("/api/v1/alerts/by-event/k-1", headers=kiosk)
    assert followed.status_code == 200 and followed.json()["place"] == "大厅"
    cancelled = seeded_portal.client.post("/api/v1/alerts/by-event/k-1/cancel", json={"reason": "我没事"},
                                          headers=kiosk)
    assert cancelled.json()["state"] == "cancelled"
    assert seeded_portal.client.get("/api/v1/alerts/by-event/unknown", headers=kiosk).status_code == 404


def test_bridge_lists_the_wristbands_of_its_site(seeded_portal: SeededPortal) -> None:
    bands = seeded_portal.client.get("/api/v1/wristbands", headers=seeded_portal.device_headers()).json()
    assert [b["address"] for b in bands] == ["F0:00:00:00:00:01", "F0:00:00:00:00:02", "F0:00:00:00:00:03"]


def test_openapi_document_describes_the_device_api(seeded_portal: SeededPortal) -> None:
    paths = seeded_portal.client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/alerts", "/api/v1/readings", "/api/v1/site/alerts", "/healthz"} <= set(paths)


def test_kiosk_token_cannot_post_health_readings_or_list_wristbands(seeded_portal: SeededPortal) -> None:
    kiosk = seeded_portal.device_headers(seeded_portal.kiosk_token)
    batch = {"batch_id": "k", "readings": [{"wristband": BAND, "kind": "heart_rate", "value": 70,
                                            "measured_at": "2026-11-25T06:00:00+00:00"}]}
    assert seeded_portal.client.post("/api/v1/readings", json=batch, headers=kiosk).status_code == 403
    assert seeded_portal.client.get("/api/v1/wristbands", headers=kiosk).status_code == 403


def test_fall_cancelled_on_the_band_is_recorded_but_never_escalates(seeded_portal: SeededPortal) -> None:
    from sqlalchemy import create_engine, select

    from caregiver_portal.escalation.models import Escalation

    raised = seeded_portal.client.post("/api/v1/alerts", headers=seeded_portal.device_headers(), json={
        "event_id": "fall-cancelled-1", "kind": "fall", "wristband": BAND, "emergency": False,
        "details": {"cancelled": True, "cancelled_after_s": 4}}).json()
    engine = create_engine(str(seeded_portal.client.app.state.portal.settings.database_url))
    with engine.connect() as db:
        assert list(db.scalars(select(Escalation.alert_id).where(Escalation.alert_id == raised["id"]))) == []
    engine.dispose()
