"""The safety paths of the device API as typed calls: alerts, check-ins, readings, wristbands, their keys.

Request bodies are the API's own pydantic models (``caregiver_portal.alerts.schemas``, ``health.schemas``,
``bands.schemas``, ``safety.schemas``: one definition for the portal and its devices), dumped to JSON here and
nowhere else.
Answers are the JSON of the response model each method names; a device parses what it needs (a kiosk keeps
raw rows in its caches and skips a malformed one rather than failing a whole list).

:class:`DeviceCalls` needs three primitives, which :class:`~caregiver_portal.client.PortalClient` gives
(and a test stand-in may): :meth:`~DeviceCalls.submit` (a durable POST through the outbox),
:meth:`~DeviceCalls.get_json` (a direct GET, None for 404) and :meth:`~DeviceCalls.post_now` (a direct
POST that is never stored).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any
from uuid import uuid4

from caregiver_portal.alerts.schemas import AlertCancel, AlertCreate
from caregiver_portal.bands.schemas import BandStatusIn, UnknownBandIn
from caregiver_portal.client.errors import RequestRejected
from caregiver_portal.client.outbox import Priority
from caregiver_portal.health.schemas import ReadingBatchIn, ReadingIn
from caregiver_portal.safety.schemas import CheckinCreate

ALERTS = "/api/v1/alerts"
READINGS = "/api/v1/readings"


class DeviceCalls(ABC):
    """Typed calls for the paths a bridge and a kiosk share (see the module docstring)."""

    # ----- the primitives ------------------------------------------------------------------

    @abstractmethod
    def submit(self, path: str, body: dict[str, Any], *, event_id: str | None = None, urgent: bool = True,
               priority: Priority | None = None, lane: str | None = None) -> str:
        """Store a device-API POST in the durable outbox and wake the senders; returns its event id."""

    @abstractmethod
    def get_json(self, path: str) -> Any:
        """GET a device-API path now: the JSON answer, None for 404; raises PortalUnavailable when offline."""

    @abstractmethod
    def post_now(self, path: str, body: Any) -> Any:
        """POST now, never stored (errors as in :meth:`get_json`); the JSON answer."""

    # ----- alerts --------------------------------------------------------------------------

    def raise_alert(self, alert: AlertCreate) -> str:
        """``POST /api/v1/alerts`` through the outbox (an SOS or fall before anything else); returns its
        event id. Answer (``delivery``): ``AlertRaised``."""
        return self.submit(ALERTS, alert.model_dump(mode="json", exclude_none=True), event_id=alert.event_id)

    def cancel_alert(self, event_id: str, *, reason: str = "") -> str:
        """``POST /api/v1/alerts/by-event/{event_id}/cancel`` through the outbox, sent after the alert and as
        urgently; returns the cancellation's id."""
        return self.submit(f"{ALERTS}/by-event/{event_id}/cancel", AlertCancel(reason=reason).model_dump(mode="json"),
                           event_id=f"cancel-{event_id}"[:100], priority=Priority.EMERGENCY)

    def check_in(self, checkin: CheckinCreate) -> str:
        """``POST /api/v1/checkins`` through the outbox: a daily check-in (平安打卡), a band's double press or
        我今天很好 at a kiosk; returns its event id. Answer (``delivery``): ``CheckinStored``."""
        return self.submit("/api/v1/checkins", checkin.model_dump(mode="json", exclude_none=True),
                           event_id=checkin.event_id)

    def get_alert(self, alert_id: int) -> dict[str, Any]:
        """``GET /api/v1/alerts/{id}``: one alert of this device's site (``AlertPublic``)."""
        answer = self.get_json(f"{ALERTS}/{int(alert_id)}")
        if answer is None:
            raise RequestRejected(f"alert {alert_id} not found")
        return dict(answer)

    def get_alert_for_event(self, event_id: str) -> dict[str, Any] | None:
        """``GET /api/v1/alerts/by-event/{event_id}``: the alert this device raised (``AlertPublic``); None
        while it is not delivered."""
        answer = self.get_json(f"{ALERTS}/by-event/{event_id}")
        return dict(answer) if isinstance(answer, dict) else None

    def site_alerts(self) -> list[dict[str, Any]]:
        """``GET /api/v1/site/alerts``: active alerts of this device's site, biggest danger first
        (``AlertPublic``)."""
        return list(self.get_json("/api/v1/site/alerts") or [])

    # ----- readings and wristbands -----------------------------------------------------------

    def post_readings(self, readings: Sequence[ReadingIn], *, batch_id: str | None = None) -> str:
        """``POST /api/v1/readings`` through the outbox, after every other kind of request; returns the batch
        id. Answer (``delivery``): ``ReadingBatchResult``."""
        batch = ReadingBatchIn(batch_id=batch_id or uuid4().hex, readings=list(readings))
        return self.submit(READINGS, batch.model_dump(mode="json"), event_id=batch.batch_id, urgent=False)

    def wristbands(self) -> list[dict[str, Any]]:
        """``GET /api/v1/wristbands``: the wristbands registered at this device's site (``WristbandPublic``)."""
        return list(self.get_json("/api/v1/wristbands") or [])

    def band_keys(self) -> list[dict[str, Any]]:
        """``GET /api/v1/bands/keys`` (bridge token): this site's bands with their decoder and key
        (``BandKeyPublic``). Never stored; a portal without the route raises RequestRejected (the bridge then
        keeps its cached keys)."""
        answer = self.get_json("/api/v1/bands/keys")
        if answer is None:
            raise RequestRejected("this portal does not serve band keys")
        return list(answer) if isinstance(answer, list) else []

    def report_band_status(self, bands: Sequence[BandStatusIn]) -> dict[str, Any]:
        """``POST /api/v1/bands/status`` now, never stored (only the latest state matters): the answer
        (``BandStatusResult``); raises PortalUnavailable / RequestRejected when the portal cannot take it."""
        answer = self.post_now("/api/v1/bands/status", [band.model_dump(mode="json") for band in bands])
        return dict(answer) if isinstance(answer, dict) else {}

    def report_unknown_bands(self, bands: Sequence[UnknownBandIn]) -> dict[str, Any]:
        """``POST /api/v1/bands/unknown`` now, never stored: the unregistered bands the bridge hears; the answer
        (``UnknownBandsResult``) lists the addresses registered at the site meanwhile (fetch their keys)."""
        answer = self.post_now("/api/v1/bands/unknown", [band.model_dump(mode="json") for band in bands])
        return dict(answer) if isinstance(answer, dict) else {}

    def nearby_bands(self, *, within_s: int = 30, limit: int = 10) -> list[dict[str, Any]]:
        """``GET /api/v1/site/nearby`` (kiosk token): wristbands heard at this site within ``within_s``
        seconds, strongest signal first (``NearbyBand``)."""
        return list(self.get_json(f"/api/v1/site/nearby?within_s={int(within_s)}&limit={int(limit)}") or [])
