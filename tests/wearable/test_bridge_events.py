"""The pure event processor: dedup, gaps, fall cancel window, check-ins, readings, iTAG debounce."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.wearable.bands import BAND, CLOCK, CLOCK_AT, T0, SealingBand, indication
from wearable import uuids
from wearable.encode import encode_battery, encode_heart_rate, encode_plx_continuous, encode_temperature
from wearable.events import (
    FALL_CANCELLED_REASON,
    SOS_CANCELLED_REASON,
    AlertOut,
    CancelOut,
    CheckInOut,
    EventProcessor,
    FallHeld,
    FallSettled,
    ItagPressed,
    Notification,
    ReadingOut,
)
from wearable.keys import Enrolment, Scheme
from wearable.vendor import WristbandEventKind


@pytest.fixture
def band() -> SealingBand:
    return SealingBand()


def processor_for(band: SealingBand, **options: float) -> EventProcessor:
    return EventProcessor(enrolments=[band.enrolment], **options)


def details(seq: int, **extra: object) -> dict[str, object]:
    return {"seq": seq, "band_clock": CLOCK, "battery": 80, "worn": True, "via": "gatt", "radio": "adapter",
            "authenticated": True, **extra}


def alert(kind: str, seq: int, **extra: object) -> AlertOut:
    return AlertOut(kind, BAND, f"{BAND}:{seq}:{CLOCK}", details(seq, **extra), occurred_at=CLOCK_AT)


def test_sos_becomes_alert_with_deterministic_event_id_and_the_press_time(band: SealingBand) -> None:
    processor = processor_for(band)
    out = processor.handle(band.note(WristbandEventKind.SOS, 7), now=0.0)
    assert out == [alert("sos", 7)]


def test_double_press_is_a_check_in(band: SealingBand) -> None:
    processor = processor_for(band)
    out = processor.handle(band.note(WristbandEventKind.CHECK_IN, 3), now=0.0)
    assert out == [CheckInOut(BAND, f"{BAND}:3:{CLOCK}", CLOCK_AT, "adapter")]
    assert processor.stats(BAND).check_ins == 1


def test_status_frame_updates_presence_and_battery_only(band: SealingBand) -> None:
    processor = processor_for(band)
    assert processor.handle(band.advert(WristbandEventKind.STATUS, 1, radio="proxy:home", rssi=-71), now=0.0) == []
    stats = processor.stats(BAND)
    assert (stats.last_heard_at, stats.radio, stats.rssi, stats.battery_percent) == (T0, "proxy:home", -71, 80)


def test_presence_comes_from_whichever_radio_heard_the_band_last(band: SealingBand) -> None:
    processor = processor_for(band)
    later = T0 + timedelta(minutes=5)
    processor.handle(band.advert(WristbandEventKind.STATUS, 1, radio="adapter", rssi=-58), now=0.0)
    processor.handle(band.advert(WristbandEventKind.STATUS, 2, at=later, radio="proxy:home", rssi=-83), now=300.0)
    stats = processor.stats(BAND)
    assert (stats.last_heard_at, stats.radio, stats.rssi) == (later, "proxy:home", -83)  # at home now
    back = later + timedelta(minutes=5)
    processor.handle(band.advert(WristbandEventKind.STATUS, 3, at=back, radio="adapter", rssi=-61), now=600.0)
    stats = processor.stats(BAND)
    assert (stats.last_heard_at, stats.radio, stats.rssi) == (back, "adapter", -61)  # back in the hall


def test_resent_indication_and_advertisement_mirror_are_deduplicated(band: SealingBand) -> None:
    processor = processor_for(band)
    frame = band.frame(WristbandEventKind.SOS, 7)
    first = processor.handle(indication(BAND, frame), now=0.0)
    assert [a.event_id for a in first] == [f"{BAND}:7:{CLOCK}"]  # type: ignore[union-attr]
    assert processor.handle(indication(BAND, frame), now=0.1) == []
    retransmitted = band.note(WristbandEventKind.SOS, 7, retransmission=True)  # a new frame, the same event
    assert processor.handle(retransmitted, now=0.2) == []
    assert processor.stats(BAND).duplicates == 2


def test_sequence_gap_is_counted_and_reported_in_details(band: SealingBand) -> None:
    processor = processor_for(band)
    processor.handle(band.note(WristbandEventKind.SOS, 1), now=0.0)
    out = processor.handle(band.note(WristbandEventKind.SOS, 5), now=1.0)
    assert out[0].details["missed_events"] == 3  # type: ignore[union-attr]
    assert processor.stats(BAND).missed_events == 3


def test_late_event_filling_a_gap_is_still_forwarded(band: SealingBand) -> None:
    processor = processor_for(band)
    processor.handle(band.note(WristbandEventKind.SOS, 1), now=0.0)
    processor.handle(band.note(WristbandEventKind.SOS, 3), now=0.0)
    out = processor.handle(band.note(WristbandEventKind.SOS, 2), now=0.0)
    assert [a.kind for a in out] == ["sos"]  # type: ignore[union-attr]
    assert processor.stats(BAND).late_events == 1


def test_sequence_wraps_without_a_gap(band: SealingBand) -> None:
    processor = processor_for(band)
    processor.handle(band.note(WristbandEventKind.SOS, 0xFFFF), now=0.0)
    out = processor.handle(band.note(WristbandEventKind.SOS, 0), now=0.0)
    assert "missed_events" not in out[0].details  # type: ignore[union-attr]


def test_fall_waits_for_cancel_window_then_forwards(band: SealingBand) -> None:
    processor = processor_for(band, fall_cancel_window=30.0)
    assert processor.handle(band.note(WristbandEventKind.FALL, 3), now=100.0) == [
        FallHeld(alert("fall", 3), T0, T0 + timedelta(seconds=30)),
    ]
    assert processor.next_deadline() == 130.0
    assert processor.due(129.9) == []
    assert processor.due(130.0) == [alert("fall", 3, cancelled=False), FallSettled(BAND, f"{BAND}:3:{CLOCK}")]
    assert processor.next_deadline() is None


def test_fall_cancelled_within_window_is_recorded_as_cancelled_non_emergency(band: SealingBand) -> None:
    processor = processor_for(band, fall_cancel_window=30.0)
    processor.handle(band.note(WristbandEventKind.FALL, 3), now=100.0)
    out = processor.handle(band.note(WristbandEventKind.FALL_CANCELLED, 4), now=112.0)
    fall_id = f"{BAND}:3:{CLOCK}"
    cancelled = alert("fall", 3, cancelled=True, cancelled_after_s=12.0)
    assert out == [
        AlertOut(cancelled.kind, BAND, fall_id, cancelled.details, emergency=False, occurred_at=CLOCK_AT),
        CancelOut(BAND, fall_id, FALL_CANCELLED_REASON),
        FallSettled(BAND, fall_id),
    ]
    assert processor.due(200.0) == []


def test_fall_cancelled_after_window_cancels_the_forwarded_fall(band: SealingBand) -> None:
    processor = processor_for(band, fall_cancel_window=30.0)
    processor.handle(band.note(WristbandEventKind.FALL, 3), now=100.0)
    processor.due(130.0)
    out = processor.handle(band.note(WristbandEventKind.FALL_CANCELLED, 4), now=140.0)
    assert out == [CancelOut(BAND, f"{BAND}:3:{CLOCK}", FALL_CANCELLED_REASON)]


def test_sos_cancelled_on_band_cancels_the_forwarded_sos(band: SealingBand) -> None:
    processor = processor_for(band)
    processor.handle(band.note(WristbandEventKind.SOS, 3), now=0.0)
    out = processor.handle(band.note(WristbandEventKind.SOS_CANCELLED, 4), now=5.0)
    assert out == [CancelOut(BAND, f"{BAND}:3:{CLOCK}", SOS_CANCELLED_REASON)]


def test_cancel_without_forwarded_alert_does_nothing(band: SealingBand) -> None:
    processor = processor_for(band)
    assert processor.handle(band.note(WristbandEventKind.SOS_CANCELLED, 4), now=5.0) == []
    assert processor.handle(band.note(WristbandEventKind.FALL_CANCELLED, 5), now=5.0) == []


def test_zero_cancel_window_forwards_fall_at_once(band: SealingBand) -> None:
    processor = processor_for(band, fall_cancel_window=0)
    out = processor.handle(band.note(WristbandEventKind.FALL, 3), now=0.0)
    assert [a.details["cancelled"] for a in out] == [False]  # type: ignore[union-attr]


def test_flush_falls_forwards_falls_still_in_window(band: SealingBand) -> None:
    processor = processor_for(band, fall_cancel_window=30.0)
    processor.handle(band.note(WristbandEventKind.FALL, 3), now=0.0)
    assert [type(o).__name__ for o in processor.flush_falls()] == ["AlertOut", "FallSettled"]


@pytest.mark.parametrize(
    ("kind", "expected_kind", "extra"),
    [
        pytest.param(WristbandEventKind.OFF_WRIST, "device", {"event": "off_wrist"}, id="off-wrist"),
        pytest.param(WristbandEventKind.ON_WRIST, "device", {"event": "on_wrist"}, id="on-wrist"),
        pytest.param(WristbandEventKind.LOW_BATTERY, "device", {"event": "low_battery"}, id="low-battery"),
    ],
)
def test_other_event_kinds_map_to_alerts(band: SealingBand, kind: WristbandEventKind, expected_kind: str,
                                         extra: dict[str, object]) -> None:
    out = processor_for(band).handle(band.note(kind, 9), now=0.0)
    assert out == [alert(expected_kind, 9, **extra)]


def test_band_clock_not_set_gives_the_receive_time(band: SealingBand) -> None:
    out = processor_for(band).handle(band.note(WristbandEventKind.SOS, 1, clock=12), now=0.0)
    assert out[0].occurred_at == T0  # type: ignore[union-attr]


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
@pytest.mark.parametrize("scheme", [Scheme.HRS, Scheme.ANXIN])
def test_standard_characteristics_become_readings(characteristic: str, payload: bytes,
                                                  expected: list[ReadingOut], scheme: Scheme) -> None:
    key = SealingBand().key if scheme is Scheme.ANXIN else None
    processor = EventProcessor(enrolments=[Enrolment(BAND, scheme, key)])
    assert processor.handle(Notification(BAND, characteristic, payload, T0), now=0.0) == expected


def test_malformed_payload_is_counted_not_raised(band: SealingBand) -> None:
    processor = processor_for(band)
    assert processor.handle(Notification(BAND, uuids.HEART_RATE_MEASUREMENT, b"\x10\x48\x00", T0), 0.0) == []
    assert processor.stats(BAND).malformed == 1


def test_bands_not_served_are_ignored() -> None:
    processor = EventProcessor()
    assert processor.handle(Notification(BAND, uuids.ITAG_BUTTON, b"\x01", T0), now=0.0) == []
    assert processor.stats(BAND).notifications == 0


def test_itag_presses_are_debounced_and_marked_unauthenticated() -> None:
    processor = EventProcessor(itag_debounce=2.0, enrolments=[Enrolment(BAND, Scheme.ITAG)])
    note = Notification(BAND, uuids.ITAG_BUTTON, b"\x01", T0)
    first = processor.handle(note, now=10.0)
    event_id = f"{BAND}:itag:{int(T0.timestamp() * 1000)}"
    assert first == [AlertOut("sos", BAND, event_id, {"source": "itag", "button_code": 1, "radio": "adapter",
                                                       "authenticated": False}, occurred_at=T0),
                     ItagPressed(BAND, event_id, T0)]
    assert processor.handle(note, now=11.0) == []
    assert len(processor.handle(note, now=12.5)) == 2


def test_itag_press_from_a_band_enrolled_with_a_key_is_refused(band: SealingBand) -> None:
    processor = processor_for(band)
    assert processor.handle(Notification(BAND, uuids.ITAG_BUTTON, b"\x01", T0), now=0.0) == []
    assert processor.stats(BAND).refused["plaintext"] == 1
