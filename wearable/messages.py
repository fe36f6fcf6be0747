"""Messages between the bridge's parts: what the BLE side enqueues, what goes to the portal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from caregiver_portal.alerts.schemas import AlertKind
from caregiver_portal.health.schemas import ReadingKind
from wearable.model import LOCAL_RADIO

Source = Literal["gatt", "advertisement"]


@dataclass(frozen=True, slots=True)
class Notification:
    """Raw bytes received from a band, exactly as the BLE callback saw them."""

    address: str
    """Band address."""
    characteristic: str
    """128-bit characteristic UUID (the vendor event UUID for advertisement mirrors)."""
    data: bytes
    """Payload."""
    received_at: datetime
    """When the bridge received it (timezone-aware UTC)."""
    source: Source = "gatt"
    """``"gatt"`` for notifications/indications, ``"advertisement"`` for the service-data mirror."""
    radio: str = LOCAL_RADIO
    """The radio that received it (GATT links are always the bridge's own adapter)."""


@dataclass(frozen=True, slots=True)
class Advert:
    """One advertisement of an enrolled band, from the bridge's adapter or an ESPHome proxy."""

    address: str
    """Band address (upper case)."""
    service_data: Mapping[str, bytes]
    """Service data by 128-bit UUID (bleak's form)."""
    rssi: int | None
    """Signal strength (dBm)."""
    radio: str
    """``"adapter"`` or ``"proxy:<name>"``: which radio heard it."""
    received_at: datetime
    """When the bridge received it (timezone-aware UTC)."""


@dataclass(frozen=True, slots=True)
class AlertOut:
    """An alert the bridge raises (``wearable.portal.alert_request`` makes the portal's request of it)."""

    kind: AlertKind
    """Alert kind: ``"sos"``, ``"fall"`` or ``"device"``."""
    wristband: str
    """Band address."""
    event_id: str
    """Idempotency key; the same band event always gives the same id."""
    details: dict[str, Any] = field(default_factory=dict)
    """Minimal extra facts (sequence number, battery, cancelled...)."""
    emergency: bool | None = None
    """None lets the portal decide by kind; False for a fall the wearer cancelled in time."""
    occurred_at: datetime | None = None
    """When the wearer pressed (the band's clock, else the bridge's first receipt)."""


@dataclass(frozen=True, slots=True)
class CheckInOut:
    """A daily check-in (平安打卡: a double press) for the portal."""

    wristband: str
    """Band address."""
    event_id: str
    """Idempotency key; the same press always gives the same id."""
    occurred_at: datetime
    """When the wearer pressed."""
    radio: str
    """Which radio heard it."""


@dataclass(frozen=True, slots=True)
class CancelOut:
    """Cancel an alert raised earlier, via ``PortalClient.cancel_alert``."""

    wristband: str
    """Band address."""
    event_id: str
    """Event id of the alert to cancel."""
    reason: str
    """Shown in the alert's timeline at the portal."""


@dataclass(frozen=True, slots=True)
class ReadingOut:
    """One health reading to batch into ``PortalClient.post_readings`` (as ``wearable.portal.reading_request``)."""

    wristband: str
    """Band address."""
    kind: ReadingKind
    """``"heart_rate"``, ``"spo2"``, ``"temperature"`` or ``"battery"``."""
    value: float
    """Value in bpm, %, °C or %."""
    measured_at: datetime
    """When it was measured (bridge receive time, UTC)."""


@dataclass(frozen=True, slots=True)
class FallHeld:
    """A fall entered its cancel window: remember it durably so a crash cannot lose it."""

    alert: AlertOut
    """The alert that is raised when the window ends (details without ``cancelled``)."""
    detected_at: datetime
    """When the bridge received the fall (UTC)."""
    deadline_at: datetime
    """When the window ends and the fall is forwarded (UTC)."""

    @property
    def wristband(self) -> str:
        """Band address."""
        return self.alert.wristband

    @property
    def event_id(self) -> str:
        """Event id of the fall."""
        return self.alert.event_id


@dataclass(frozen=True, slots=True)
class FallSettled:
    """A held fall was handed to the portal client (forwarded or recorded as cancelled): forget it."""

    wristband: str
    """Band address."""
    event_id: str
    """Event id of the fall."""


@dataclass(frozen=True, slots=True)
class ItagPressed:
    """An iTAG press was forwarded; remembered so a restart keeps debouncing it."""

    wristband: str
    """Button address."""
    event_id: str
    """Event id of the SOS it raised."""
    pressed_at: datetime
    """When the bridge received the press (UTC)."""


PortalOut = AlertOut | CancelOut | CheckInOut
"""Outputs that become a durable portal request."""
StateOut = FallHeld | FallSettled | ItagPressed
"""Outputs that update the bridge's own state file (``wearable.state``)."""
Output = AlertOut | CancelOut | CheckInOut | ReadingOut | FallHeld | FallSettled | ItagPressed


@dataclass(slots=True)
class BandStats:
    """Counters per band, for logs and health checks."""

    notifications: int = 0
    adverts: int = 0
    malformed: int = 0
    duplicates: int = 0
    missed_events: int = 0
    late_events: int = 0
    unknown_characteristic: int = 0
    alerts: int = 0
    readings: int = 0
    check_ins: int = 0
    pairing_presses: int = 0
    """Presses made to pair the band (heard before it was registered), not forwarded as alerts."""
    battery_percent: int | None = None
    """Latest battery charge the band reported (Battery Level or an event's battery byte)."""
    last_heard_at: datetime | None = None
    """When the band was last heard for sure (UTC): a notification, an authenticated frame, or any
    advertisement of a device enrolled without a key."""
    radio: str | None = None
    """The radio that heard it then."""
    rssi: int | None = None
    """Signal strength of the latest advertisement heard for sure."""
    rssi_at: datetime | None = None
    """When that advertisement arrived (UTC)."""
    refused: Counter[str] = field(default_factory=Counter)
    """Frames dropped per reason (``bad_mic``, ``plaintext``, ``replayed``, ``ahead``, ``no_key``...)."""
    suspicious_radio: str | None = None
    """The radio that heard the latest suspicious frame (where the spoofer is)."""
    suspicious_at: datetime | None = None
    """When."""
