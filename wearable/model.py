"""The one event model of the bridge: what any band or button said, and which radio heard it.

Every decoder — the Anxin band (GATT indication or advertisement), BTHome and Xiaomi
MiBeacon buttons, the standard Heart Rate Service, iTAG buttons — turns bytes into
:class:`BandEvent` values; one policy (:mod:`wearable.events`) turns those into portal
requests. Pure: no I/O, no clock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from caregiver_portal.alerts.schemas import AlertKind
from caregiver_portal.health.schemas import ReadingKind

LOCAL_RADIO = "adapter"
"""Radio name of the bridge's own Bluetooth adapter (``adapter:<hci>`` when one is chosen)."""


class EventKind(enum.StrEnum):
    """What a band or button reported."""

    SOS = "sos"
    """A call for help (the SOS key; a single or long press on a bought button)."""
    SOS_CANCELLED = "sos_cancelled"
    """The wearer cancelled an SOS pressed by mistake (Anxin band: long press after an SOS)."""
    CHECK_IN = "check_in"
    """Daily "I am fine" (平安打卡): a double press."""
    FALL = "fall"
    """The band's accelerometer detected a fall."""
    FALL_CANCELLED = "fall_cancelled"
    """The wearer pressed "I am fine" after a fall."""
    OFF_WRIST = "off_wrist"
    """The band was taken off."""
    ON_WRIST = "on_wrist"
    """The band was put back on."""
    LOW_BATTERY = "low_battery"
    """The band's charge fell to 15 % or below."""
    READING = "reading"
    """A health reading (heart rate, SpO2, temperature)."""
    BATTERY = "battery"
    """A battery level."""
    PRESENCE = "presence"
    """Heard, with nothing to forward (an advertisement without news, a status frame)."""


@dataclass(frozen=True, slots=True)
class Heard:
    """Which radio heard an event, how strongly and when."""

    radio: str
    """``"adapter"`` (or ``"adapter:hci0"``) for the bridge's own adapter, ``"proxy:<name>"`` for an
    ESPHome Bluetooth proxy — it tells the volunteer where the wearer is."""
    rssi: int | None
    """Signal strength of the advertisement (dBm); None for GATT notifications."""
    received_at: datetime
    """When the bridge received it (timezone-aware UTC)."""


@dataclass(frozen=True, slots=True)
class BandEvent:
    """One thing a band or button reported, whatever its make."""

    band: str
    """Bluetooth address (upper case)."""
    kind: EventKind
    """What happened."""
    key: str
    """The device's identity of this event, unique per band: ``event_id`` is ``"<band>:<key>"``.
    A re-sent or re-heard event keeps its key (the portal stores it once)."""
    occurred_at: datetime
    """When it happened: the band's own clock when it has one (Anxin band), else when the bridge
    first received it."""
    heard: Heard
    """The radio that heard it."""
    device: str
    """Decoder: ``"anxin"``, ``"bthome"``, ``"mibeacon"``, ``"hrs"`` (GATT health profiles) or ``"itag"``."""
    authenticated: bool
    """True when a key enrolled for this band verified it (AES-CCM MIC and a fresh counter)."""
    reading: ReadingKind | None = None
    """For READING and BATTERY: ``"heart_rate"``, ``"spo2"``, ``"temperature"`` or ``"battery"``."""
    value: float | None = None
    """The reading's value (bpm, %, °C, %)."""
    battery_percent: int | None = None
    """Battery charge the device reported with the event, if any."""
    details: dict[str, Any] = field(default_factory=dict)
    """Decoder facts worth keeping with an alert (sequence number, gesture, worn...)."""

    @property
    def event_id(self) -> str:
        """Idempotency key of the event at the portal."""
        return f"{self.band}:{self.key}"


ALERT_KINDS: dict[EventKind, AlertKind] = {
    EventKind.SOS: "sos",
    EventKind.SOS_CANCELLED: "sos",
    EventKind.FALL: "fall",
    EventKind.FALL_CANCELLED: "fall",
    EventKind.OFF_WRIST: "device",
    EventKind.ON_WRIST: "device",
    EventKind.LOW_BATTERY: "device",
}
"""Portal alert kind of each event kind that raises or cancels an alert."""

GESTURES: dict[str, EventKind] = {
    "press": EventKind.SOS,
    "long_press": EventKind.SOS,
    "triple_press": EventKind.SOS,
    "long_double_press": EventKind.SOS,
    "long_triple_press": EventKind.SOS,
    "hold_press": EventKind.SOS,
    "double_press": EventKind.CHECK_IN,
}
"""What a press on a bought button (BTHome, MiBeacon) means. Only the deliberate double press is
the daily check-in; any other press is a call for help, since a senior in trouble presses however
they can (docs/devices.md). ``hold_release`` and unknown gestures mean nothing."""
