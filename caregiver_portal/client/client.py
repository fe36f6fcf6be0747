"""``PortalClient``: durable calls through the outbox, direct reads, and the senders.

Errors (:mod:`caregiver_portal.client.errors`):

    PortalUnavailable   the portal could not be reached or answered 5xx, 408, 425, 429 (try later); for a
                        direct call also 401/403, since only the outbox confirms the token before giving up
    RequestRejected     the portal refused a request for good (other 4xx); in the outbox it becomes a dead letter

Sending is :mod:`caregiver_portal.client.delivery`; storing is :mod:`caregiver_portal.client.outbox`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from caregiver_portal.client.delivery import Backoff, DeliveredCallback, Sender
from caregiver_portal.client.errors import PortalUnavailable, RequestRejected
from caregiver_portal.client.outbox import DeadLetter, Outbox, Priority
from caregiver_portal.client.verdict import Verdict, judge

log = logging.getLogger(__name__)

EMERGENCY_KINDS = frozenset({"sos", "fall"})
BY_EVENT = re.compile(r"/by-event/([^/]+)/")
ACTIVITY_SIGNUPS = re.compile(r"^/api/v1/activities/(\d+)/signups")


class PortalClient:
    """Device-side client of the portal's ``/api/v1`` (see docs/team-contracts.md)."""

    def __init__(self, base_url: str, token: str, outbox_path: Path, *, timeout_s: float = 5.0,
                 min_backoff_s: float = 0.25, max_backoff_s: float = 30.0,
                 on_delivered: DeliveredCallback | None = None, clock: Callable[[], float] = time.time) -> None:
        """A failing item (or the whole loop, while the portal is out of reach) first waits about
        ``min_backoff_s``, doubling up to ``max_backoff_s``."""
        self.base_url = base_url.rstrip("/")
        self.outbox = Outbox(outbox_path, clock=clock)
        self.timeout_s = timeout_s
        self._token = token
        self._http = self._session()
        self._delivered = threading.Condition()
        backoff = Backoff(min_s=min_backoff_s, max_s=max_backoff_s)
        bands = {"emergency": range(Priority.EMERGENCY, Priority.EMERGENCY + 1),
                 "others": range(Priority.URGENT, Priority.BULK + 1)}
        self._senders = {name: Sender(outbox=self.outbox, http=self._session(), base_url=self.base_url,
                                      priorities=priorities, timeout_s=timeout_s, backoff=backoff, clock=clock,
                                      on_delivered=on_delivered, on_change=self._notify_waiters,
                                      reports_dead_letters=name == "others")
                         for name, priorities in bands.items()}
        self._wakes = {name: threading.Event() for name in self._senders}
        self._stop = threading.Event()
        self._threads: dict[str, threading.Thread] = {}
        self.online: bool | None = None
        """Whether the portal answered the last request (None before the first one)."""
        for sender in self._senders.values():
            sender.on_reach = self._note_reach

    def _session(self) -> requests.Session:
        http = requests.Session()
        http.headers.update({"Authorization": f"Bearer {self._token}", "User-Agent": "anxin-device/0.1"})
        return http

    def _note_reach(self, online: bool) -> None:
        self.online = online

    # ----- durable calls -------------------------------------------------------------------

    def raise_alert(self, *, kind: str, event_id: str | None = None, emergency: bool | None = None,
                    wristband: str | None = None, resident_id: int | None = None,
                    occurred_at: datetime | None = None, details: dict[str, Any] | None = None) -> str:
        """Store an alert in the outbox (an SOS or fall first of all) and wake the senders; returns its event id."""
        event_id = event_id or uuid.uuid4().hex
        body: dict[str, Any] = {"event_id": event_id, "kind": kind, "details": details or {}}
        optional = {"emergency": emergency, "wristband": wristband, "resident_id": resident_id,
                    "occurred_at": occurred_at.isoformat() if occurred_at else None}
        body.update({key: value for key, value in optional.items() if value is not None})
        return self.submit("/api/v1/alerts", body, event_id=event_id)

    def cancel_alert(self, event_id: str, *, reason: str = "") -> str:
        """Store a cancellation of an alert this device raised (sent after the alert, as urgently);
        returns the cancellation's id."""
        return self.submit(f"/api/v1/alerts/by-event/{event_id}/cancel", {"reason": reason},
                           event_id=f"cancel-{event_id}"[:100], priority=Priority.EMERGENCY)

    def check_in(self, *, event_id: str | None = None, wristband: str | None = None, resident_id: int | None = None,
                 occurred_at: datetime | None = None, radio: str | None = None) -> str:
        """Store a daily check-in (平安打卡): a band's double press (``wristband``, heard by ``radio``) or 我今天很好
        at a kiosk (``resident_id``); ``POST /api/v1/checkins``. Returns its event id at once."""
        event_id = event_id or uuid.uuid4().hex
        body: dict[str, Any] = {"event_id": event_id}
        optional = {"wristband": wristband, "resident_id": resident_id, "radio": radio,
                    "occurred_at": occurred_at.isoformat() if occurred_at else None}
        body.update({key: value for key, value in optional.items() if value is not None})
        return self.submit("/api/v1/checkins", body, event_id=event_id)

    def post_readings(self, readings: Sequence[dict[str, Any]], *, batch_id: str | None = None) -> str:
        """Store a batch of readings in the outbox (after every other kind of request); returns its batch id."""
        batch_id = batch_id or uuid.uuid4().hex
        body = {"batch_id": batch_id, "readings": [_reading_json(r) for r in readings]}
        return self.submit("/api/v1/readings", body, event_id=batch_id, urgent=False)

    def submit(self, path: str, body: dict[str, Any], *, event_id: str | None = None, urgent: bool = True,
               priority: Priority | None = None, lane: str | None = None) -> str:
        """Store any device-API write (an order, a sign-up, a rating…) in the outbox and wake the senders.

        ``event_id`` names the request in the outbox; endpoints that are idempotent on an id
        (orders, sign-ups, ratings) should get the same id inside ``body``. ``priority`` defaults to
        :func:`priority_of` (``urgent=False``: bulk), ``lane`` to :func:`lane_of`: requests of one lane
        go out in the order they were stored. Returns the event id.
        """
        event_id = event_id or uuid.uuid4().hex
        if priority is None:
            priority = priority_of(path, body) if urgent else Priority.BULK
        self.outbox.put(event_id=event_id, method="POST", path=path, body=body, priority=priority,
                        lane=lane or lane_of(path, event_id))
        self._nudge()
        return event_id

    def delivery(self, event_id: str) -> dict[str, Any] | None:
        """The portal's answer once the request was delivered, else None."""
        return self.outbox.response(event_id)

    def outbox_state(self, event_id: str) -> str | None:
        """``pending``, ``delivered``, ``rejected`` (a dead letter) or None when ``event_id`` is not in the outbox."""
        return self.outbox.state(event_id)

    def pending_count(self) -> int:
        """Requests still waiting in the outbox."""
        return self.outbox.pending_count()

    def dead_letters(self, *, limit: int = 100) -> list[DeadLetter]:
        """Requests the portal refused for good, newest first: what the person at the device should be told."""
        return self.outbox.dead_letters(limit=limit)

    def dead_letter(self, event_id: str) -> DeadLetter | None:
        """Why the portal refused ``event_id`` for good (None unless it is a dead letter)."""
        return self.outbox.dead_letter(event_id)

    def wait_delivered(self, event_id: str, timeout: float) -> dict[str, Any] | None:
        """Block until ``event_id`` is settled (delivered: its answer; a dead letter: None) or ``timeout`` passes."""
        with self._delivered:
            self._delivered.wait_for(lambda: self.outbox_state(event_id) != "pending", timeout=timeout)
        return self.delivery(event_id)

    def _notify_waiters(self) -> None:
        with self._delivered:
            self._delivered.notify_all()

    # ----- direct reads --------------------------------------------------------------------

    def get_json(self, path: str) -> Any:
        """GET a device-API path: the JSON answer, None for 404; raises PortalUnavailable when offline."""
        response = self._request_now("GET", path, missing_ok=True)
        return None if response.status_code == 404 else response.json()

    def get_alert(self, alert_id: int) -> dict[str, Any]:
        """One alert of this device's site."""
        answer = self.get_json(f"/api/v1/alerts/{int(alert_id)}")
        if answer is None:
            raise RequestRejected(f"alert {alert_id} not found")
        return answer

    def get_alert_for_event(self, event_id: str) -> dict[str, Any] | None:
        """The alert this device raised with ``event_id``; None while it is not delivered."""
        return self.get_json(f"/api/v1/alerts/by-event/{event_id}")

    def site_alerts(self) -> list[dict[str, Any]]:
        """Active alerts of this device's site, biggest danger first."""
        return self.get_json("/api/v1/site/alerts") or []

    def wristbands(self) -> list[dict[str, Any]]:
        """Wristbands registered at this device's site."""
        return self.get_json("/api/v1/wristbands") or []

    def band_keys(self) -> list[dict[str, Any]]:
        """This bridge site's bands with their decoder and key: ``[{address, scheme, key}]`` (bridge token;
        key: 32 hex digits or None). Never stored in the outbox; a portal without the route raises
        RequestRejected (the bridge then keeps its cached keys)."""
        answer = self._request_now("GET", "/api/v1/bands/keys").json()
        return answer if isinstance(answer, list) else []

    def report_band_status(self, bands: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """Send the bridge's wristband states now: ``[{address, connected, last_seen_at, rssi,
        battery_percent, radio, suspicious, suspicious_radio}]``. Not stored in the outbox (only the latest
        state matters); raises PortalUnavailable / RequestRejected when the portal cannot take it."""
        answer = self._post_now("/api/v1/bands/status", [_band_status_json(band) for band in bands])
        return answer if isinstance(answer, dict) else {}

    def report_unknown_bands(self, bands: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """Send the unregistered bands the bridge hears now: ``[{address, kind, name, rssi, radio, last_seen_at,
        pressed_at}]``. Not stored in the outbox; the answer ``{"stored", "registered"}`` lists the addresses
        registered at the site meanwhile (fetch their keys)."""
        answer = self._post_now("/api/v1/bands/unknown", [_unknown_band_json(band) for band in bands])
        return answer if isinstance(answer, dict) else {}

    def nearby_bands(self, *, within_s: int = 30, limit: int = 10) -> list[dict[str, Any]]:
        """Wristbands heard at this kiosk's site within ``within_s`` seconds, strongest signal first:
        ``[{address, resident_id, rssi, last_seen_at, connected, battery_percent}]`` (kiosk token)."""
        return self.get_json(f"/api/v1/site/nearby?within_s={int(within_s)}&limit={int(limit)}") or []

    def fetch_static(self, path: str) -> bytes:
        """A public file of the portal (``/static/…``, e.g. a catalog picture), as bytes; errors as in
        :meth:`get_json`, and RequestRejected for a file that is not there."""
        return self._request_now("GET", path).content

    def _post_now(self, path: str, body: Any) -> Any:
        """POST directly (no outbox); errors as in :meth:`get_json`."""
        response = self._request_now("POST", path, json=body)
        return response.json() if response.content else None

    def _request_now(self, method: str, path: str, *, missing_ok: bool = False, **kwargs: Any) -> requests.Response:
        """One direct request: PortalUnavailable when it cannot be served now, RequestRejected for good."""
        try:
            response = self._http.request(method, self.base_url + path, timeout=self.timeout_s, **kwargs)
        except requests.RequestException as exc:
            self.online = False
            raise PortalUnavailable(f"portal unreachable: {exc}") from exc
        if missing_ok and response.status_code == 404:
            return response
        verdict = judge(response.status_code, None)
        if verdict in (Verdict.RETRY, Verdict.CHECK_TOKEN):  # no outbox item to dead-letter: the caller tries later
            raise PortalUnavailable(f"portal answered {response.status_code}")
        if verdict is not Verdict.DELIVERED:
            raise RequestRejected(f"portal refused {method} {path}: {response.status_code} {response.text[:200]}")
        self.online = True
        return response

    # ----- sending -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the senders (daemon threads): one for emergencies, one for everything else."""
        self._stop.clear()
        for name, sender in self._senders.items():
            thread = self._threads.get(name)
            if thread is None or not thread.is_alive():
                self._threads[name] = threading.Thread(target=sender.run, args=(self._stop, self._wakes[name]),
                                                       name=f"portal-outbox-{name}", daemon=True)
                self._threads[name].start()

    def wake(self) -> None:
        """Try every pending request now instead of sleeping out its backoff (e.g. the portal is back)."""
        self.outbox.retry_now()
        self._nudge()

    def _nudge(self) -> None:
        """A request was stored: the senders look for due work now (no item's backoff is cut short)."""
        for event in self._wakes.values():
            event.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the senders; pending requests stay on disk for the next start."""
        self._stop.set()
        self._nudge()
        for thread in self._threads.values():
            thread.join(timeout)
        for sender in self._senders.values():
            sender.close()
        self._http.close()

    def close(self) -> None:
        """Stop the senders and close the outbox file."""
        self.stop()
        self.outbox.close()

    def flush(self) -> None:
        """Try everything pending once, now (backoffs ignored), emergencies first; raises PortalUnavailable when
        the portal is out of reach."""
        for sender in self._senders.values():
            sender.deliver_due(ignore_backoff=True)


def priority_of(path: str, body: dict[str, Any]) -> Priority:
    """An SOS, a fall or an emergency help call goes before anything else; other writes before readings."""
    if path == "/api/v1/alerts" and (body.get("kind") in EMERGENCY_KINDS or body.get("emergency") is True):
        return Priority.EMERGENCY
    return Priority.BULK if path == "/api/v1/readings" else Priority.URGENT


def lane_of(path: str, event_id: str) -> str:
    """Requests that must keep their order share a lane: an alert and its cancellation, an order and its
    receipt, the sign-ups and withdrawals of one activity. Anything else has a lane of its own."""
    if match := BY_EVENT.search(path):
        return match.group(1)
    if match := ACTIVITY_SIGNUPS.match(path):
        return f"activity-{match.group(1)}"
    return event_id


def _reading_json(reading: dict[str, Any]) -> dict[str, Any]:
    measured_at = reading["measured_at"]
    if isinstance(measured_at, datetime):
        if measured_at.tzinfo is None:
            measured_at = measured_at.replace(tzinfo=UTC)
        measured_at = measured_at.isoformat()
    return {"wristband": reading["wristband"], "kind": reading["kind"], "value": float(reading["value"]),
            "measured_at": measured_at}


def _band_status_json(band: dict[str, Any]) -> dict[str, Any]:
    seen = band.get("last_seen_at")
    if isinstance(seen, datetime):
        seen = (seen if seen.tzinfo is not None else seen.replace(tzinfo=UTC)).isoformat()
    return {"address": band["address"], "connected": bool(band.get("connected")), "last_seen_at": seen,
            "rssi": band.get("rssi"), "battery_percent": band.get("battery_percent"), "radio": band.get("radio"),
            "suspicious": int(band.get("suspicious") or 0), "suspicious_radio": band.get("suspicious_radio")}


def _unknown_band_json(band: dict[str, Any]) -> dict[str, Any]:
    return {"address": band["address"], "kind": band.get("kind"), "name": band.get("name"), "rssi": band.get("rssi"),
            "radio": band.get("radio"), "last_seen_at": _iso(band.get("last_seen_at")),
            "pressed_at": _iso(band.get("pressed_at"))}


def _iso(moment: Any) -> Any:
    return moment.isoformat() if isinstance(moment, datetime) else moment
