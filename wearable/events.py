"""Pure core of the bridge: notifications and advertisements in, portal requests out.

:class:`EventProcessor` hands each :class:`Notification` or :class:`Advert` to the band's
:class:`~wearable.decoders.BandDecoder` (authentication, replay protection, decoding into
:class:`~wearable.model.BandEvent`), then applies one policy to the events of every kind of
device: SOS at once, falls held for a cancel window, cancellations, check-ins, readings;
Anxin sequence numbers (duplicates dropped, gaps counted), iTAG debounce. Refused frames are
counted per band — the suspicious ones with the radio that heard them. Time is passed in
(``now``: monotonic seconds); nothing here does I/O.

What must survive a crash is announced as outputs, not written here: a held fall
(:class:`FallHeld`, then :class:`FallSettled`) and the last iTAG press (:class:`ItagPressed`);
the highest frame counter per band is collected with :meth:`EventProcessor.take_counters`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from wearable import uuids
from wearable.decoders import BandDecoder, Decoded, Refusal
from wearable.keys import Enrolment
from wearable.messages import (
    Advert,
    AlertOut,
    BandStats,
    CancelOut,
    CheckInOut,
    FallHeld,
    FallSettled,
    ItagPressed,
    Notification,
    Output,
    ReadingOut,
)
from wearable.model import ALERT_KINDS, BandEvent, EventKind
from wearable.sequence import SequenceTracker
from wearable.unknown import PairingPress
from wearable.vendor import WristbandEvent

__all__ = [
    "Advert", "AlertOut", "BandStats", "CancelOut", "CheckInOut", "EventProcessor", "FallHeld", "FallSettled",
    "ItagPressed", "Notification", "Output", "ReadingOut", "event_id_for",
]

logger = logging.getLogger(__name__)


FALL_CANCELLED_REASON = "佩戴者在手环上取消了跌倒报警"
SOS_CANCELLED_REASON = "佩戴者在手环上取消了紧急呼叫"
DEVICE_EVENTS = frozenset({EventKind.OFF_WRIST, EventKind.ON_WRIST, EventKind.LOW_BATTERY})


@dataclass(slots=True)
class _PendingFall:
    alert: AlertOut
    deadline: float
    started: float


def event_id_for(address: str, event: WristbandEvent) -> str:
    """Idempotency key of an Anxin band event: ``"<address>:<seq>:<band clock>"``."""
    return f"{address}:{event.sequence}:{event.band_clock}"


class EventProcessor:
    """Turns what bands send into alerts, check-ins and readings (see module docstring)."""

    def __init__(self, *, fall_cancel_window: float = 30.0, itag_debounce: float = 2.0,
                 reorder_window: float = 5.0, enrolments: Iterable[Enrolment] = ()) -> None:
        self.fall_cancel_window = fall_cancel_window
        self.itag_debounce = itag_debounce
        self.reorder_window = reorder_window
        self._decoders: dict[str, BandDecoder] = {}
        self._stats: dict[str, BandStats] = {}
        self._sequences: dict[str, SequenceTracker] = {}
        self._pending_falls: dict[str, list[_PendingFall]] = {}
        self._last_forwarded: dict[tuple[str, str], str] = {}
        self._last_itag: dict[str, float] = {}
        self._counters: dict[tuple[str, str], int] = {}
        self._stored: dict[tuple[str, str], int] = {}
        self._pairing: dict[str, PairingPress] = {}
        for enrolment in enrolments:
            self.enrol(enrolment)

    @staticmethod
    def handles(characteristic: str) -> bool:
        """True for characteristics the bridge decodes (it subscribes to these)."""
        return characteristic in KNOWN_CHARACTERISTICS

    # ----- enrolment ------------------------------------------------------------------------------

    def paired_by(self, address: str, press: PairingPress) -> None:
        """The band was paired by pressing it (before it was registered): that press, and anything older, is
        not an alert when the band still advertises or re-sends it once its key is known."""
        self._pairing[address.upper()] = press

    def enrol(self, enrolment: Enrolment) -> None:
        """Serve a band (again, e.g. with a new key: its counters then start over)."""
        current = self._decoders.get(enrolment.address)
        if current is not None and current.enrolment == enrolment:
            return
        highest = self._stored.get((enrolment.address, enrolment.key_id or ""))
        if current is not None and current.enrolment.key == enrolment.key and current.guard.highest is not None:
            highest = max(highest or 0, current.guard.highest)
        self._decoders[enrolment.address] = BandDecoder(enrolment, highest=highest,
                                                        reorder_window=self.reorder_window)

    def give_back_counters(self, counters: Mapping[tuple[str, str], int]) -> None:
        """Counters from :meth:`take_counters` that could not be stored: hand them out again next time."""
        for key, highest in counters.items():
            self._counters[key] = max(highest, self._counters.get(key, highest))

    def restore_counters(self, counters: Mapping[tuple[str, str], int]) -> None:
        """Highest frame counters per (band, key fingerprint) a previous run stored."""
        self._stored.update(counters)
        for decoder in self._decoders.values():
            stored = counters.get((decoder.address, decoder.enrolment.key_id or ""))
            if stored is not None and (decoder.guard.highest is None or stored > decoder.guard.highest):
                decoder.guard.highest = stored

    def enrolment(self, address: str) -> Enrolment | None:
        """How a band is enrolled, None when the bridge does not serve it."""
        decoder = self._decoders.get(address)
        return decoder.enrolment if decoder else None

    def take_counters(self) -> dict[tuple[str, str], int]:
        """Highest frame counters per (band, key fingerprint) that went up since the last call."""
        counters, self._counters = self._counters, {}
        return counters

    def stats(self, address: str) -> BandStats:
        """Counters of one band (zeros for a band never heard)."""
        return self._stats.setdefault(address, BandStats())

    # ----- input ----------------------------------------------------------------------------------

    def handle(self, item: Notification | Advert, now: float) -> list[Output]:
        """Decode one notification or advertisement and apply its events; refusals are counted and logged."""
        decoder = self._decoders.get(item.address)
        if decoder is None:
            return []
        stats = self.stats(item.address)
        if isinstance(item, Notification):
            stats.notifications += 1
            decoded = decoder.notification(item, now)
        else:
            stats.adverts += 1
            decoded = decoder.advert(item, now)
        self._note(item, decoded, stats)
        outputs: list[Output] = []
        for event in decoded.events:
            if self._before_pairing(event, decoded):
                continue
            outputs.extend(self._apply(event, now))
        return self._count(item.address, outputs)

    def _note(self, item: Notification | Advert, decoded: Decoded, stats: BandStats) -> None:
        if decoded.heard and (stats.last_heard_at is None or item.received_at >= stats.last_heard_at):
            stats.last_heard_at, stats.radio = item.received_at, item.radio
            if isinstance(item, Advert) and item.rssi is not None:
                stats.rssi, stats.rssi_at = item.rssi, item.received_at
        if decoded.counter is not None:
            key_id = self._decoders[item.address].enrolment.key_id or ""
            self._counters[(item.address, key_id)] = decoded.counter
        if decoded.duplicate and isinstance(item, Notification) and item.source == "gatt":
            stats.duplicates += 1
        if decoded.refusal is not None:
            self._refused(item, decoded, stats)

    def _refused(self, item: Notification | Advert, decoded: Decoded, stats: BandStats) -> None:
        refusal = decoded.refusal
        assert refusal is not None
        if refusal is Refusal.MALFORMED:
            stats.malformed += 1
        elif refusal is Refusal.UNSUPPORTED and isinstance(item, Notification):
            stats.unknown_characteristic += 1
        else:
            stats.refused[refusal.value] += 1
        if refusal.suspicious:
            stats.suspicious_radio, stats.suspicious_at = item.radio, item.received_at
            logger.warning("%s: suspicious frame dropped (%s) heard by %s: %s (%d suspicious so far)",
                           item.address, refusal.value, item.radio, decoded.detail,
                           sum(stats.refused[r.value] for r in Refusal if r.suspicious))
        else:
            logger.info("%s: frame dropped (%s): %s", item.address, refusal.value, decoded.detail)

    # ----- policy ---------------------------------------------------------------------------------

    def _before_pairing(self, event: BandEvent, decoded: Decoded) -> bool:
        """An event of the press that paired the band (or older): counted, not applied."""
        press = self._pairing.get(event.band)
        if press is None or event.kind in (EventKind.READING, EventKind.BATTERY, EventKind.PRESENCE):
            return False
        seq = event.details.get("seq")
        older = (press.sequence is not None and isinstance(seq, int) and seq <= press.sequence) or (
            press.counter is not None and decoded.counter is not None and decoded.counter <= press.counter)
        if older:
            self.stats(event.band).pairing_presses += 1
            logger.info("%s: %s from the press that paired the band, not forwarded", event.band, event.kind.value)
        return older

    def _apply(self, event: BandEvent, now: float) -> list[Output]:
        stats = self.stats(event.band)
        if event.battery_percent is not None:
            stats.battery_percent = event.battery_percent
        if event.kind in (EventKind.READING, EventKind.BATTERY):
            assert event.reading is not None and event.value is not None
            return [ReadingOut(event.band, event.reading, event.value, event.occurred_at)]
        extra: dict[str, Any] = {}
        if event.device == "anxin":
            missed = self._track_sequence(event)
            if missed is None:
                return []
            if missed:
                extra["missed_events"] = missed
        if event.kind is EventKind.PRESENCE:
            return []
        if event.kind is EventKind.CHECK_IN:
            stats.check_ins += 1
            return [CheckInOut(event.band, event.event_id, event.occurred_at, event.heard.radio)]
        if event.device == "itag" and not self._debounced(event, now):
            return []
        alert = AlertOut(ALERT_KINDS[event.kind], event.band, event.event_id, _details(event, extra),
                         occurred_at=event.occurred_at)
        return self._dispatch(event, alert, now)

    def _dispatch(self, event: BandEvent, alert: AlertOut, now: float) -> list[Output]:
        if event.kind is EventKind.FALL:
            return self._hold_fall(alert, event, now)
        if event.kind is EventKind.FALL_CANCELLED:
            return self._fall_cancelled(alert, now)
        if event.kind is EventKind.SOS_CANCELLED:
            return self._cancel_forwarded(alert.wristband, "sos", SOS_CANCELLED_REASON)
        if event.kind in DEVICE_EVENTS:
            return [self._forwarded(_with(alert, event=event.kind.value))]
        if event.device == "itag":
            return [self._forwarded(alert), ItagPressed(event.band, alert.event_id, event.occurred_at)]
        return [self._forwarded(alert)]

    def _debounced(self, event: BandEvent, now: float) -> bool:
        """True for an iTAG press that is new (not within ``itag_debounce`` of the last one)."""
        last = self._last_itag.get(event.band)
        if last is not None and now - last < self.itag_debounce:
            return False
        self._last_itag[event.band] = now
        return True

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

    # ----- falls and cancellations ----------------------------------------------------------------

    def _hold_fall(self, alert: AlertOut, event: BandEvent, now: float) -> list[Output]:
        if self.fall_cancel_window <= 0:
            return [self._forwarded(_with(alert, cancelled=False))]
        fall = _PendingFall(alert, deadline=now + self.fall_cancel_window, started=now)
        self._pending_falls.setdefault(alert.wristband, []).append(fall)
        logger.info("%s: fall detected, waiting %.0f s for a cancel", alert.wristband, self.fall_cancel_window)
        received_at = event.heard.received_at
        return [FallHeld(alert, received_at, received_at + timedelta(seconds=self.fall_cancel_window))]

    def _fall_cancelled(self, cancel: AlertOut, now: float) -> list[Output]:
        pending = self._pending_falls.pop(cancel.wristband, [])
        if not pending:  # the window had ended: cancel the fall alert already forwarded
            return self._cancel_forwarded(cancel.wristband, "fall", FALL_CANCELLED_REASON)
        outputs: list[Output] = []
        for fall in pending:  # cancelled in time: recorded at the portal, but as a cancelled non-emergency
            after = round(now - fall.started, 1)
            raised = _with(fall.alert, cancelled=True, cancelled_after_s=after)
            outputs.append(AlertOut(raised.kind, raised.wristband, raised.event_id, raised.details, emergency=False,
                                    occurred_at=raised.occurred_at))
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

    def _track_sequence(self, event: BandEvent) -> int | None:
        """Return the number of Anxin events missed before this one, or None for a duplicate."""
        seq, clock = int(event.details["seq"]), int(event.details["band_clock"])
        seen = self._sequences.setdefault(event.band, SequenceTracker()).observe(seq, clock)
        stats = self.stats(event.band)
        if seen.duplicate:
            if event.details.get("via") == "gatt":  # the advertisement mirror repeats by design
                stats.duplicates += 1
                logger.info("%s: duplicate event seq %d dropped", event.band, seq)
            return None
        if seen.late:
            stats.late_events += 1
            logger.info("%s: late event seq %d", event.band, seq)
        if seen.missed:
            stats.missed_events += seen.missed
            logger.warning("%s: %d event(s) missing before seq %d", event.band, seen.missed, seq)
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


KNOWN_CHARACTERISTICS = frozenset({
    uuids.HEART_RATE_MEASUREMENT, uuids.PLX_CONTINUOUS, uuids.PLX_SPOT_CHECK, uuids.TEMPERATURE_MEASUREMENT,
    uuids.BATTERY_LEVEL, uuids.ANXIN_EVENT, uuids.ITAG_BUTTON,
})


def _details(event: BandEvent, extra: dict[str, Any]) -> dict[str, Any]:
    """What an alert carries: the decoder's facts, the radio that heard it and whether it was authenticated."""
    details = {**event.details, **extra}
    details.update(radio=event.heard.radio, authenticated=event.authenticated)
    if event.heard.rssi is not None:
        details["rssi"] = event.heard.rssi
    if event.device not in ("anxin", "itag"):
        details["device"] = event.device
    return details


def _with(alert: AlertOut, **details: Any) -> AlertOut:
    return AlertOut(alert.kind, alert.wristband, alert.event_id, {**alert.details, **details}, alert.emergency,
                    alert.occurred_at)
