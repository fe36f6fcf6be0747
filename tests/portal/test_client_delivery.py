"""The device outbox never lets one request hold back another: dead letters for answers that can never succeed,
per-item backoff for transient failures, emergencies first, lanes that keep related requests in order."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from caregiver_portal.client import AlertCreate, Outbox, PortalClient, Priority, ReadingIn
from caregiver_portal.client.client import lane_of, priority_of
from caregiver_portal.client.verdict import Verdict, item_backoff, judge
from tests.conftest import wait_until
from tests.support.stub_portal import Answer, portal_like, stub_portal

FOREIGN_BAND, OWN_BAND = "F0:00:00:00:09:99", "F0:00:00:00:00:01"
CONFLICT = {"detail": "同一编号已提交过不同内容",
            "conflict": {"stored_digest": "sha256:aa", "request_digest": "sha256:bb"}}


@pytest.mark.parametrize(("status", "answer", "verdict"), [
    pytest.param(201, {}, Verdict.DELIVERED, id="created"),
    pytest.param(200, {"duplicate": True}, Verdict.DELIVERED, id="duplicate"),
    pytest.param(500, None, Verdict.RETRY, id="server-error"),
    pytest.param(503, {"detail": "数据库正忙"}, Verdict.RETRY, id="busy"),
    pytest.param(408, {}, Verdict.RETRY, id="timeout"),
    pytest.param(425, {}, Verdict.RETRY, id="too-early"),
    pytest.param(429, {}, Verdict.RETRY, id="rate-limited"),
    pytest.param(401, {}, Verdict.CHECK_TOKEN, id="unauthorised"),
    pytest.param(403, {"detail": "wristband belongs to another site"}, Verdict.CHECK_TOKEN, id="forbidden"),
    pytest.param(409, CONFLICT, Verdict.CONFLICT, id="conflict"),
    pytest.param(409, {"detail": "alert 3 is resolved"}, Verdict.DEAD, id="invalid-transition"),
    pytest.param(422, {"detail": []}, Verdict.DEAD, id="invalid"),
    pytest.param(404, {}, Verdict.DEAD, id="not-found"),
    pytest.param(413, {}, Verdict.DEAD, id="too-large"),
])
def test_judge_answers(status: int, answer: Any, verdict: Verdict) -> None:
    assert judge(status, answer) is verdict


@pytest.mark.parametrize(("path", "body", "priority"), [
    pytest.param("/api/v1/alerts", {"kind": "sos"}, Priority.EMERGENCY, id="sos"),
    pytest.param("/api/v1/alerts", {"kind": "fall"}, Priority.EMERGENCY, id="fall"),
    pytest.param("/api/v1/alerts", {"kind": "help", "emergency": True}, Priority.EMERGENCY, id="emergency-help"),
    pytest.param("/api/v1/alerts", {"kind": "help"}, Priority.URGENT, id="help"),
    pytest.param("/api/v1/orders", {"kind": "sos"}, Priority.URGENT, id="order"),
    pytest.param("/api/v1/readings", {}, Priority.BULK, id="readings"),
])
def test_priority_of_requests(path: str, body: dict[str, Any], priority: Priority) -> None:
    assert priority_of(path, body) == priority


@pytest.mark.parametrize(("path", "lane"), [
    pytest.param("/api/v1/alerts/by-event/sos-1/cancel", "sos-1", id="cancel-follows-alert"),
    pytest.param("/api/v1/orders/by-event/order-7/confirm-received", "order-7", id="receipt-follows-order"),
    pytest.param("/api/v1/activities/5/signups", "activity-5", id="signup"),
    pytest.param("/api/v1/activities/5/signups/cancel", "activity-5", id="withdrawal-follows-signup"),
    pytest.param("/api/v1/alerts", "e1", id="own-lane"),
])
def test_lane_of_requests(path: str, lane: str) -> None:
    assert lane_of(path, "e1") == lane


def test_item_backoff_grows_and_is_capped() -> None:
    delays = [item_backoff(n, min_s=1.0, max_s=8.0, jitter_s=0.0) for n in range(1, 7)]
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


class FakeClock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _due(outbox: Outbox, clock: FakeClock, *, started: float | None = None) -> str | None:
    item = outbox.next_due(now=clock.now, pass_started=clock.now + 1 if started is None else started)
    return item.event_id if item else None


def test_next_due_orders_emergencies_fresh_items_and_lanes(tmp_path: Path) -> None:
    clock = FakeClock()
    outbox = Outbox(tmp_path / "o.sqlite3", clock=clock)
    outbox.put(event_id="readings-1", method="POST", path="/api/v1/readings", body={}, priority=Priority.BULK)
    outbox.put(event_id="order-1", method="POST", path="/api/v1/orders", body={}, priority=Priority.URGENT)
    outbox.put(event_id="sos-1", method="POST", path="/api/v1/alerts", body={}, priority=Priority.EMERGENCY)
    outbox.put(event_id="cancel-sos-1", method="POST", path="/api/v1/alerts/by-event/sos-1/cancel", body={},
               priority=Priority.EMERGENCY, lane="sos-1")
    outbox.put(event_id="sos-2", method="POST", path="/api/v1/alerts", body={}, priority=Priority.EMERGENCY)
    assert _due(outbox, clock) == "sos-1"
    outbox.record_attempt("sos-1", "HTTP 500", retry_at=clock.now + 10)  # sos-1 backs off…
    assert _due(outbox, clock) == "sos-2", "the cancellation waits for its alert; the next SOS goes"
    clock.now += 10
    assert _due(outbox, clock) == "sos-2", "a fresh SOS before one that already failed"
    outbox.mark_delivered("sos-2", {})
    assert _due(outbox, clock) == "sos-1"
    outbox.mark_delivered("sos-1", {})
    assert _due(outbox, clock) == "cancel-sos-1"
    outbox.mark_rejected("cancel-sos-1", "HTTP 409", status_code=409)
    assert _due(outbox, clock) == "order-1"
    outbox.record_attempt("order-1", "HTTP 503", retry_at=clock.now + 60)
    assert _due(outbox, clock) == "readings-1", "readings go while the order backs off"
    assert outbox.next_due(now=clock.now, pass_started=clock.now + 1, ignore_backoff=True).event_id == "order-1"
    assert _due(outbox, clock, started=clock.now - 1) == "readings-1", "order-1 was tried in this pass"


def test_outbox_of_an_older_client_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
            method TEXT NOT NULL, path TEXT NOT NULL, body TEXT NOT NULL, created_at REAL NOT NULL,
            priority INTEGER NOT NULL DEFAULT 1, attempts INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'pending', response TEXT, last_error TEXT, done_at REAL);
        CREATE INDEX ix_outbox_pending ON outbox (state, priority, seq);
        INSERT INTO outbox (event_id, method, path, body, created_at, priority, attempts)
            VALUES ('r1', 'POST', '/api/v1/readings', '{}', 1, 1, 7),
                   ('help1', 'POST', '/api/v1/alerts', '{"kind": "help"}', 2, 0, 0),
                   ('sos1', 'POST', '/api/v1/alerts', '{"kind": "sos"}', 3, 0, 24);
    """)
    old.close()
    outbox = Outbox(path)
    assert [(i.event_id, i.priority, i.lane) for i in outbox.pending()] == [
        ("sos1", Priority.EMERGENCY, "sos1"), ("help1", Priority.URGENT, "help1"), ("r1", Priority.BULK, "r1")]
    outbox.close()
    assert Outbox(path).pending_count() == 3, "opening it again changes nothing"


def _old_portal() -> Any:
    """The portal as the campaign found it: 403 for a band of another site, 500 for one poisonous request."""

    def script(method: str, path: str, body: Any) -> Answer:
        if path == "/api/v1/alerts" and body.get("wristband") == FOREIGN_BAND:
            return 403, {"detail": "wristband belongs to another site"}
        if path == "/api/v1/alerts" and body.get("details", {}).get("poison"):
            return 500, {"detail": "Internal Server Error"}
        return portal_like(method, path, body)

    return script


def test_foreign_band_sos_becomes_a_dead_letter_and_the_own_sos_goes_at_once(tmp_path: Path) -> None:
    with stub_portal(_old_portal()) as portal:
        client = PortalClient(portal.url, "bridge-token", tmp_path / "bridge.sqlite3", timeout_s=5)
        client.raise_alert(AlertCreate(kind="sos", wristband=FOREIGN_BAND, event_id="foreign-1"))
        client.raise_alert(AlertCreate(kind="sos", wristband=OWN_BAND, event_id="poison-1", details={"poison": True}))
        client.post_readings([ReadingIn(wristband=OWN_BAND, kind="heart_rate", value=72,
                                        measured_at=datetime(2026, 12, 6, 1, tzinfo=UTC))], batch_id="batch-1")
        client.start()
        try:
            wait_until(lambda: client.outbox_state("foreign-1") == "rejected", timeout=30)
            stored = time.monotonic()
            client.raise_alert(AlertCreate(kind="sos", wristband=OWN_BAND, event_id="own-1"))
            assert client.wait_delivered("own-1", timeout=30) is not None
            delivered = portal.calls_to("/api/v1/alerts")[-1].at
            wait_until(lambda: client.outbox_state("batch-1") == "delivered", timeout=30)
            wait_until(lambda: portal.calls_to("/api/v1/device/dead-letters"), timeout=30)
        finally:
            client.close()
    print(f"own SOS stored -> received by the portal: {delivered - stored:.3f} s")  # docs/reliability.md
    letter = client_dead_letter(tmp_path / "bridge.sqlite3", "foreign-1")
    assert (letter.problem, letter.status_code) == ("forbidden", 403)
    assert "another site" in letter.detail
    foreign_tries = [c for c in portal.calls_to("/api/v1/alerts") if c.body["event_id"] == "foreign-1"]
    assert len(foreign_tries) == 1, "a refusal for good is not retried"
    assert [c.body["event_id"] for c in portal.calls if c.path == "/api/v1/alerts"][-1] == "own-1"
    [report] = portal.calls_to("/api/v1/device/dead-letters")[0].body
    assert (report["event_id"], report["problem"]) == ("foreign-1", "forbidden")
    assert report["summary"] == f"sos {FOREIGN_BAND}"
    poison = Outbox(tmp_path / "bridge.sqlite3").pending()
    assert [(i.event_id, i.attempts >= 1) for i in poison] == [("poison-1", True)], "a 500 backs off, it is not lost"


def client_dead_letter(path: Path, event_id: str) -> Any:
    """The dead letter ``event_id`` as a reopened outbox holds it."""
    letter = Outbox(path).dead_letter(event_id)
    assert letter is not None
    return letter


def test_a_request_that_keeps_failing_with_500_backs_off_on_its_own(tmp_path: Path) -> None:
    with stub_portal(_old_portal()) as portal:
        client = PortalClient(portal.url, "t", tmp_path / "o.sqlite3", min_backoff_s=60, max_backoff_s=60)
        client.raise_alert(AlertCreate(kind="help", event_id="poison-2", details={"poison": True}))
        client.flush()
        client.raise_alert(AlertCreate(kind="help", event_id="help-2"))
        client.flush()  # a flush ignores backoffs: both are tried, the poison first (older)
        client.start()
        try:
            wait_until(lambda: client.outbox_state("help-2") == "delivered", timeout=30)
            client.raise_alert(AlertCreate(kind="help", event_id="help-3"))
            wait_until(lambda: client.outbox_state("help-3") == "delivered", timeout=30)
        finally:
            client.close()
    tries = [c.body["event_id"] for c in portal.calls_to("/api/v1/alerts")]
    assert tries.count("poison-2") == 2, "inside its 60 s backoff the poisonous request is not sent again"
    assert Outbox(tmp_path / "o.sqlite3").pending()[0].attempts == 2


def test_refused_token_keeps_every_request_pending_instead_of_dead(tmp_path: Path) -> None:
    def revoked(method: str, path: str, body: Any) -> Answer:
        return 401, {"detail": "设备令牌无效或已吊销"}

    with stub_portal(revoked) as portal:
        client = PortalClient(portal.url, "old-token", tmp_path / "o.sqlite3")
        client.raise_alert(AlertCreate(kind="sos", event_id="sos-9"))
        with pytest.raises(Exception, match="401"):
            client.flush()
        assert client.outbox_state("sos-9") == "pending" and client.online is False
        assert portal.calls_to("/api/v1/device"), "the token was checked"
        client.close()


def test_same_id_with_a_different_body_is_recorded_as_a_conflict_never_delivered(tmp_path: Path) -> None:
    def conflicted(method: str, path: str, body: Any) -> Answer:
        return (409, CONFLICT) if path == "/api/v1/orders" else portal_like(method, path, body)

    with stub_portal(conflicted) as portal:
        client = PortalClient(portal.url, "t", tmp_path / "o.sqlite3")
        client.submit("/api/v1/orders", {"event_id": "order-1", "items": []}, event_id="order-1")
        client.flush()
        state, answer = client.outbox_state("order-1"), client.delivery("order-1")
        letter = client.dead_letter("order-1")
        client.close()
    assert state == "rejected" and answer is None
    assert letter is not None and letter.problem == "conflict"
    assert letter.answer["conflict"] == {"stored_digest": "sha256:aa", "request_digest": "sha256:bb"}
