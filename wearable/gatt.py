"""Pure decoders for the GATT characteristics an Anxin wristband offers.

No I/O and no bleak import: every decoder takes the raw ``bytes`` of one
notification / indication / read and returns a small frozen dataclass, or
raises :class:`MalformedPayload` (a ``ValueError``) when the bytes do not
follow the characteristic's format. Reserved-for-future-use flag bits are
ignored as the Bluetooth specifications ask; trailing bytes that no flag
announces are rejected.

Standard characteristics (Bluetooth SIG):

- Heart Rate Measurement 0x2A37 -> :func:`parse_heart_rate_measurement`
- PLX Continuous Measurement 0x2A5F -> :func:`parse_plx_continuous`
- PLX Spot-check Measurement 0x2A5E -> :func:`parse_plx_spot_check`
- Battery Level 0x2A19 -> :func:`parse_battery_level`
- Temperature Measurement 0x2A1C -> :func:`parse_temperature_measurement`

The vendor SOS / fall event and the iTAG button live in :mod:`wearable.vendor`
and are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wearable.errors import MalformedPayload
from wearable.ieee11073 import (
    DATE_TIME,
    FLOAT,
    SFLOAT,
    UINT8,
    UINT16,
    PayloadReader,
    decode_float,
    decode_sfloat,
    read_date_time,
)
from wearable.vendor import (
    ItagButtonPress,
    WristbandEvent,
    WristbandEventKind,
    parse_itag_button,
    parse_wristband_event,
)

__all__ = [
    "MalformedPayload",
    "HeartRateMeasurement",
    "PlxContinuous",
    "PlxSpotCheck",
    "BatteryLevel",
    "TemperatureMeasurement",
    "ItagButtonPress",
    "WristbandEvent",
    "WristbandEventKind",
    "decode_sfloat",
    "decode_float",
    "parse_heart_rate_measurement",
    "parse_plx_continuous",
    "parse_plx_spot_check",
    "parse_battery_level",
    "parse_temperature_measurement",
    "parse_itag_button",
    "parse_wristband_event",
    "DATE_TIME",
    "FLOAT",
    "SFLOAT",
    "UINT8",
    "UINT16",
]

RR_INTERVAL_UNIT_S = 1024.0

# Temperature Type (0x2A1D) codes.
TEMPERATURE_LOCATIONS: dict[int, str] = {
    1: "armpit",
    2: "body",
    3: "ear",
    4: "finger",
    5: "gastrointestinal_tract",
    6: "mouth",
    7: "rectum",
    8: "toe",
    9: "tympanum",
}



@dataclass(frozen=True, slots=True)
class HeartRateMeasurement:
    """Heart Rate Measurement (0x2A37)."""

    bpm: int
    """Heart rate in beats per minute."""
    sensor_contact: bool | None = None
    """Skin contact detected; ``None`` when the band does not support contact detection."""
    energy_expended_kj: int | None = None
    """Accumulated energy expended in kilojoules, when present."""
    rr_intervals_s: list[float] = field(default_factory=list)
    """RR intervals in seconds (raw value / 1024), oldest first."""


def parse_heart_rate_measurement(data: bytes) -> HeartRateMeasurement:
    """Decode a Heart Rate Measurement (0x2A37) notification."""
    reader = PayloadReader(data, "heart rate measurement")
    flags = reader.uint8("flags")
    bpm = reader.uint16("heart rate") if flags & 0x01 else reader.uint8("heart rate")
    contact = bool(flags & 0x02) if flags & 0x04 else None
    energy = reader.uint16("energy expended") if flags & 0x08 else None
    rr: list[float] = []
    if flags & 0x10:
        if reader.remaining() == 0 or reader.remaining() % UINT16.size:
            raise MalformedPayload(
                f"heart rate measurement: RR-interval field has {reader.remaining()} bytes, "
                "expected a non-zero multiple of 2"
            )
        while reader.remaining():
            rr.append(reader.uint16("RR interval") / RR_INTERVAL_UNIT_S)
    reader.finish()
    return HeartRateMeasurement(bpm=bpm, sensor_contact=contact, energy_expended_kj=energy, rr_intervals_s=rr)


@dataclass(frozen=True, slots=True)
class PlxContinuous:
    """PLX Continuous Measurement (0x2A5F); ``None`` values mean NaN / NRes."""

    spo2: float | None
    """SpO2 (normal averaging) in percent."""
    pulse_rate: float | None
    """Pulse rate (normal averaging) in beats per minute."""
    spo2_fast: float | None = None
    """SpO2 with fast averaging, when present."""
    pulse_rate_fast: float | None = None
    """Pulse rate with fast averaging, when present."""
    spo2_slow: float | None = None
    """SpO2 with slow averaging, when present."""
    pulse_rate_slow: float | None = None
    """Pulse rate with slow averaging, when present."""
    measurement_status: int | None = None
    """Measurement Status bit field (16 bits), when present."""
    device_sensor_status: int | None = None
    """Device and Sensor Status bit field (24 bits), when present."""
    pulse_amplitude_index: float | None = None
    """Pulse amplitude index in percent, when present."""


def parse_plx_continuous(data: bytes) -> PlxContinuous:
    """Decode a PLX Continuous Measurement (0x2A5F) notification."""
    reader = PayloadReader(data, "PLX continuous measurement")
    flags = reader.uint8("flags")
    spo2, pulse = reader.sfloat("SpO2"), reader.sfloat("pulse rate")
    fast = (reader.sfloat("SpO2 fast"), reader.sfloat("pulse rate fast")) if flags & 0x01 else (None, None)
    slow = (reader.sfloat("SpO2 slow"), reader.sfloat("pulse rate slow")) if flags & 0x02 else (None, None)
    status = reader.uint16("measurement status") if flags & 0x04 else None
    sensor = reader.uint24("device and sensor status") if flags & 0x08 else None
    pai = reader.sfloat("pulse amplitude index") if flags & 0x10 else None
    reader.finish()
    return PlxContinuous(
        spo2=spo2,
        pulse_rate=pulse,
        spo2_fast=fast[0],
        pulse_rate_fast=fast[1],
        spo2_slow=slow[0],
        pulse_rate_slow=slow[1],
        measurement_status=status,
        device_sensor_status=sensor,
        pulse_amplitude_index=pai,
    )


@dataclass(frozen=True, slots=True)
class PlxSpotCheck:
    """PLX Spot-check Measurement (0x2A5E); ``None`` values mean NaN / NRes / absent."""

    spo2: float | None
    """SpO2 in percent."""
    pulse_rate: float | None
    """Pulse rate in beats per minute."""
    timestamp: datetime | None = None
    """Device-local time of the measurement (naive), when present and set."""
    measurement_status: int | None = None
    """Measurement Status bit field (16 bits), when present."""
    device_sensor_status: int | None = None
    """Device and Sensor Status bit field (24 bits), when present."""
    pulse_amplitude_index: float | None = None
    """Pulse amplitude index in percent, when present."""
    device_clock_set: bool = True
    """False when the flags say the device clock is not set (timestamp unreliable)."""


def parse_plx_spot_check(data: bytes) -> PlxSpotCheck:
    """Decode a PLX Spot-check Measurement (0x2A5E) indication."""
    reader = PayloadReader(data, "PLX spot-check measurement")
    flags = reader.uint8("flags")
    spo2, pulse = reader.sfloat("SpO2"), reader.sfloat("pulse rate")
    timestamp = read_date_time(reader) if flags & 0x01 else None
    status = reader.uint16("measurement status") if flags & 0x02 else None
    sensor = reader.uint24("device and sensor status") if flags & 0x04 else None
    pai = reader.sfloat("pulse amplitude index") if flags & 0x08 else None
    reader.finish()
    return PlxSpotCheck(
        spo2=spo2,
        pulse_rate=pulse,
        timestamp=timestamp,
        measurement_status=status,
        device_sensor_status=sensor,
        pulse_amplitude_index=pai,
        device_clock_set=not flags & 0x10,
    )


@dataclass(frozen=True, slots=True)
class BatteryLevel:
    """Battery Level (0x2A19)."""

    percent: int
    """Remaining charge, 0-100 %."""


def parse_battery_level(data: bytes) -> BatteryLevel:
    """Decode a Battery Level (0x2A19) read or notification."""
    reader = PayloadReader(data, "battery level")
    percent = reader.uint8("level")
    reader.finish()
    if percent > 100:
        raise MalformedPayload(f"battery level: {percent}% is out of range 0-100")
    return BatteryLevel(percent=percent)


@dataclass(frozen=True, slots=True)
class TemperatureMeasurement:
    """Temperature Measurement (0x2A1C), always in degrees Celsius."""

    celsius: float | None
    """Temperature in °C (converted from °F when the band sends Fahrenheit); None for NaN/NRes."""
    timestamp: datetime | None = None
    """Device-local time of the measurement (naive), when present and set."""
    location: str | None = None
    """Body location from the Temperature Type table (``"armpit"``, ``"finger"``...) or
    ``"reserved_<code>"`` for codes the specification reserves; None when absent."""


def parse_temperature_measurement(data: bytes) -> TemperatureMeasurement:
    """Decode a Temperature Measurement (0x2A1C) indication."""
    reader = PayloadReader(data, "temperature measurement")
    flags = reader.uint8("flags")
    value = reader.float32("temperature")
    timestamp = read_date_time(reader) if flags & 0x02 else None
    location = None
    if flags & 0x04:
        code = reader.uint8("temperature type")
        location = TEMPERATURE_LOCATIONS.get(code, f"reserved_{code}")
    reader.finish()
    if flags & 0x01 and value is not None:
        value = (value - 32.0) * 5.0 / 9.0
    return TemperatureMeasurement(celsius=value, timestamp=timestamp, location=location)
