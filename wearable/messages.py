"""Messages between the bridge's parts: what the BLE side enqueues, what goes to the portal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

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


@dataclass(frozen=True, slots=True)
class AlertOut:
    """An alert to hand to ``PortalClient.raise_alert``."""

    kind: str
    """Alert kind: ``"sos"``, ``"fall"`` or ``"device"``."""
    wristband: str
    """Band address."""
    event_id: str
    """Idempotency key; the same band event always gives the same id."""
    details: dict[str, Any] = field(default_factory=dict)
    """Minimal extra facts (sequence number, battery, cancelled...)."""
    emergency: bool | None = None
    """None lets the portal decide by kind; False for a fall the wearer cancelled in time."""


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
    """One health reading to batch into ``PortalClient.post_readings``."""

    wristband: str
    """Band address."""
    kind: str
    """``"heart_rate"``, ``"spo2"``, ``"temperature"`` or ``"battery"``."""
    value: float
    """Value in bpm, %, °C or %."""
    measured_at: datetime
    """When it was measured (bridge receive time, UTC)."""

    def as_dict(self) -> dict[str, Any]:
        """The dict shape ``post_readings`` takes."""
        return {"wristband": self.wristband, "kind": self.kind, "value": self.value, "measured_at": self.measured_at}


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


PortalOut = AlertOut | CancelOut
"""Outputs that become a durable portal request."""
StateOut = FallHeld | FallSettled | ItagPressed
"""Outputs that update the bridge's own state file (``wearable.state``)."""
Output = AlertOut | CancelOut | ReadingOut | FallHeld | FallSettled | ItagPressed


@dataclass(slots=True)
class BandStats:
    """Counters per band, for logs and health checks."""

    notifications: int = 0
    malformed: int = 0
    duplicates: int = 0
    missed_events: int = 0
    late_events: int = 0
    unknown_characteristic: int = 0
    alerts: int = 0
    readings: int = 0
    battery_percent: int | None = None
    """Latest battery charge the band reported (Battery Level or an event's battery byte)."""
    last_heard_at: datetime | None = None
    """When the latest notification or indication of the band arrived (UTC)."""
