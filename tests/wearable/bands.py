"""Test helpers: an Anxin band that seals its events with a real key, as partner firmware does.

Imported as ``tests.wearable.bands``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from wearable import uuids
from wearable.frames import BTHOME_UUID, seal_anxin_event
from wearable.keys import Enrolment, Scheme
from wearable.messages import Advert, Notification
from wearable.model import LOCAL_RADIO
from wearable.vendor import WristbandEvent, WristbandEventKind

BAND = "F0:00:00:00:00:01"
KEY = bytes.fromhex("3f9c2a7711d04e0b8a65c1f2e9d4b803")
T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
CLOCK = 1_795_000_000
CLOCK_AT = datetime.fromtimestamp(CLOCK, UTC)


class SealingBand:
    """Seals Anxin events into frames with a counter, like a band's firmware."""

    def __init__(self, address: str = BAND, key: bytes = KEY) -> None:
        self.address = address
        self.key = key
        self.counter = 0
        self.enrolment = Enrolment(address, Scheme.ANXIN, key)

    def frame(self, kind: WristbandEventKind, seq: int, *, clock: int = CLOCK, battery: int | None = 80,
              retransmission: bool = False) -> bytes:
        """The next frame of an event."""
        self.counter += 1
        event = WristbandEvent(kind, seq, clock, battery, worn=True, retransmission=retransmission)
        return seal_anxin_event(event, address=self.address, key=self.key, counter=self.counter)

    def note(self, kind: WristbandEventKind, seq: int, *, at: datetime = T0, **options: object) -> Notification:
        """The event as an indication of the Anxin Event characteristic."""
        return indication(self.address, self.frame(kind, seq, **options), at=at)  # type: ignore[arg-type]

    def advert(self, kind: WristbandEventKind, seq: int, *, at: datetime = T0, radio: str = LOCAL_RADIO,
               rssi: int = -60) -> Advert:
        """The event as advertised (the mirror)."""
        return advert(self.address, self.frame(kind, seq), at=at, radio=radio, rssi=rssi)


def indication(address: str, frame: bytes, *, at: datetime = T0) -> Notification:
    """A frame indicated on the Anxin Event characteristic."""
    return Notification(address, uuids.ANXIN_EVENT, frame, at)


def advert(address: str, frame: bytes, *, uuid: str = BTHOME_UUID, at: datetime = T0, radio: str = LOCAL_RADIO,
           rssi: int = -60) -> Advert:
    """A frame advertised as service data of ``uuid``."""
    return Advert(address, {uuid: frame}, rssi, radio, at)
