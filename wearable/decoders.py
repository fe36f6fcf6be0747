"""Bytes of one band -> :class:`wearable.model.BandEvent` values, authenticated where a key exists (pure).

One :class:`BandDecoder` per enrolled band knows its scheme, its key and its replay guard.
GATT notifications of the standard health profiles and iTAG buttons are decoded by
:mod:`wearable.gatt` / :mod:`wearable.vendor`; encrypted frames (Anxin, BTHome, MiBeacon)
by the maintained parsers behind :mod:`wearable.openers`. A frame is opened only when its
counter is fresh (:mod:`wearable.replay`), and the counter is recorded only once the MIC
verified. What is refused is returned as a :class:`Refusal`, never raised.
"""

from __future__ import annotations

import enum
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from caregiver_portal.health.schemas import ReadingKind
from wearable import gatt, uuids
from wearable.errors import MalformedPayload
from wearable.keys import Enrolment, Scheme
from wearable.messages import Advert, Notification
from wearable.model import GESTURES, BandEvent, EventKind, Heard
from wearable.openers import BthomeOpener, MibeaconOpener, Opened, Opener
from wearable.replay import ANXIN_POLICY, BOUGHT_POLICY, CounterGuard, Verdict
from wearable.vendor import WristbandEvent, WristbandEventKind

MAX_CLOCK_AHEAD = timedelta(minutes=10)
"""A band clock further ahead of the bridge than this is not believed (occurred_at = receipt)."""
EARLIEST_CLOCK = datetime(2020, 1, 1, tzinfo=UTC)
"""A band clock before this was never set."""
REFUSED_MEMORY = 32
"""Refused frames remembered per band, so an attacker repeating one frame counts once."""


class Refusal(enum.StrEnum):
    """Why a frame was dropped."""

    PLAINTEXT = "plaintext"
    """An unencrypted frame from a band enrolled with a key (a spoofer without the key)."""
    BAD_MIC = "bad_mic"
    """The AES-CCM MIC did not verify: forged or corrupted."""
    REPLAYED = "replayed"
    """An old counter, or the latest one long after the band stopped sending it."""
    AHEAD = "ahead"
    """A counter implausibly far ahead of the highest accepted."""
    NO_KEY = "no_key"
    """Encrypted, but the bridge has no key for the band (not enrolled yet)."""
    UNSUPPORTED = "unsupported"
    """A format the bridge does not accept (legacy MiBeacon encryption without a MIC)."""
    MALFORMED = "malformed"
    """Bytes that do not follow their format."""

    @property
    def suspicious(self) -> bool:
        """Counted as suspicious radio activity and reported to the admin."""
        return self in SUSPICIOUS


SUSPICIOUS = frozenset({Refusal.PLAINTEXT, Refusal.BAD_MIC, Refusal.REPLAYED, Refusal.AHEAD})


@dataclass(frozen=True, slots=True)
class Decoded:
    """What one notification or advertisement gave."""

    events: tuple[BandEvent, ...] = ()
    """Events to apply (empty for duplicates and refusals)."""
    refusal: Refusal | None = None
    """Why the input was dropped, if it was."""
    heard: bool = False
    """The band itself was heard (an authentic frame, a repeat of one, or any advertisement of a device
    enrolled without a key): last-seen, signal and radio may be updated."""
    duplicate: bool = False
    """A repeat of a frame already taken."""
    counter: int | None = None
    """Highest counter after this input, when it went up (to be stored)."""
    detail: str = ""
    """Context for the log line of a refusal."""


ANXIN_KINDS: dict[WristbandEventKind, EventKind] = {
    WristbandEventKind.SOS: EventKind.SOS,
    WristbandEventKind.FALL: EventKind.FALL,
    WristbandEventKind.FALL_CANCELLED: EventKind.FALL_CANCELLED,
    WristbandEventKind.SOS_CANCELLED: EventKind.SOS_CANCELLED,
    WristbandEventKind.OFF_WRIST: EventKind.OFF_WRIST,
    WristbandEventKind.ON_WRIST: EventKind.ON_WRIST,
    WristbandEventKind.LOW_BATTERY: EventKind.LOW_BATTERY,
    WristbandEventKind.CHECK_IN: EventKind.CHECK_IN,
    WristbandEventKind.STATUS: EventKind.PRESENCE,
}


def occurred_at(band_clock: int, received_at: datetime) -> datetime:
    """The band's time of an event when its clock is believable, else the bridge's receive time."""
    try:
        moment = datetime.fromtimestamp(band_clock, UTC)
    except (OverflowError, OSError, ValueError):
        return received_at
    if moment < EARLIEST_CLOCK or moment > received_at + MAX_CLOCK_AHEAD:
        return received_at
    return moment


class BandDecoder:
    """Decodes everything one enrolled band sends (see module docstring)."""

    def __init__(self, enrolment: Enrolment, *, highest: int | None = None,
                 reorder_window: float | None = None) -> None:
        self.enrolment = enrolment
        self.address = enrolment.address
        self.opener: Opener | None = _opener(enrolment)
        policy = ANXIN_POLICY if enrolment.scheme is Scheme.ANXIN else BOUGHT_POLICY
        if reorder_window is not None:
            policy = replace(policy, reorder_window=reorder_window)
        self.guard = CounterGuard(policy, highest)
        self._last_frame: tuple[bytes, float] | None = None
        self._refused: OrderedDict[bytes, None] = OrderedDict()
        self._standard: dict[str, Callable[[Notification], list[BandEvent]]] = {
            uuids.HEART_RATE_MEASUREMENT: self._heart_rate,
            uuids.PLX_CONTINUOUS: self._plx_continuous,
            uuids.PLX_SPOT_CHECK: self._plx_spot_check,
            uuids.TEMPERATURE_MEASUREMENT: self._temperature,
            uuids.BATTERY_LEVEL: self._battery,
            uuids.ITAG_BUTTON: self._itag,
        }

    @property
    def keyed(self) -> bool:
        """The band is enrolled with a key: only authenticated frames count."""
        return self.enrolment.key is not None

    # ----- GATT ---------------------------------------------------------------------------------

    def notification(self, note: Notification, now: float) -> Decoded:
        """Decode a notification / indication of the band's GATT link."""
        if note.characteristic == uuids.ANXIN_EVENT:
            if self.enrolment.scheme is not Scheme.ANXIN or self.opener is None:
                return Decoded(refusal=Refusal.PLAINTEXT if self.keyed else Refusal.UNSUPPORTED,
                               detail="Anxin event from a band not enrolled as an Anxin band")
            return self._frame(note.data, Heard(note.radio, None, note.received_at), now, via=note.source,
                               required=True)
        decode = self._standard.get(note.characteristic)
        if decode is None:
            return Decoded(refusal=Refusal.UNSUPPORTED, detail=f"characteristic {note.characteristic}")
        if note.characteristic == uuids.ITAG_BUTTON and self.enrolment.scheme is not Scheme.ITAG:
            return Decoded(refusal=Refusal.PLAINTEXT if self.keyed else Refusal.UNSUPPORTED,
                           detail="iTAG press from a band not enrolled as an iTAG")
        try:
            return Decoded(events=tuple(decode(note)), heard=True)
        except MalformedPayload as exc:
            return Decoded(refusal=Refusal.MALFORMED, heard=True, detail=f"{note.data.hex()}: {exc}")

    # ----- advertisements -----------------------------------------------------------------------

    def advert(self, advert: Advert, now: float) -> Decoded:
        """Decode an advertisement: the frame in its service data, if the band's format has one."""
        data = advert.service_data.get(self.opener.uuid) if self.opener is not None else None
        if data is None:
            return Decoded(heard=not self.keyed)
        return self._frame(bytes(data), Heard(advert.radio, advert.rssi, advert.received_at), now,
                           via="advertisement")

    # ----- frames -------------------------------------------------------------------------------

    def _frame(self, data: bytes, heard: Heard, now: float, *, via: str, required: bool = False) -> Decoded:
        """Classify, open and decode a frame (``required``: the bytes must be one, as on the Anxin Event
        characteristic); a frame refused before is dropped without being counted again."""
        if data in self._refused:
            return Decoded(duplicate=True)
        decoded = self._classify(data, heard, now, via=via)
        if required and decoded.refusal is None and not decoded.events and not decoded.heard and not decoded.duplicate:
            decoded = Decoded(refusal=Refusal.MALFORMED, detail=f"not an Anxin frame: {data.hex()}")
        if decoded.refusal is not None and decoded.refusal is not Refusal.NO_KEY:
            self._refused[data] = None
            if len(self._refused) > REFUSED_MEMORY:
                self._refused.popitem(last=False)
        return decoded

    def _classify(self, data: bytes, heard: Heard, now: float, *, via: str) -> Decoded:
        """Classify, open and decode one encrypted (or, for a keyless device, plain) frame."""
        assert self.opener is not None
        last = self._last_frame
        repeat = last is not None and last[0] == data
        if repeat and (not self.keyed or now - last[1] <= self.guard.policy.repeat_window):  # type: ignore[index]
            return Decoded(heard=True, duplicate=True)  # the device repeats its frame (a keyless one has no counter)
        header = self.opener.header(data)
        if header is None:
            return Decoded(heard=not self.keyed)
        if not header.encrypted:
            if self.keyed:
                return Decoded(refusal=Refusal.PLAINTEXT, detail=f"unencrypted frame {data.hex()}")
            return self._accept(data, self.opener.open(data, now=now), heard, now, via=via, counter=None)
        if not self.keyed:
            return Decoded(refusal=Refusal.NO_KEY, detail="encrypted frame and no key for this band")
        if header.counter is None:
            return Decoded(refusal=Refusal.UNSUPPORTED, detail="encryption without a MIC (MiBeacon v2/v3)")
        verdict = self.guard.check(header.counter, now)
        if verdict is Verdict.DUPLICATE:
            return Decoded(duplicate=True)
        if not verdict.acceptable:
            return Decoded(refusal=Refusal(verdict.value), detail=f"counter {header.counter}, highest "
                                                                 f"{self.guard.highest}")
        opened = self.opener.open(data, now=now, fresh=verdict is Verdict.LATE)
        if opened is None:
            return Decoded(refusal=Refusal.BAD_MIC, detail=f"counter {header.counter}")
        return self._accept(data, opened, heard, now, via=via, counter=header.counter)

    def _accept(self, data: bytes, opened: Opened | None, heard: Heard, now: float, *, via: str,
                counter: int | None) -> Decoded:
        raised = counter is not None and self.guard.accept(counter, now)
        if raised or counter is None:
            self._last_frame = (data, now)
        if opened is None:
            return Decoded(heard=True)
        try:
            events = self._events(opened, heard, via=via, counter=counter)
        except MalformedPayload as exc:
            return Decoded(refusal=Refusal.MALFORMED, heard=True, counter=counter if raised else None,
                           detail=str(exc))
        return Decoded(events=tuple(events), heard=True, counter=counter if raised else None)

    def _events(self, opened: Opened, heard: Heard, *, via: str, counter: int | None) -> list[BandEvent]:
        if self.enrolment.scheme is Scheme.ANXIN:
            if opened.record is None:
                raise MalformedPayload("Anxin frame without an event record")
            return [self._anxin(gatt.parse_wristband_event(opened.record), heard, via=via, counter=counter)]
        authenticated = counter is not None
        stamp = str(counter) if counter is not None else str(round(heard.received_at.timestamp() * 1000))
        device = self.enrolment.scheme.value
        events = [
            BandEvent(self.address, GESTURES[gesture], f"{device}:{stamp}:{index}", heard.received_at, heard, device,
                      authenticated, battery_percent=opened.battery, details={"gesture": gesture})
            for index, gesture in enumerate(opened.gestures) if gesture in GESTURES
        ]
        if opened.battery is not None:
            events.append(BandEvent(self.address, EventKind.BATTERY, f"{device}:{stamp}:battery", heard.received_at,
                                    heard, device, authenticated, reading="battery", value=float(opened.battery),
                                    battery_percent=opened.battery))
        return events

    def _anxin(self, record: WristbandEvent, heard: Heard, *, via: str, counter: int | None) -> BandEvent:
        details: dict[str, Any] = {"seq": record.sequence, "band_clock": record.band_clock,
                                   "battery": record.battery_percent, "worn": record.worn, "via": via}
        if record.retransmission:
            details["retransmission"] = True
        return BandEvent(self.address, ANXIN_KINDS[record.kind], f"{record.sequence}:{record.band_clock}",
                         occurred_at(record.band_clock, heard.received_at), heard, "anxin", True,
                         battery_percent=record.battery_percent, details=details)

    # ----- standard characteristics -------------------------------------------------------------

    def _reading(self, note: Notification, reading: ReadingKind, value: float) -> BandEvent:
        heard = Heard(note.radio, None, note.received_at)
        kind = EventKind.BATTERY if reading == "battery" else EventKind.READING
        return BandEvent(self.address, kind, f"{reading}:{note.received_at.timestamp()}", note.received_at, heard,
                         "hrs", False, reading=reading, value=value,
                         battery_percent=round(value) if reading == "battery" else None)

    def _heart_rate(self, note: Notification) -> list[BandEvent]:
        hr = gatt.parse_heart_rate_measurement(note.data)
        if hr.sensor_contact is False or hr.bpm == 0:
            return []  # band not on a wrist: no reading rather than a false 0 bpm
        return [self._reading(note, "heart_rate", float(hr.bpm))]

    def _plx_continuous(self, note: Notification) -> list[BandEvent]:
        return self._spo2(note, gatt.parse_plx_continuous(note.data).spo2)

    def _plx_spot_check(self, note: Notification) -> list[BandEvent]:
        return self._spo2(note, gatt.parse_plx_spot_check(note.data).spo2)

    def _spo2(self, note: Notification, spo2: float | None) -> list[BandEvent]:
        if spo2 is None or not 0 < spo2 <= 100:
            return []
        return [self._reading(note, "spo2", spo2)]

    def _temperature(self, note: Notification) -> list[BandEvent]:
        celsius = gatt.parse_temperature_measurement(note.data).celsius
        if celsius is None or not math.isfinite(celsius):
            return []
        return [self._reading(note, "temperature", round(celsius, 2))]

    def _battery(self, note: Notification) -> list[BandEvent]:
        return [self._reading(note, "battery", float(gatt.parse_battery_level(note.data).percent))]

    def _itag(self, note: Notification) -> list[BandEvent]:
        press = gatt.parse_itag_button(note.data)
        millis = int(note.received_at.timestamp() * 1000)
        heard = Heard(note.radio, None, note.received_at)
        return [BandEvent(self.address, EventKind.SOS, f"itag:{millis}", note.received_at, heard, "itag", False,
                          details={"source": "itag", "button_code": press.code})]


def _opener(enrolment: Enrolment) -> Opener | None:
    if enrolment.scheme in (Scheme.ANXIN, Scheme.BTHOME):
        return BthomeOpener(enrolment.address, enrolment.key)
    if enrolment.scheme is Scheme.MIBEACON:
        return MibeaconOpener(enrolment.address, enrolment.key)
    return None

