"""The device client: a request is stored before it is sent and delivered exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from caregiver_portal.client import AlertCreate, Outbox, PortalClient, PortalUnavailable, RequestRejected
from tests.conftest import LivePortal, free_port, wait_until


def test_outbox_survives_reopening_and_ignores_a_second_put(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    outbox = Outbox(path)
    assert outbox.put(event_id="e1", method="POST", path="/api/v1/alerts", body={"kind": "sos"}, priority=0)
    assert not outbox.put(event_id="e1", method="POST", path="/api/v1/alerts", body={"kind": "other"})
    outbox.close()
    reopened = Outbox(path)
    [item] = reopened.pending()
    assert (item.event_id, item.body) == ("e1", {"kind": "sos"})


def test_outbox_sends_urgent_items_before_older_readings(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3")
    outbox.put(event_id="readings-1", method="POST", path="/api/v1/readings", body={}, priority=1)
    outbox.put(event_id="sos-1", method="POST", path="/api/v1/alerts", body={}, priority=0)
    assert [item.event_id for item in outbox.pending()] == ["sos-1", "readings-1"]


def test_direct_read_raises_portal_unavailable_when_nothing_listens(tmp_path: Path) -> None:
    client = PortalClient(f"http://127.0.0.1:{free_port()}", "t", tmp_path / "o.sqlite3", timeout_s=1)
    with pytest.raises(PortalUnavailable):
        client.site_alerts()
    assert client.online is False


def test_alert_stored_while_portal_is_down_is_delivered_once_when_it_returns(
    live_portal: LivePortal, tmp_path: Path
) -> None:
    live_portal.stop()
    client = PortalClient(live_portal.url, live_portal.bridge_token, tmp_path / "bridge.sqlite3",
                          timeout_s=30, max_backoff_s=0.5)  # refused at once while down; a loaded portal may be slow
    client.start()
    try:
        pressed = datetime.now(UTC)
        event_id = client.raise_alert(AlertCreate(kind="sos", wristband="F0:00:00:00:00:01", event_id="band1-42",
                                                  occurred_at=pressed))
        wait_until(lambda: client.online is False)
        assert client.pending_count() == 1
        live_portal.start()
        answer = client.wait_delivered(event_id, timeout=60)
        assert answer is not None and answer["kind"] == "sos"
        assert datetime.fromisoformat(answer["occurred_at"]) == pressed  # the press, not the late arrival
        assert datetime.fromisoformat(answer["received_at"]) > pressed
        assert client.pending_count() == 0
        assert [a["id"] for a in client.site_alerts()] == [answer["id"]]
    finally:
        client.close()


def test_process_killed_after_storing_but_before_sending_delivers_on_next_start(
    live_portal: LivePortal, tmp_path: Path
) -> None:
    outbox_path = tmp_path / "kiosk.sqlite3"
    crashed = PortalClient(live_portal.url, live_portal.kiosk_token, outbox_path)
    event_id = crashed.raise_alert(AlertCreate(kind="help", emergency=True, details={"place": "大厅"},
                                                   event_id="help-before-crash"))
    crashed.outbox.close()  # the process dies here: never started its sender
    restarted = PortalClient(live_portal.url, live_portal.kiosk_token, outbox_path)
    restarted.start()
    try:
        answer = restarted.wait_delivered(event_id, timeout=60)
        assert answer is not None and answer["place"] == "大厅"
        assert restarted.get_alert_for_event(event_id)["id"] == answer["id"]
    finally:
        restarted.close()


def test_portal_that_confirmed_but_answer_was_lost_does_not_store_twice(
    live_portal: LivePortal, tmp_path: Path
) -> None:
    first = PortalClient(live_portal.url, live_portal.bridge_token, tmp_path / "a.sqlite3")
    first.raise_alert(AlertCreate(kind="sos", wristband="F0:00:00:00:00:02", event_id="band2-9"))
    first.flush()
    # The same band event re-sent from a fresh outbox (the confirmation never reached the device).
    second = PortalClient(live_portal.url, live_portal.bridge_token, tmp_path / "b.sqlite3")
    second.raise_alert(AlertCreate(kind="sos", wristband="F0:00:00:00:00:02", event_id="band2-9"))
    second.flush()
    assert second.delivery("band2-9")["duplicate"] is True
    assert len(second.site_alerts()) == 1
    first.close()
    second.close()


def test_request_the_portal_refuses_for_good_is_kept_as_rejected(live_portal: LivePortal, tmp_path: Path) -> None:
    client = PortalClient(live_portal.url, live_portal.bridge_token, tmp_path / "o.sqlite3")
    unchecked = AlertCreate.model_construct(kind="earthquake", event_id="bad-kind-1")  # only the portal judges it
    event_id = client.raise_alert(unchecked)
    client.flush()
    assert client.outbox_state(event_id) == "rejected"
    assert client.pending_count() == 0
    client.close()


def _help_call(event_id: str) -> dict[str, Any]:
    return {"event_id": event_id, "kind": "help", "emergency": True, "details": {"place": "大厅"}}


def test_submitted_write_goes_from_pending_to_delivered_and_reads_back_with_get_json(
    live_portal: LivePortal, tmp_path: Path
) -> None:
    client = PortalClient(live_portal.url, live_portal.kiosk_token, tmp_path / "kiosk.sqlite3")
    try:
        assert client.outbox_state("kiosk-help-1") is None
        event_id = client.submit("/api/v1/alerts", _help_call("kiosk-help-1"), event_id="kiosk-help-1")
        assert client.outbox_state(event_id) == "pending"
        assert client.get_json(f"/api/v1/alerts/by-event/{event_id}") is None, "404 before delivery"
        client.flush()
        assert client.outbox_state(event_id) == "delivered"
        alert = client.get_json(f"/api/v1/alerts/by-event/{event_id}")
        assert alert["id"] == client.delivery(event_id)["id"] and alert["place"] == "大厅"
        assert [a["id"] for a in client.get_json("/api/v1/site/alerts")] == [alert["id"]]
    finally:
        client.close()


def test_wake_sends_at_once_instead_of_sleeping_out_the_backoff(live_portal: LivePortal, tmp_path: Path) -> None:
    live_portal.stop()
    client = PortalClient(live_portal.url, live_portal.kiosk_token, tmp_path / "kiosk.sqlite3", timeout_s=30,
                          min_backoff_s=600, max_backoff_s=600)  # a 1 s timeout under load would mean a 600 s wait
    event_id = client.submit("/api/v1/alerts", _help_call("kiosk-help-2"), event_id="kiosk-help-2")
    client.start()
    try:
        # Attempt 1 consumes the wake-up left by submit(); after attempt 2 the sender sleeps 600 s.
        wait_until(lambda: client.outbox.pending()[0].attempts >= 2)
        live_portal.start()
        assert client.outbox_state(event_id) == "pending", "nothing sends while the sender sleeps"
        client.wake()
        assert client.wait_delivered(event_id, timeout=60) is not None
    finally:
        client.close()


def test_fetch_static_returns_a_catalog_picture_and_maps_errors(live_portal: LivePortal, tmp_path: Path) -> None:
    client = PortalClient(live_portal.url, live_portal.kiosk_token, tmp_path / "kiosk.sqlite3")
    try:
        picture = client.fetch_static("/static/catalog/1f35a.svg")
        assert picture.startswith(b"<svg") and len(picture) > 100
        with pytest.raises(RequestRejected):
            client.fetch_static("/static/catalog/no-such-picture.svg")
        live_portal.stop()
        with pytest.raises(PortalUnavailable):
            client.fetch_static("/static/catalog/1f35a.svg")
    finally:
        client.close()
