"""Table-driven tests of the pure GATT decoders against captured-style payload constants."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from wearable.gatt import (
    BatteryLevel,
    HeartRateMeasurement,
    MalformedPayload,
    PlxContinuous,
    PlxSpotCheck,
    TemperatureMeasurement,
    decode_float,
    decode_sfloat,
    parse_battery_level,
    parse_heart_rate_measurement,
    parse_plx_continuous,
    parse_plx_spot_check,
    parse_temperature_measurement,
)

DECODES = [
    # Heart Rate Measurement 0x2A37
    pytest.param(
        parse_heart_rate_measurement, "0048", HeartRateMeasurement(bpm=72), id="hr-uint8-no-contact-support"
    ),
    pytest.param(
        parse_heart_rate_measurement,
        "0648",
        HeartRateMeasurement(bpm=72, sensor_contact=True),
        id="hr-contact-detected",
    ),
    pytest.param(
        parse_heart_rate_measurement,
        "0400",
        HeartRateMeasurement(bpm=0, sensor_contact=False),
        id="hr-contact-supported-not-detected",
    ),
    pytest.param(
        parse_heart_rate_measurement, "012c01", HeartRateMeasurement(bpm=300), id="hr-uint16-format"
    ),
    pytest.param(
        parse_heart_rate_measurement,
        "1e4d3412000400020003",
        HeartRateMeasurement(
            bpm=77, sensor_contact=True, energy_expended_kj=0x1234, rr_intervals_s=[1.0, 0.5, 0.75]
        ),
        id="hr-energy-and-three-rr",
    ),
    pytest.param(
        parse_heart_rate_measurement,
        "e048",
        HeartRateMeasurement(bpm=72),
        id="hr-ignores-reserved-flag-bits",
    ),
    # PLX Continuous 0x2A5F
    pytest.param(
        parse_plx_continuous, "0061004600", PlxContinuous(spo2=97.0, pulse_rate=70.0), id="plx-cont-minimal"
    ),
    pytest.param(
        parse_plx_continuous,
        "1f6100460062004700600045000080563412ff07",
        PlxContinuous(
            spo2=97.0,
            pulse_rate=70.0,
            spo2_fast=98.0,
            pulse_rate_fast=71.0,
            spo2_slow=96.0,
            pulse_rate_slow=69.0,
            measurement_status=0x8000,
            device_sensor_status=0x123456,
            pulse_amplitude_index=None,
        ),
        id="plx-cont-all-fields-pai-nan",
    ),
    pytest.param(
        parse_plx_continuous,
        "00ff070008",
        PlxContinuous(spo2=None, pulse_rate=None),
        id="plx-cont-nan-and-nres",
    ),
    pytest.param(
        parse_plx_continuous,
        "00d1f34600",
        PlxContinuous(spo2=97.7, pulse_rate=70.0),
        id="plx-cont-sfloat-negative-exponent",
    ),
    # PLX Spot-check 0x2A5E
    pytest.param(
        parse_plx_spot_check,
        "0162004800ea070b190e1e05",
        PlxSpotCheck(spo2=98.0, pulse_rate=72.0, timestamp=datetime(2026, 11, 25, 14, 30, 5)),
        id="plx-spot-with-timestamp",
    ),
    pytest.param(
        parse_plx_spot_check,
        "01620048000000000000000000"[:-2],
        PlxSpotCheck(spo2=98.0, pulse_rate=72.0, timestamp=None),
        id="plx-spot-timestamp-unknown",
    ),
    pytest.param(
        parse_plx_spot_check,
        "1e620048000100201000fe07",
        PlxSpotCheck(
            spo2=98.0,
            pulse_rate=72.0,
            measurement_status=0x0001,
            device_sensor_status=0x001020,
            pulse_amplitude_index=math.inf,
            device_clock_set=False,
        ),
        id="plx-spot-status-pai-infinity-clock-not-set",
    ),
    # Battery Level 0x2A19
    pytest.param(parse_battery_level, "55", BatteryLevel(percent=85), id="battery-85"),
    pytest.param(parse_battery_level, "00", BatteryLevel(percent=0), id="battery-empty"),
    pytest.param(parse_battery_level, "64", BatteryLevel(percent=100), id="battery-full"),
    # Temperature Measurement 0x2A1C
    pytest.param(
        parse_temperature_measurement,
        "006e0100ff",
        TemperatureMeasurement(celsius=36.6),
        id="temp-celsius-exponent-minus-one",
    ),
    pytest.param(
        parse_temperature_measurement,
        "01da0300ff",
        TemperatureMeasurement(celsius=(98.6 - 32) * 5 / 9),
        id="temp-fahrenheit-converted",
    ),
    pytest.param(
        parse_temperature_measurement,
        "066e0100ffea070b190e1e0502",
        TemperatureMeasurement(celsius=36.6, timestamp=datetime(2026, 11, 25, 14, 30, 5), location="body"),
        id="temp-timestamp-and-location",
    ),
    pytest.param(
        parse_temperature_measurement,
        "04ffff7f0063",
        TemperatureMeasurement(celsius=None, location="reserved_99"),
        id="temp-nan-reserved-location",
    ),
    pytest.param(
        parse_temperature_measurement,
        "01feff7f00",
        TemperatureMeasurement(celsius=math.inf),
        id="temp-fahrenheit-infinity-stays-infinite",
    ),
]


@pytest.mark.parametrize(("decoder", "hex_payload", "expected"), DECODES)
def test_decoder_returns_expected_object(
    decoder: Callable[[bytes], Any], hex_payload: str, expected: object
) -> None:
    assert decoder(bytes.fromhex(hex_payload)) == expected


REJECTS = [
    pytest.param(parse_heart_rate_measurement, "", id="hr-empty"),
    pytest.param(parse_heart_rate_measurement, "00", id="hr-missing-value"),
    pytest.param(parse_heart_rate_measurement, "0148", id="hr-uint16-truncated"),
    pytest.param(parse_heart_rate_measurement, "0848", id="hr-energy-flag-without-energy"),
    pytest.param(parse_heart_rate_measurement, "1048000400", id="hr-odd-rr-bytes"),
    pytest.param(parse_heart_rate_measurement, "1048", id="hr-rr-flag-without-rr"),
    pytest.param(parse_heart_rate_measurement, "004800", id="hr-trailing-byte"),
    pytest.param(parse_plx_continuous, "00610046", id="plx-cont-truncated-pulse"),
    pytest.param(parse_plx_continuous, "0161004600", id="plx-cont-fast-flag-without-fast"),
    pytest.param(parse_plx_continuous, "08610046000000", id="plx-cont-truncated-sensor-status"),
    pytest.param(parse_plx_spot_check, "0162004800ea070b19", id="plx-spot-truncated-timestamp"),
    pytest.param(parse_plx_spot_check, "0162004800ea070d190e1e05", id="plx-spot-month-13"),
    pytest.param(parse_plx_spot_check, "0162004800ea070b19181e05", id="plx-spot-hour-24"),
    pytest.param(parse_battery_level, "", id="battery-empty-payload"),
    pytest.param(parse_battery_level, "65", id="battery-101-percent"),
    pytest.param(parse_battery_level, "5500", id="battery-two-bytes"),
    pytest.param(parse_temperature_measurement, "006e0100", id="temp-truncated-float"),
    pytest.param(parse_temperature_measurement, "046e0100ff", id="temp-location-flag-without-location"),
    pytest.param(parse_temperature_measurement, "006e0100ff00", id="temp-trailing-byte"),
]


@pytest.mark.parametrize(("decoder", "hex_payload"), REJECTS)
def test_decoder_rejects_malformed_payload(decoder: Callable[[bytes], Any], hex_payload: str) -> None:
    with pytest.raises(MalformedPayload):
        decoder(bytes.fromhex(hex_payload))


def test_parse_heart_rate_rejects_truncated_rr_interval() -> None:
    with pytest.raises(MalformedPayload, match="RR-interval"):
        parse_heart_rate_measurement(bytes.fromhex("10480004" "00"))


def test_malformed_payload_is_a_value_error() -> None:
    assert issubclass(MalformedPayload, ValueError)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(0x0048, 72.0, id="positive-exponent-0"),
        pytest.param(0xF16D, 36.5, id="exponent-minus-1"),
        pytest.param(0x1001, 10.0, id="exponent-plus-1"),
        pytest.param(0x0FFF, -1.0, id="negative-mantissa"),
        pytest.param(0x8001, 1e-8, id="smallest-exponent"),
        pytest.param(0x07FF, None, id="nan"),
        pytest.param(0x0800, None, id="nres"),
        pytest.param(0x0801, None, id="reserved"),
        pytest.param(0x07FE, math.inf, id="plus-infinity"),
        pytest.param(0x0802, -math.inf, id="minus-infinity"),
    ],
)
def test_decode_sfloat(raw: int, expected: float | None) -> None:
    assert decode_sfloat(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(0xFF00016E, 36.6, id="exponent-minus-1"),
        pytest.param(0xFE000E4C, 36.6, id="exponent-minus-2"),
        pytest.param(0x02000003, 300.0, id="positive-exponent"),
        pytest.param(0x00FFFFFF, -1.0, id="negative-mantissa"),
        pytest.param(0x007FFFFF, None, id="nan"),
        pytest.param(0x00800000, None, id="nres"),
        pytest.param(0x00800001, None, id="reserved"),
        pytest.param(0x007FFFFE, math.inf, id="plus-infinity"),
        pytest.param(0x00800002, -math.inf, id="minus-infinity"),
    ],
)
def test_decode_float(raw: int, expected: float | None) -> None:
    assert decode_float(raw) == expected
