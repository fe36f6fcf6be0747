"""``PortalClient``: durable calls through the outbox, direct reads, and a sender thread.

Errors:

    PortalUnavailable   the portal could not be reached or answered 5xx/429 (try later)
    RequestRejected     the portal refused a request for good (4xx); it is kept as rejected
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential_jitter

from caregiver_portal.client.outbox import Outbox, OutboxItem

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({401, 403, 408, 425, 429})  # 401/403: an admin may fix the token; keep trying
DeliveredCallback = Callable[[str, dict[str, Any]], None]


class PortalUnavailable(Exception):
    """The portal cannot be reached now; what was stored will be sent later."""


class RequestRejected(Exception):
    """The portal refused a request for good (e.g. 422); the outbox keeps it as rejected."""


class PortalClient:
    """Device-side client of the portal's ``/api/v1`` (see docs/team-contracts.md)."""

    def __init__(self, base_url: str, token: str, outbox_path: Path, *, timeout_s: float = 5.0,
                 min_backoff_s: float = 0.25, max_backoff_s: float = 30.0,
                 on_delivered: DeliveredCallback | None = None) -> None:
        """The sender's first retry waits about ``min_backoff_s``, doubling up to ``max_backoff_s``."""
        self.base_url = base_url.rstrip("/")
        self.outbox = Outbox(outbox_path)
        self.timeout_s = timeout_s
        self.min_backoff_s = min_backoff_s
        self.max_backoff_s = max_backoff_s
        self.on_delivered = on_delivered
        self.online: bool | None = None
        self._http = requests.Session()
        self._http.headers.update({"Authorization": f"Bearer {token}", "User-Agent": "anxin-device/0.1"})
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._delivered = threading.Condition()

    # ----- durable calls -------------------------------------------------------------------

    def raise_alert(self, *, kind: str, event_id: str | None = None, emergency: bool | None = None,
                    wristband: str | None = None, resident_id: int | None = None,
                    occurred_at: datetime | None = None, details: dict[str, Any] | None = None) -> str:
        """Store an alert in the outbox (urgent) and wake the sender; returns its event id."""
        event_id = event_id or uuid.uuid4().hex
        body: dict[str, Any] = {"event_id": event_id, "kind": kind, "details": details or {}}
        optional = {"emergency": emergency, "wristband": wristband, "resident_id": resident_id,
                    "occurred_at": occurred_at.isoformat() if occurred_at else None}
        body.update({key: value for key, value in optional.items() if value is not None})
        return self.submit("/api/v1/alerts", body, event_id=event_id)

    def cancel_alert(self, event_id: str, *, reason: str = "") -> str:
        """Store a cancellation of an alert this device raised; returns the cancellation's id."""
        return self.submit(f"/api/v1/alerts/by-event/{event_id}/cancel", {"reason": reason},
                           event_id=f"cancel-{event_id}"[:100])

    def post_readings(self, readings: Sequence[dict[str, Any]], *, batch_id: str | None = None) -> str:
        """Store a batch of readings in the outbox; returns its batch id."""
        batch_id = batch_id or uuid.uuid4().hex
        body = {"batch_id": batch_id, "readings": [_reading_json(r) for r in readings]}
        return self.submit("/api/v1/readings", body, event_id=batch_id, urgent=False)

    def submit(self, path: str, body: dict[str, Any], *, event_id: str | None = None, urgent: bool = True) -> str:
        """Store any device-API write (an order, a sign-up, a rating…) in the outbox and wake the sender.

        ``event_id`` names the request in the outbox; endpoints that are idempotent on an id
        (orders, sign-ups, ratings) should get the same id inside ``body``. Returns the event id.
        """
        event_id = event_id or uuid.uuid4().hex
        self.outbox.put(event_id=event_id, method="POST", path=path, body=body, priority=0 if urgent else 1)
        self.wake()
        return event_id

    def delivery(self, event_id: str) -> dict[str, Any] | None:
        """The portal's answer once the request was delivered, else None."""
        return self.outbox.response(event_id)

    def outbox_state(self, event_id: str) -> str | None:
        """``pending``, ``delivered``, ``rejected`` or None when ``event_id`` is not in the outbox."""
        return self.outbox.state(event_id)

    def pending_count(self) -> int:
        """Requests still waiting in the outbox."""
        return self.outbox.pending_count()

    def wait_delivered(self, event_id: str, timeout: float) -> dict[str, Any] | None:
        """Block until ``event_id`` is delivered (its answer) or ``timeout`` passes (None)."""
        with self._delivered:
            self._delivered.wait_for(lambda: self.outbox_state(event_id) != "pending", timeout=timeout)
        return self.delivery(event_id)

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
        if response.status_code >= 500 or response.status_code in RETRYABLE_STATUSES:
            raise PortalUnavailable(f"portal answered {response.status_code}")
        if response.status_code >= 400:
            raise RequestRejected(f"portal refused {method} {path}: {response.status_code} {response.text[:200]}")
        self.online = True
        return response

    # ----- sending -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background sender (a daemon thread)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="portal-outbox-sender", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Ask the sender to try now instead of sleeping out its backoff (e.g. the portal is back)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the sender; pending requests stay on disk for the next start."""
        self._stop.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout)
        self._http.close()

    def close(self) -> None:
        """Stop the sender and close the outbox file."""
        self.stop()
        self.outbox.close()

    def flush(self) -> None:
        """Send everything pending once, now; raises PortalUnavailable at the first network failure."""
        while items := self.outbox.pending(50):
            for item in items:
                self._send(item)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                backoff = wait_exponential_jitter(multiplier=self.min_backoff_s, max=self.max_backoff_s,
                                                  jitter=0.25)
                for attempt in Retrying(retry=retry_if_exception_type(PortalUnavailable), wait=backoff,
                                        sleep=self._sleep, stop=self._stop_requested, reraise=True,
                                        before_sleep=_log_retry):
                    with attempt:
                        self.flush()
            except PortalUnavailable:
                continue  # stop was requested while the portal was down
            except Exception:
                log.exception("outbox sender failed; restarting it")
                self._sleep(1.0)
                continue
            self._wake.wait(timeout=5.0)
            self._wake.clear()

    def _stop_requested(self, _state: RetryCallState) -> bool:
        return self._stop.is_set()

    def _sleep(self, seconds: float) -> None:
        """Back off, but wake early when a new request is stored (an SOS must not wait)."""
        self._wake.wait(timeout=seconds)
        self._wake.clear()

    def _send(self, item: OutboxItem) -> None:
        try:
            response = self._http.request(item.method, self.base_url + item.path, json=item.body,
                                          timeout=self.timeout_s)
        except requests.RequestException as exc:
            self._unavailable(item, f"unreachable: {exc.__class__.__name__}")
            raise PortalUnavailable(str(exc)) from exc
        if response.status_code >= 500 or response.status_code in RETRYABLE_STATUSES:
            self._unavailable(item, f"HTTP {response.status_code}")
            if response.status_code in (401, 403):
                log.error("portal refused this device's token (HTTP %s); check the token", response.status_code)
            raise PortalUnavailable(f"HTTP {response.status_code}")
        self.online = True
        if response.status_code >= 400:
            reason = f"HTTP {response.status_code}: {response.text[:300]}"
            log.error("portal rejected %s %s (%s); kept as rejected", item.method, item.path, reason)
            self.outbox.mark_rejected(item.event_id, reason)
        else:
            answer = response.json() if response.content else {}
            self.outbox.mark_delivered(item.event_id, answer)
            if self.on_delivered is not None:
                self.on_delivered(item.event_id, answer)
        with self._delivered:
            self._delivered.notify_all()

    def _unavailable(self, item: OutboxItem, error: str) -> None:
        self.online = False
        self.outbox.record_attempt(item.event_id, error)


def _log_retry(state: RetryCallState) -> None:
    delay = state.next_action.sleep if state.next_action else 0.0
    log.warning("portal unavailable (attempt %d); retrying in %.1f s", state.attempt_number, delay)


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
