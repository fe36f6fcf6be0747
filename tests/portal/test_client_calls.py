"""The SDK's typed calls: each device path and body comes from the API's own request models, and the SDK
imports neither FastAPI nor SQLAlchemy (a kiosk or bridge runs without them)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from caregiver_portal.client import (
    AlertCreate,
    BandStatusIn,
    CheckinCreate,
    OrderCreate,
    OrderLineIn,
    Priority,
    RatingCreate,
    ReadingIn,
    RollCallAnswer,
    SignupCancel,
    SignupCreate,
    UnknownBandIn,
)
from caregiver_portal.client.community import CommunityCalls
from tests.conftest import ROOT

AT = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)


class Recorder(CommunityCalls):
    """The typed calls over primitives that only record what would be sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Any, dict[str, Any]]] = []

    def submit(self, path: str, body: dict[str, Any], *, event_id: str | None = None, urgent: bool = True,
               priority: Priority | None = None, lane: str | None = None) -> str:
        self.sent.append(("submit", path, body, {"event_id": event_id, "urgent": urgent, "priority": priority}))
        return event_id or "generated"

    def get_json(self, path: str) -> Any:
        self.sent.append(("get", path, None, {}))
        return []

    def post_now(self, path: str, body: Any) -> Any:
        self.sent.append(("post_now", path, body, {}))
        return {"stored": len(body)}


WRITES: list[tuple[str, Callable[[CommunityCalls], object], str, dict[str, Any], dict[str, Any]]] = [
    ("alert", lambda c: c.raise_alert(AlertCreate(event_id="sos-1", kind="sos", wristband="F0:00:00:00:00:01",
                                                  occurred_at=AT, details={"seq": 3, "worn": None})),
     "/api/v1/alerts",
     {"event_id": "sos-1", "kind": "sos", "wristband": "F0:00:00:00:00:01", "occurred_at": "2026-12-06T01:00:00Z",
      "details": {"seq": 3, "worn": None}},
     {"event_id": "sos-1", "urgent": True, "priority": None}),
    ("cancel", lambda c: c.cancel_alert("sos-1", reason="误报"), "/api/v1/alerts/by-event/sos-1/cancel",
     {"reason": "误报"}, {"event_id": "cancel-sos-1", "urgent": True, "priority": Priority.EMERGENCY}),
    ("checkin", lambda c: c.check_in(CheckinCreate(event_id="ci-1", wristband="F0:00:00:00:00:01", occurred_at=AT,
                                                   radio="adapter")),
     "/api/v1/checkins",
     {"event_id": "ci-1", "wristband": "F0:00:00:00:00:01", "occurred_at": "2026-12-06T01:00:00Z", "radio": "adapter"},
     {"event_id": "ci-1", "urgent": True, "priority": None}),
    ("readings", lambda c: c.post_readings([ReadingIn(wristband="F0:00:00:00:00:01", kind="spo2", value=97,
                                                      measured_at=AT)], batch_id="b-1"),
     "/api/v1/readings",
     {"batch_id": "b-1", "readings": [{"wristband": "F0:00:00:00:00:01", "kind": "spo2", "value": 97.0,
                                       "measured_at": "2026-12-06T01:00:00Z"}]},
     {"event_id": "b-1", "urgent": False, "priority": None}),
    ("order", lambda c: c.place_order(OrderCreate(event_id="order-1", resident_id=2,
                                                  items=[OrderLineIn(item_id=8, quantity=1, unit="袋")])),
     "/api/v1/orders",
     {"event_id": "order-1", "resident_id": 2, "items": [{"item_id": 8, "quantity": 1.0, "unit": "袋"}], "note": ""},
     {"event_id": "order-1", "urgent": True, "priority": None}),
    ("received", lambda c: c.confirm_received("order-1"), "/api/v1/orders/by-event/order-1/confirm-received", {},
     {"event_id": "received-order-1", "urgent": True, "priority": None}),
    ("signup", lambda c: c.sign_up(3, SignupCreate(event_id="signup-1", resident_id=2)),
     "/api/v1/activities/3/signups", {"event_id": "signup-1", "resident_id": 2},
     {"event_id": "signup-1", "urgent": True, "priority": None}),
    ("unsign", lambda c: c.cancel_sign_up(3, SignupCancel(event_id="unsign-1", resident_id=2)),
     "/api/v1/activities/3/signups/cancel", {"event_id": "unsign-1", "resident_id": 2},
     {"event_id": "unsign-1", "urgent": True, "priority": None}),
    ("roll call", lambda c: c.answer_roll_call(RollCallAnswer(event_id="rollcall-1", resident_id=2, answer="safe")),
     "/api/v1/roll-calls/answers", {"event_id": "rollcall-1", "resident_id": 2, "answer": "safe"},
     {"event_id": "rollcall-1", "urgent": True, "priority": None}),
    ("rating", lambda c: c.rate(RatingCreate(event_id="rating-1", target_kind="order", target_id=5, stars=4)),
     "/api/v1/ratings", {"event_id": "rating-1", "target_kind": "order", "target_id": 5, "stars": 4, "comment": ""},
     {"event_id": "rating-1", "urgent": True, "priority": None}),
]


@pytest.mark.parametrize(("call", "path", "body", "options"), [w[1:] for w in WRITES], ids=[w[0] for w in WRITES])
def test_each_write_goes_to_its_path_with_the_models_body(call: Callable[[CommunityCalls], object], path: str,
                                                          body: dict[str, Any], options: dict[str, Any]) -> None:
    recorder = Recorder()
    call(recorder)
    assert recorder.sent == [("submit", path, body, options)]


READS: list[tuple[Callable[[CommunityCalls], object], str]] = [
    (lambda c: c.site_alerts(), "/api/v1/site/alerts"),
    (lambda c: c.get_alert_for_event("help-1"), "/api/v1/alerts/by-event/help-1"),
    (lambda c: c.wristbands(), "/api/v1/wristbands"),
    (lambda c: c.band_keys(), "/api/v1/bands/keys"),
    (lambda c: c.nearby_bands(within_s=20, limit=5), "/api/v1/site/nearby?within_s=20&limit=5"),
    (lambda c: c.catalog(), "/api/v1/catalog"),
    (lambda c: c.activities(), "/api/v1/activities"),
    (lambda c: c.order_for_event("order-1"), "/api/v1/orders/by-event/order-1"),
    (lambda c: c.lookup_resident("02 01"), "/api/v1/residents/lookup?code=02%2001"),
    (lambda c: c.resident_greeting(7), "/api/v1/residents/7"),
    (lambda c: c.resident_activities(7), "/api/v1/residents/7/activities"),
    (lambda c: c.open_roll_calls(7), "/api/v1/roll-calls/open?resident_id=7"),
]


@pytest.mark.parametrize(("call", "path"), READS, ids=[path for _, path in READS])
def test_each_read_gets_its_path(call: Callable[[CommunityCalls], object], path: str) -> None:
    recorder = Recorder()
    call(recorder)
    assert recorder.sent == [("get", path, None, {})]


def test_band_status_is_posted_now_with_every_field() -> None:
    recorder = Recorder()
    recorder.report_band_status([BandStatusIn(address="F0:00:00:00:00:01", connected=True, last_seen_at=AT)])
    assert recorder.sent == [("post_now", "/api/v1/bands/status", [
        {"address": "F0:00:00:00:00:01", "connected": True, "last_seen_at": "2026-12-06T01:00:00Z", "rssi": None,
         "battery_percent": None, "radio": None, "suspicious": 0, "suspicious_radio": None}], {})]


def test_unknown_bands_are_posted_now() -> None:
    recorder = Recorder()
    recorder.report_unknown_bands([UnknownBandIn(address="F0:00:00:00:00:09", kind="itag", radio="adapter",
                                                 last_seen_at=AT)])
    assert recorder.sent == [("post_now", "/api/v1/bands/unknown", [
        {"address": "F0:00:00:00:00:09", "kind": "itag", "name": None, "rssi": None, "radio": "adapter",
         "last_seen_at": "2026-12-06T01:00:00Z", "pressed_at": None}], {})]


def test_the_sdk_imports_neither_fastapi_nor_sqlalchemy() -> None:
    script = ("import sys, caregiver_portal.client, kiosk.runtime.portal, wearable.portal\n"
              "print(sorted(m for m in ('fastapi', 'starlette', 'sqlalchemy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stderr
