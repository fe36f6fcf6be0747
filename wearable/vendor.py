"""Anxin vendor SOS / fall event and the iTAG button: pure decoders and encoders.

The byte layout is specified in ``docs/wristband-protocol.md``. The event
characteristic sends indications (acknowledged at the link layer); the band
also mirrors its most recent event in the service data of its advertisements,
so an SOS is taken even when no connection exists.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

from wearable.errors import MalformedPayload

EVENT_FORMAT = struct.Struct("<BBHIBB")
"""version u8, kind u8, sequence u16, band clock u32 (Unix s, UTC), battery u8, flags u8."""
EVENT_VERSION = 1
BATTERY_UNKNOWN = 0xFF
FLAG_WORN = 0x01
FLAG_CHARGING = 0x02
FLAG_RETRANSMISSION = 0x04
ITAG_FORMAT = struct.Struct("<B")


class WristbandEventKind(enum.IntEnum):
    """Event kinds of the Anxin event characteristic (byte 1 of the payload)."""

    SOS = 0x01
    FALL = 0x02
    FALL_CANCELLED = 0x03
    SOS_CANCELLED = 0x04
    OFF_WRIST = 0x05
    ON_WRIST = 0x06
    LOW_BATTERY = 0x07
    CHECK_IN = 0x08
    STATUS = 0x09

    @property
    def slug(self) -> str:
        """Lower-case name used in logs and alert details, e.g. ``"fall_cancelled"``."""
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class WristbandEvent:
    """One event from the Anxin event characteristic or its advertisement mirror."""

    kind: WristbandEventKind
    """What happened."""
    sequence: int
    """Per-band event counter (uint16, wraps); a re-sent event keeps its number."""
    band_clock: int
    """Band time of the event in Unix seconds (UTC) as the band's clock has it."""
    battery_percent: int | None
    """Battery charge 0-100 %, None when the band does not know."""
    worn: bool
    """The band's skin sensor saw a wrist when the event was made."""
    charging: bool = False
    """The band sat on its charger."""
    retransmission: bool = False
    """The band re-sends an event it believes was not delivered."""
    version: int = EVENT_VERSION
    """Payload format version (only 1 exists)."""


def parse_wristband_event(data: bytes) -> WristbandEvent:
    """Decode an Anxin event payload (characteristic value or advertisement service data)."""
    data = bytes(data)
    if len(data) != EVENT_FORMAT.size:
        raise MalformedPayload(f"wristband event: expected {EVENT_FORMAT.size} bytes, got {len(data)}")
    version, kind, seq, clock, battery, flags = EVENT_FORMAT.unpack(data)
    if version != EVENT_VERSION:
        raise MalformedPayload(f"wristband event: unsupported version {version}")
    try:
        event_kind = WristbandEventKind(kind)
    except ValueError as exc:
        raise MalformedPayload(f"wristband event: unknown kind 0x{kind:02x}") from exc
    if battery > 100 and battery != BATTERY_UNKNOWN:
        raise MalformedPayload(f"wristband event: battery {battery}% is out of range")
    return WristbandEvent(
        kind=event_kind,
        sequence=seq,
        band_clock=clock,
        battery_percent=None if battery == BATTERY_UNKNOWN else battery,
        worn=bool(flags & FLAG_WORN),
        charging=bool(flags & FLAG_CHARGING),
        retransmission=bool(flags & FLAG_RETRANSMISSION),
        version=version,
    )


def encode_wristband_event(event: WristbandEvent) -> bytes:
    """Encode an event the way a band sends it (used by the simulator and tests)."""
    flags = (
        (FLAG_WORN if event.worn else 0)
        | (FLAG_CHARGING if event.charging else 0)
        | (FLAG_RETRANSMISSION if event.retransmission else 0)
    )
    battery = BATTERY_UNKNOWN if event.battery_percent is None else event.battery_percent
    return EVENT_FORMAT.pack(
        event.version, int(event.kind), event.sequence & 0xFFFF, event.band_clock & 0xFFFFFFFF, battery, flags
    )


@dataclass(frozen=True, slots=True)
class ItagButtonPress:
    """A notification of an iTAG-style key finder button (service 0xFFE0, char 0xFFE1)."""

    code: int
    """The byte the button sent; 0x01 for a single press on common iTAGs."""


def parse_itag_button(data: bytes) -> ItagButtonPress:
    """Decode an iTAG button notification (exactly one byte)."""
    data = bytes(data)
    if len(data) != ITAG_FORMAT.size:
        raise MalformedPayload(f"iTAG button: expected 1 byte, got {len(data)}")
    return ItagButtonPress(code=ITAG_FORMAT.unpack(data)[0])
