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


Output = AlertOut | CancelOut | ReadingOut


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
