"""The pure event processor: dedup, gaps, fall cancel window, readings, iTAG debounce."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wearable import uuids
from wearable.encode import encode_battery, encode_heart_rate, encode_plx_continuous, encode_temperature
from wearable.events import (
    FALL_CANCELLED_REASON,
    SOS_CANCELLED_REASON,
    AlertOut,
    CancelOut,
    EventProcessor,
    FallHeld,
    FallSettled,
    ItagPressed,
    Notification,
    ReadingOut,
)
from wearable.vendor import WristbandEvent, WristbandEventKind, encode_wristband_event

BAND = "F0:00:00:00:00:01"
T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
CLOCK = 1_795_000_000


def event_note(kind: WristbandEventKind, seq: int, *, clock: int = CLOCK, source: str = "gatt") -> Notification:
    payload = encode_wristband_event(WristbandEvent(kind, seq, clock, 80, worn=True))
    return Notification(BAND, uuids.ANXIN_EVENT, payload, T0, source)  # type: ignore[arg-type]


def details(seq: int, **extra: object) -> dict[str, object]:
    return {"seq": seq, "band_clock": CLOCK, "battery": 80, "worn": True, "via": "gatt", **extra}


def test_sos_becomes_alert_with_deterministic_event_id() -> None:
    processor = EventProcessor()
    out = processor.handle(event_note(WristbandEventKind.SOS, 7), now=0.0)
    assert out == [AlertOut("sos", BAND, f"{BAND}:7:{CLOCK}", details(7))]


def test_resent_indication_and_advertisement_mirror_are_deduplicated() -> None:
    processor = EventProcessor()
    first = processor.handle(event_note(WristbandEventKind.SOS, 7, source="advertisement"), now=0.0)
    assert [a.event_id for a in first] == [f"{BAND}:7:{CLOCK}"]  # type: ignore[union-attr]
    assert processor.handle(event_note(WristbandEventKind.SOS, 7), now=0.1) == []
    assert processor.handle(event_note(WristbandEventKind.SOS, 7), now=0.2) == []
    assert processor.stats(BAND).duplicates == 2


def test_sequence_gap_is_counted_and_reported_in_details() -> None:
    processor = EventProcessor()
    processor.handle(event_note(WristbandEventKind.SOS, 1), now=0.0)
    out = processor.handle(event_note(WristbandEventKind.SOS, 5), now=1.0)
    assert out[0].details["missed_events"] == 3  # type: ignore[union-attr]
    assert processor.stats(BAND).missed_events == 3


def test_late_event_filling_a_gap_is_still_forwarded() -> None:
    processor = EventProcessor()
    processor.handle(event_note(WristbandEventKind.SOS, 1), now=0.0)
    processor.handle(event_note(WristbandEventKind.SOS, 3), now=0.0)
    out = processor.handle(event_note(WristbandEventKind.SOS, 2), now=0.0)
    assert [a.kind for a in out] == ["sos"]  # type: ignore[union-attr]
    assert processor.stats(BAND).late_events == 1


def test_sequence_wraps_without_a_gap() -> None:
    processor = EventProcessor()
    processor.handle(event_note(WristbandEventKind.SOS, 0xFFFF), now=0.0)
    out = processor.handle(event_note(WristbandEventKind.SOS, 0), now=0.0)
    assert "missed_events" not in out[0].details  # type: ignore[union-attr]


def test_fall_waits_for_cancel_window_then_forwards() -> None:
    processor = EventProcessor(fall_cancel_window=30.0)
    fall_id = f"{BAND}:3:{CLOCK}"
    assert processor.handle(event_note(WristbandEventKind.FALL, 3), now=100.0) == [
        FallHeld(AlertOut("fall", BAND, fall_id, details(3)), T0, T0 + timedelta(seconds=30)),
    ]
    assert processor.next_deadline() == 130.0
    assert processor.due(129.9) == []
    assert processor.due(130.0) == [
        AlertOut("fall", BAND, fall_id, details(3, cancelled=False)),
        FallSettled(BAND, fall_id),
    ]
    assert processor.next_deadline() is None


def test_fall_cancelled_within_window_is_recorded_as_cancelled_non_emergency() -> None:
    processor = EventProcessor(fall_cancel_window=30.0)
    processor.handle(event_note(WristbandEventKind.FALL, 3), now=100.0)
    out = processor.handle(event_note(WristbandEventKind.FALL_CANCELLED, 4), now=112.0)
    fall_id = f"{BAND}:3:{CLOCK}"
    assert out == [
        AlertOut("fall", BAND, fall_id, details(3, cancelled=True, cancelled_after_s=12.0), emergency=False),
        CancelOut(BAND, fall_id, FALL_CANCELLED_REASON),
        FallSettled(BAND, fall_id),
    ]
    assert processor.due(200.0) == []


def test_fall_cancelled_after_window_cancels_the_forwarded_fall() -> None:
    processor = EventProcessor(fall_cancel_window=30.0)
    processor.handle(event_note(WristbandEventKind.FALL, 3), now=100.0)
    processor.due(130.0)
    out = processor.handle(event_note(WristbandEventKind.FALL_CANCELLED, 4), now=140.0)
    assert out == [CancelOut(BAND, f"{BAND}:3:{CLOCK}", FALL_CANCELLED_REASON)]


def test_sos_cancelled_on_band_cancels_the_forwarded_sos() -> None:
    processor = EventProcessor()
    processor.handle(event_note(WristbandEventKind.SOS, 3), now=0.0)
    out = processor.handle(event_note(WristbandEventKind.SOS_CANCELLED, 4), now=5.0)
    assert out == [CancelOut(BAND, f"{BAND}:3:{CLOCK}", SOS_CANCELLED_REASON)]


def test_cancel_without_forwarded_alert_does_nothing() -> None:
    processor = EventProcessor()
    assert processor.handle(event_note(WristbandEventKind.SOS_CANCELLED, 4), now=5.0) == []
    assert processor.handle(event_note(WristbandEventKind.FALL_CANCELLED, 5), now=5.0) == []


def test_zero_cancel_window_forwards_fall_at_once() -> None:
    processor = EventProcessor(fall_cancel_window=0)
    out = processor.handle(event_note(WristbandEventKind.FALL, 3), now=0.0)
    assert [a.details["cancelled"] for a in out] == [False]  # type: ignore[union-attr]


def test_flush_falls_forwards_falls_still_in_window() -> None:
    processor = EventProcessor(fall_cancel_window=30.0)
    processor.handle(event_note(WristbandEventKind.FALL, 3), now=0.0)
    assert [type(o).__name__ for o in processor.flush_falls()] == ["AlertOut", "FallSettled"]


@pytest.mark.parametrize(
    ("kind", "expected_kind", "extra"),
    [
        pytest.param(WristbandEventKind.OFF_WRIST, "device", {"event": "off_wrist"}, id="off-wrist"),
        pytest.param(WristbandEventKind.ON_WRIST, "device", {"event": "on_wrist"}, id="on-wrist"),
        pytest.param(WristbandEventKind.LOW_BATTERY, "device", {"event": "low_battery"}, id="low-battery"),
    ],
)
def test_other_event_kinds_map_to_alerts(kind: WristbandEventKind, expected_kind: str,
                                         extra: dict[str, object]) -> None:
    out = EventProcessor().handle(event_note(kind, 9), now=0.0)
    assert out == [AlertOut(expected_kind, BAND, f"{BAND}:9:{CLOCK}", details(9, **extra))]


@pytest.mark.parametrize(
    ("characteristic", "payload", "expected"),
    [
        pytest.param(uuids.HEART_RATE_MEASUREMENT, encode_heart_rate(72, sensor_contact=True),
                     [ReadingOut(BAND, "heart_rate", 72.0, T0)], id="heart-rate"),
        pytest.param(uuids.HEART_RATE_MEASUREMENT, encode_heart_rate(0, sensor_contact=False), [],
                     id="heart-rate-off-wrist-dropped"),
        pytest.param(uuids.PLX_CONTINUOUS, encode_plx_continuous(97, 70),
                     [ReadingOut(BAND, "spo2", 97.0, T0)], id="spo2"),
        pytest.param(uuids.PLX_CONTINUOUS, encode_plx_continuous(None, 70), [], id="spo2-nan-dropped"),
        pytest.param(uuids.TEMPERATURE_MEASUREMENT, encode_temperature(36.55),
                     [ReadingOut(BAND, "temperature", 36.55, T0)], id="temperature"),
        pytest.param(uuids.BATTERY_LEVEL, encode_battery(41), [ReadingOut(BAND, "battery", 41.0, T0)],
                     id="battery"),
        pytest.param("0000aaaa-0000-1000-8000-00805f9b34fb", b"\x01", [], id="unknown-characteristic"),
    ],
)
def test_standard_characteristics_become_readings(characteristic: str, payload: bytes,
                                                  expected: list[ReadingOut]) -> None:
    assert EventProcessor().handle(Notification(BAND, characteristic, payload, T0), now=0.0) == expected


def test_malformed_payload_is_counted_not_raised() -> None:
    processor = EventProcessor()
    assert processor.handle(Notification(BAND, uuids.HEART_RATE_MEASUREMENT, b"\x10\x48\x00", T0), 0.0) == []
    assert processor.handle(Notification(BAND, uuids.ANXIN_EVENT, b"\xff", T0), 0.0) == []
    assert processor.stats(BAND).malformed == 2


def test_itag_presses_are_debounced() -> None:
    processor = EventProcessor(itag_debounce=2.0)
    note = Notification(BAND, uuids.ITAG_BUTTON, b"\x01", T0)
    first = processor.handle(note, now=10.0)
    event_id = f"{BAND}:itag:{int(T0.timestamp() * 1000)}"
    assert first == [AlertOut("sos", BAND, event_id, {"source": "itag", "button_code": 1}),
                     ItagPressed(BAND, event_id, T0)]
    assert processor.handle(note, now=11.0) == []
    assert len(processor.handle(note, now=12.5)) == 2
