"""Bands the bridge hears but the portal has not registered: what kind each looks like and when it was pressed.

Enrolment by pressing (issue 13): the admin holds a new band, presses it, and the portal's page
lights up the band whose press the bridge just heard. Without the band's key the bridge cannot
read a frame, but it can see that a *new event frame* was sent, in the clear part of the frame:

- BTHome v2 (and the Anxin frame inside it): the advertisement-info byte says "trigger based"
  (bit 2, sent because of an event such as a press) and the 4-byte counter changed. An Anxin
  band's periodic status frame is sent without that bit (docs/wristband-protocol.md), so it
  lights nothing. A plain BTHome frame is read directly: it lit up when it holds a button event.
- MiBeacon v4/v5: the frame counter changed (buttons only advertise when pressed).
- iTAG and heart-rate bands signal presses only over a GATT link: they are listed, never lit.

Pure: :func:`guess_kind` and :func:`is_press` look at one advertisement; :class:`UnknownBands`
keeps the latest sighting per address, with times passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from caregiver_portal.bands.schemas import BandScheme, UnknownBandIn
from wearable import uuids
from wearable.errors import MalformedPayload
from wearable.frames import BTHOME_UUID, MIBEACON_UUID, OBJ_BUTTON
from wearable.keys import Enrolment, Scheme
from wearable.openers import BthomeOpener, MibeaconOpener
from wearable.vendor import parse_wristband_event

BTHOME_TRIGGER = 0x04
"""Advertisement-info bit: the frame was sent because of an event (a press), not on a timer."""
BTHOME_ENCRYPTED = 0x01
MIBEACON_OBJECTS = 0x0040
MAX_UNKNOWN = 200
"""Unknown bands remembered at once (a busy street can be full of Bluetooth devices)."""


def guess_kind(service_uuids: Iterable[str], service_data: Mapping[str, bytes]) -> BandScheme | None:
    """The enrolment scheme a device looks like from its advertisement (None: not a band or button)."""
    advertised = set(service_uuids)
    if uuids.ANXIN_SERVICE in advertised:
        return "anxin"
    if MIBEACON_UUID in service_data:
        return "mibeacon"
    if BTHOME_UUID in service_data:
        return "bthome"
    if uuids.ITAG_SERVICE in advertised:
        return "itag"
    if advertised & uuids.WRISTBAND_SERVICES:
        return "hrs"
    return None


def is_press(frame: bytes | None, previous: bytes | None) -> bool:
    """Whether an advertisement's frame (service data of its band) is a new event such as a press.

    ``frame`` is the service data of 0xFCD2 (BTHome, Anxin) prefixed with ``b"B"`` or of 0xFE95
    prefixed with ``b"M"`` (see :func:`frame_of`); ``previous`` the one heard before (None: the
    first; a button that only advertises on a press lights up at once).
    """
    if frame is None or frame == previous or len(frame) < 2:
        return False
    kind, body = frame[:1], frame[1:]
    if kind == b"M":
        return len(body) >= 5 and bool(int.from_bytes(body[0:2], "little") & MIBEACON_OBJECTS)
    info = body[0]
    if info & BTHOME_ENCRYPTED:
        return bool(info & BTHOME_TRIGGER)
    return OBJ_BUTTON in body[1::2] and _plain_button_event(body[1:])


def _plain_button_event(objects: bytes) -> bool:
    """A plain BTHome frame holds a button object with an event (not 0x00 "none")."""
    index = objects.find(bytes([OBJ_BUTTON]))
    return 0 <= index < len(objects) - 1 and objects[index + 1] != 0


def frame_of(service_data: Mapping[str, bytes]) -> bytes | None:
    """The event frame of an advertisement, tagged with its format (``b"B"`` BTHome/Anxin, ``b"M"`` MiBeacon)."""
    if (data := service_data.get(BTHOME_UUID)) is not None:
        return b"B" + bytes(data)
    if (data := service_data.get(MIBEACON_UUID)) is not None:
        return b"M" + bytes(data)
    return None


@dataclass(frozen=True, slots=True)
class PairingPress:
    """The press that paired a band, heard before the band was registered: it and whatever the band re-sends
    of it are not alerts once the band's key is known."""

    counter: int | None
    """Its frame counter (in the clear)."""
    sequence: int | None
    """Its Anxin event sequence number (read with the key): a re-sent copy has a new counter but this number."""


def pairing_press(frame: bytes | None, enrolment: Enrolment) -> PairingPress | None:
    """What identifies the pairing press ``frame`` (as :func:`frame_of` tags it) of a band now enrolled."""
    if frame is None or len(frame) < 2:
        return None
    tag, data = frame[:1], frame[1:]
    opener = (BthomeOpener if tag == b"B" else MibeaconOpener)(enrolment.address, enrolment.key)
    header = opener.header(data)
    sequence = None
    if enrolment.scheme is Scheme.ANXIN and enrolment.key is not None and tag == b"B":
        opened = opener.open(data, now=0.0, fresh=True)
        if opened is not None and opened.record is not None:
            try:
                sequence = parse_wristband_event(opened.record).sequence
            except MalformedPayload:
                sequence = None
    return PairingPress(header.counter if header else None, sequence)


@dataclass(frozen=True, slots=True)
class UnknownBand:
    """A band or button heard lately that the portal has not registered."""

    address: str
    """Bluetooth address (upper case)."""
    kind: BandScheme
    """What it looks like: anxin, bthome, mibeacon, itag or hrs (the scheme to enrol it with)."""
    name: str | None
    """Advertised local name."""
    rssi: int | None
    """Signal strength of the latest advertisement (dBm)."""
    radio: str
    """The radio that heard it (``adapter``, ``proxy:<home>``)."""
    last_seen_at: datetime
    """When it was last heard (UTC)."""
    pressed_at: datetime | None = None
    """When its latest press (new event frame) was heard; None: not pressed since the bridge started."""
    frame: bytes | None = None
    """The latest event frame (tagged), to tell the next press from a repeat."""

    def request(self) -> UnknownBandIn:
        """The portal request ``PortalClient.report_unknown_bands`` takes (the frame stays on the bridge)."""
        return UnknownBandIn(address=self.address, kind=self.kind, name=self.name, rssi=self.rssi, radio=self.radio,
                             last_seen_at=self.last_seen_at, pressed_at=self.pressed_at)


class UnknownBands:
    """The unknown bands heard within ``ttl``, and whether anything new happened since the last report."""

    def __init__(self, *, ttl: timedelta) -> None:
        self.ttl = ttl
        self._bands: dict[str, UnknownBand] = {}
        self.changed = False
        """A band appeared or was pressed since :meth:`take` last ran."""

    def observe(self, address: str, *, name: str | None, rssi: int | None, radio: str, service_uuids: Iterable[str],
                service_data: Mapping[str, bytes], now: datetime) -> UnknownBand | None:
        """Note one advertisement of an unregistered device; returns its entry (None: not a band or button)."""
        kind = guess_kind(service_uuids, service_data)
        if kind is None:
            return None
        address = address.upper()
        previous = self._bands.get(address)
        if previous is None and len(self._bands) >= MAX_UNKNOWN:
            self.forget_older(now)
            if len(self._bands) >= MAX_UNKNOWN:
                return None
        frame = frame_of(service_data)
        pressed = is_press(frame, previous.frame if previous else None)
        band = UnknownBand(address, kind, name or (previous.name if previous else None), rssi, radio, now,
                           now if pressed else (previous.pressed_at if previous else None),
                           frame if frame is not None else (previous.frame if previous else None))
        self._bands[address] = band
        self.changed = self.changed or previous is None or pressed
        return band

    def forget(self, addresses: Iterable[str]) -> None:
        """Drop bands that are registered now."""
        for address in addresses:
            self._bands.pop(address.upper(), None)

    def forget_older(self, now: datetime) -> None:
        """Drop bands not heard within ``ttl``."""
        horizon = now - self.ttl
        for address in [a for a, band in self._bands.items() if band.last_seen_at < horizon]:
            del self._bands[address]

    def take(self, now: datetime) -> list[UnknownBand]:
        """The bands heard within ``ttl``, most recently pressed first; clears :attr:`changed`."""
        self.forget_older(now)
        self.changed = False
        return sorted(self._bands.values(), key=_press_order)

    def get(self, address: str) -> UnknownBand | None:
        """The entry of one address, if heard."""
        return self._bands.get(address.upper())


def _press_order(band: UnknownBand) -> tuple[bool, float, str]:
    return (band.pressed_at is None, -(band.pressed_at.timestamp() if band.pressed_at else 0.0), band.address)
