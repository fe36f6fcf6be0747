"""Property tests: every decoder either decodes or raises MalformedPayload, never anything else."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wearable import gatt
from wearable.encode import (
    encode_battery,
    encode_heart_rate,
    encode_plx_continuous,
    encode_temperature,
)
from wearable.vendor import WristbandEvent, WristbandEventKind, encode_wristband_event

DECODERS: list[Callable[[bytes], Any]] = [
    gatt.parse_heart_rate_measurement,
    gatt.parse_plx_continuous,
    gatt.parse_plx_spot_check,
    gatt.parse_battery_level,
    gatt.parse_temperature_measurement,
    gatt.parse_wristband_event,
    gatt.parse_itag_button,
]

VALID_SAMPLES = [
    "1e4d3412000400020003",
    "1f6100460062004700600045000080563412ff07",
    "1e620048000100201000fe07",
    "0162004800ea070b190e1e05",
    "066e0100ffea070b190e1e0502",
    "55",
    "01010700a0d2f569550d",
]


def _decode_or_malformed(decoder: Callable[[bytes], Any], payload: bytes) -> None:
    try:
        decoder(payload)
    except gatt.MalformedPayload:
        pass


@pytest.mark.parametrize("decoder", DECODERS, ids=lambda d: d.__name__)
@settings(max_examples=300, deadline=None)
@given(payload=st.binary(max_size=40))
def test_random_payload_decodes_or_raises_malformed(decoder: Callable[[bytes], Any], payload: bytes) -> None:
    _decode_or_malformed(decoder, payload)


@pytest.mark.parametrize("decoder", DECODERS, ids=lambda d: d.__name__)
@settings(max_examples=200, deadline=None)
@given(sample=st.sampled_from(VALID_SAMPLES), cut=st.integers(min_value=0, max_value=40), flip=st.integers(0, 255))
def test_truncated_or_mutated_payload_decodes_or_raises_malformed(
    decoder: Callable[[bytes], Any], sample: str, cut: int, flip: int
) -> None:
    payload = bytearray(bytes.fromhex(sample)[:cut])
    _decode_or_malformed(decoder, bytes(payload))
    if payload:
        payload[0] ^= flip
        _decode_or_malformed(decoder, bytes(payload))


@settings(max_examples=200, deadline=None)
@given(
    bpm=st.integers(0, 0xFFFF),
    contact=st.none() | st.booleans(),
    energy=st.none() | st.integers(0, 0xFFFF),
    rr_raw=st.lists(st.integers(0, 0xFFFF), max_size=8),
)
def test_heart_rate_round_trips(bpm: int, contact: bool | None, energy: int | None, rr_raw: list[int]) -> None:
    rr = [raw / 1024 for raw in rr_raw]
    decoded = gatt.parse_heart_rate_measurement(
        encode_heart_rate(bpm, sensor_contact=contact, energy_expended_kj=energy, rr_intervals_s=rr)
    )
    assert decoded == gatt.HeartRateMeasurement(bpm, contact, energy, rr)


@settings(max_examples=100, deadline=None)
@given(spo2=st.integers(0, 100), pulse=st.integers(0, 250))
def test_plx_continuous_round_trips(spo2: int, pulse: int) -> None:
    assert gatt.parse_plx_continuous(encode_plx_continuous(spo2, pulse)) == gatt.PlxContinuous(spo2, pulse)


@settings(max_examples=100, deadline=None)
@given(centi=st.integers(-5000, 5000), location=st.none() | st.integers(0, 255))
def test_temperature_round_trips(centi: int, location: int | None) -> None:
    decoded = gatt.parse_temperature_measurement(encode_temperature(centi / 100, location_code=location))
    assert decoded.celsius is not None and math.isclose(decoded.celsius, centi / 100, abs_tol=1e-9)
    assert (decoded.location is None) == (location is None)


@given(percent=st.integers(0, 100))
def test_battery_round_trips(percent: int) -> None:
    assert gatt.parse_battery_level(encode_battery(percent)) == gatt.BatteryLevel(percent)


@given(
    kind=st.sampled_from(list(WristbandEventKind)),
    seq=st.integers(0, 0xFFFF),
    clock=st.integers(0, 0xFFFFFFFF),
    battery=st.none() | st.integers(0, 100),
    worn=st.booleans(),
    charging=st.booleans(),
    retransmission=st.booleans(),
)
def test_wristband_event_round_trips(
    kind: WristbandEventKind,
    seq: int,
    clock: int,
    battery: int | None,
    worn: bool,
    charging: bool,
    retransmission: bool,
) -> None:
    event = WristbandEvent(kind, seq, clock, battery, worn, charging, retransmission)
    assert gatt.parse_wristband_event(encode_wristband_event(event)) == event
