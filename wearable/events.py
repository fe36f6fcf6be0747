"""Pure core of the bridge: raw notifications in, portal alerts and readings out.

:class:`EventProcessor` decodes each :class:`Notification`, tracks sequence
numbers per band (duplicates dropped, gaps counted), holds falls for a cancel
window and debounces iTAG buttons. Time is passed in (``now``: monotonic
seconds); nothing here does I/O.

What must survive a crash is announced as outputs, not written here: a held fall
(:class:`FallHeld`, then :class:`FallSettled` once handed to the portal client) and
the last iTAG press (:class:`ItagPressed`). The forwarder writes them to the
bridge's state file; :meth:`EventProcessor.restore_fall` and
:meth:`EventProcessor.restore_itag_press` take them back after a restart.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from wearable import gatt, uuids
from wearable.errors import MalformedPayload
from wearable.messages import (
    AlertOut,
    BandStats,
    CancelOut,
    FallHeld,
    FallSettled,
    ItagPressed,
    Notification,
    Output,
    ReadingOut,
)
from wearable.sequence import SequenceTracker
from wearable.vendor import WristbandEvent, WristbandEventKind

__all__ = [
    "AlertOut", "BandStats", "CancelOut", "EventProcessor", "FallHeld", "FallSettled", "ItagPressed",
    "Notification", "Output", "ReadingOut", "event_id_for",
]

logger = logging.getLogger(__name__)


FALL_CANCELLED_REASON = "佩戴者在手环上取消了跌倒报警"
SOS_CANCELLED_REASON = "佩戴者在手环上取消了紧急呼叫"


@dataclass(slots=True)
class _PendingFall:
    alert: AlertOut
    deadline: float
    started: float


def event_id_for(address: str, event: WristbandEvent) -> str:
    """Deterministic idempotency key of a band event: ``"<address>:<seq>:<band clock>"``."""
    return f"{address}:{event.sequence}:{event.band_clock}"


class EventProcessor:
    """Turns notifications into alerts and readings (see module docstring)."""

    def __init__(self, *, fall_cancel_window: float = 30.0, itag_debounce: float = 2.0) -> None:
        self.fall_cancel_window = fall_cancel_window
        self.itag_debounce = itag_debounce
        self._stats: dict[str, BandStats] = {}
        self._sequences: dict[str, SequenceTracker] = {}
        self._pending_falls: dict[str, list[_PendingFall]] = {}
        self._last_forwarded: dict[tuple[str, str], str] = {}
        self._last_itag: dict[str, float] = {}
        self._decoders: dict[str, Callable[[Notification, float], list[Output]]] = {
            uuids.HEART_RATE_MEASUREMENT: self._heart_rate,
            uuids.PLX_CONTINUOUS: self._plx_continuous,
            uuids.PLX_SPOT_CHECK: self._plx_spot_check,
            uuids.TEMPERATURE_MEASUREMENT: self._temperature,
            uuids.BATTERY_LEVEL: self._battery,
            uuids.ANXIN_EVENT: self._vendor_event,
            uuids.ITAG_BUTTON: self._itag,
        }

    @staticmethod
    def handles(characteristic: str) -> bool:
        """True for characteristics the processor can decode (the bridge subscribes to these)."""
        return characteristic in KNOWN_CHARACTERISTICS

    def stats(self, address: str) -> BandStats:
        """Counters of one band (zeros for a band never heard)."""
        return self._stats.setdefault(address, BandStats())

    def handle(self, note: Notification, now: float) -> list[Output]:
        """Decode one notification; malformed payloads are counted and logged, never raised."""
        stats = self.stats(note.address)
        stats.notifications += 1
        if stats.last_heard_at is None or note.received_at > stats.last_heard_at:
            stats.last_heard_at = note.received_at
        decoder = self._decoders.get(note.characteristic)
        if decoder is None:
            stats.unknown_characteristic += 1
            logger.debug("%s: ignoring characteristic %s", note.address, note.characteristic)
            return []
        try:
            outputs = decoder(note, now)
        except MalformedPayload as exc:
            stats.malformed += 1
            logger.warning(
                "%s: malformed %s payload %s (%d malformed so far): %s",
                note.address, note.source, note.data.hex(), stats.malformed, exc,
            )
            return []
        return self._count(note.address, outputs)

    def due(self, now: float) -> list[Output]:
        """Falls whose cancel window has ended: forward them now (each followed by its FallSettled)."""
        outputs: list[Output] = []
        for address, falls in list(self._pending_falls.items()):
            for fall in [f for f in falls if f.deadline <= now]:
                falls.remove(fall)
                outputs.append(self._forwarded(_with(fall.alert, cancelled=False)))
                outputs.append(FallSettled(address, fall.alert.event_id))
            if not falls:
                del self._pending_falls[address]
        return self._count_all(outputs)

    def flush_falls(self) -> list[Output]:
        """Forward every fall still in its cancel window (used at shutdown: never lose a fall)."""
        return self.due(math.inf)

    def next_deadline(self) -> float | None:
        """Monotonic time at which :meth:`due` has something, or None."""
        deadlines = [f.deadline for falls in self._pending_falls.values() for f in falls]
        return min(deadlines, default=None)

    # ----- restart ------------------------------------------------------------------------------

    def restore_fall(self, alert: AlertOut, *, detected_at: datetime, deadline_at: datetime,
                     now: float, wall_now: datetime) -> float:
        """Hold again a fall a previous run held when it stopped; returns the seconds left in its window.

        A window that ended while the bridge was down is due at once. The fall's sequence
        number is marked as seen, so the band's advertisement mirror of it is a duplicate.
        """
        if any(f.alert.event_id == alert.event_id for f in self._pending_falls.get(alert.wristband, [])):
            return 0.0
        window = max(0.0, (deadline_at - detected_at).total_seconds())
        remaining = min(window, max(0.0, (deadline_at - wall_now).total_seconds()))
        elapsed = min(window, max(0.0, (wall_now - detected_at).total_seconds()))
        self._pending_falls.setdefault(alert.wristband, []).append(
            _PendingFall(alert, deadline=now + remaining, started=now - elapsed)
        )
        seq, clock = alert.details.get("seq"), alert.details.get("band_clock")
        if isinstance(seq, int) and isinstance(clock, int):
            self._sequences.setdefault(alert.wristband, SequenceTracker()).observe(seq, clock)
        return remaining

    def restore_itag_press(self, address: str, *, pressed_at: datetime, now: float, wall_now: datetime) -> None:
        """Debounce against a press a previous run forwarded (a restart does not make a repeat new)."""
        age = (wall_now - pressed_at).total_seconds()
        if 0 <= age < self.itag_debounce:
            self._last_itag[address] = now - age

    # ----- standard characteristics ---------------------------------------------------------------

    def _heart_rate(self, note: Notification, now: float) -> list[Output]:
        hr = gatt.parse_heart_rate_measurement(note.data)
        if hr.sensor_contact is False or hr.bpm == 0:
            return []  # band not on a wrist: no reading rather than a false 0 bpm
        return [ReadingOut(note.address, "heart_rate", float(hr.bpm), note.received_at)]

    def _plx_continuous(self, note: Notification, now: float) -> list[Output]:
        return _spo2_reading(note, gatt.parse_plx_continuous(note.data).spo2)

    def _plx_spot_check(self, note: Notification, now: float) -> list[Output]:
        return _spo2_reading(note, gatt.parse_plx_spot_check(note.data).spo2)

    def _temperature(self, note: Notification, now: float) -> list[Output]:
        celsius = gatt.parse_temperature_measurement(note.data).celsius
        if celsius is None or not math.isfinite(celsius):
            return []
        return [ReadingOut(note.address, "temperature", round(celsius, 2), note.received_at)]

    def _battery(self, note: Notification, now: float) -> list[Output]:
        percent = gatt.parse_battery_level(note.data).percent
        self.stats(note.address).battery_percent = percent
        return [ReadingOut(note.address, "battery", float(percent), note.received_at)]

    def _itag(self, note: Notification, now: float) -> list[Output]:
        press = gatt.parse_itag_button(note.data)
        last = self._last_itag.get(note.address)
        if last is not None and now - last < self.itag_debounce:
            return []
        self._last_itag[note.address] = now
        millis = int(note.received_at.timestamp() * 1000)
        alert = AlertOut("sos", note.address, f"{note.address}:itag:{millis}",
                         {"source": "itag", "button_code": press.code})
        return [self._forwarded(alert), ItagPressed(note.address, alert.event_id, note.received_at)]

    # ----- vendor events --------------------------------------------------------------------------

    def _vendor_event(self, note: Notification, now: float) -> list[Output]:
        event = gatt.parse_wristband_event(note.data)
        missed = self._track_sequence(note, event)
        if missed is None:
            return []
        if event.battery_percent is not None:
            self.stats(note.address).battery_percent = event.battery_percent
        details: dict[str, Any] = {
            "seq": event.sequence,
            "band_clock": event.band_clock,
            "battery": event.battery_percent,
            "worn": event.worn,
            "via": note.source,
        }
        if missed:
            details["missed_events"] = missed
        alert = AlertOut(_ALERT_KIND[event.kind], note.address, event_id_for(note.address, event), details)
        return self._dispatch_event(event.kind, alert, note, now)

    def _dispatch_event(self, kind: WristbandEventKind, alert: AlertOut, note: Notification,
                        now: float) -> list[Output]:
        if kind is WristbandEventKind.FALL:
            return self._hold_fall(alert, note, now)
        if kind is WristbandEventKind.FALL_CANCELLED:
            return self._fall_cancelled(alert, now)
        if kind is WristbandEventKind.SOS_CANCELLED:
            return self._cancel_forwarded(alert.wristband, "sos", SOS_CANCELLED_REASON)
        if alert.kind == "device":
            return [self._forwarded(_with(alert, event=kind.slug))]
        return [self._forwarded(alert)]

    def _hold_fall(self, alert: AlertOut, note: Notification, now: float) -> list[Output]:
        if self.fall_cancel_window <= 0:
            return [self._forwarded(_with(alert, cancelled=False))]
        fall = _PendingFall(alert, deadline=now + self.fall_cancel_window, started=now)
        self._pending_falls.setdefault(alert.wristband, []).append(fall)
        logger.info("%s: fall detected, waiting %.0f s for a cancel", alert.wristband, self.fall_cancel_window)
        deadline_at = note.received_at + timedelta(seconds=self.fall_cancel_window)
        return [FallHeld(alert, note.received_at, deadline_at)]

    def _fall_cancelled(self, cancel: AlertOut, now: float) -> list[Output]:
        pending = self._pending_falls.pop(cancel.wristband, [])
        if not pending:  # the window had ended: cancel the fall alert already forwarded
            return self._cancel_forwarded(cancel.wristband, "fall", FALL_CANCELLED_REASON)
        outputs: list[Output] = []
        for fall in pending:  # cancelled in time: recorded at the portal, but as a cancelled non-emergency
            after = round(now - fall.started, 1)
            raised = _with(fall.alert, cancelled=True, cancelled_after_s=after)
            outputs.append(AlertOut(raised.kind, raised.wristband, raised.event_id, raised.details, emergency=False))
            outputs.append(CancelOut(fall.alert.wristband, fall.alert.event_id, FALL_CANCELLED_REASON))
            outputs.append(FallSettled(fall.alert.wristband, fall.alert.event_id))
        logger.info("%s: fall cancelled by the wearer within the window", cancel.wristband)
        return outputs

    def _cancel_forwarded(self, address: str, kind: str, reason: str) -> list[Output]:
        event_id = self._last_forwarded.pop((address, kind), None)
        if event_id is None:
            logger.info("%s: %s cancelled on the band but no %s alert was forwarded", address, kind, kind)
            return []
        return [CancelOut(address, event_id, reason)]

    def _track_sequence(self, note: Notification, event: WristbandEvent) -> int | None:
        """Return the number of events missed before this one, or None for a duplicate."""
        seen = self._sequences.setdefault(note.address, SequenceTracker()).observe(event.sequence, event.band_clock)
        stats = self.stats(note.address)
        if seen.duplicate:
            if note.source == "gatt":  # the advertisement mirror repeats by design
                stats.duplicates += 1
                logger.info("%s: duplicate event seq %d dropped", note.address, event.sequence)
            return None
        if seen.late:
            stats.late_events += 1
            logger.info("%s: late event seq %d", note.address, event.sequence)
        if seen.missed:
            stats.missed_events += seen.missed
            logger.warning("%s: %d event(s) missing before seq %d", note.address, seen.missed, event.sequence)
        return seen.missed

    # ----- bookkeeping ----------------------------------------------------------------------------

    def _forwarded(self, alert: AlertOut) -> AlertOut:
        if alert.emergency is not False:
            self._last_forwarded[(alert.wristband, alert.kind)] = alert.event_id
        return alert

    def _count(self, address: str, outputs: list[Output]) -> list[Output]:
        stats = self.stats(address)
        stats.alerts += sum(isinstance(o, AlertOut) for o in outputs)
        stats.readings += sum(isinstance(o, ReadingOut) for o in outputs)
        return outputs

    def _count_all(self, outputs: list[Output]) -> list[Output]:
        for output in outputs:
            if isinstance(output, AlertOut | ReadingOut):
                self._count(output.wristband, [output])
        return outputs


KNOWN_CHARACTERISTICS = frozenset(
    {
        uuids.HEART_RATE_MEASUREMENT,
        uuids.PLX_CONTINUOUS,
        uuids.PLX_SPOT_CHECK,
        uuids.TEMPERATURE_MEASUREMENT,
        uuids.BATTERY_LEVEL,
        uuids.ANXIN_EVENT,
        uuids.ITAG_BUTTON,
    }
)

_ALERT_KIND: dict[WristbandEventKind, str] = {
    WristbandEventKind.SOS: "sos",
    WristbandEventKind.SOS_CANCELLED: "sos",
    WristbandEventKind.FALL: "fall",
    WristbandEventKind.FALL_CANCELLED: "fall",
    WristbandEventKind.OFF_WRIST: "device",
    WristbandEventKind.ON_WRIST: "device",
    WristbandEventKind.LOW_BATTERY: "device",
}


def _with(alert: AlertOut, **details: Any) -> AlertOut:
    return AlertOut(alert.kind, alert.wristband, alert.event_id, {**alert.details, **details}, alert.emergency)


def _spo2_reading(note: Notification, spo2: float | None) -> list[Output]:
    if spo2 is None or not 0 < spo2 <= 100:
        return []
    return [ReadingOut(note.address, "spo2", spo2, note.received_at)]
