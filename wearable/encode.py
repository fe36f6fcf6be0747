"""Pure encoders for the standard characteristics: what a wristband would send.

Used by the simulator and by round-trip tests of :mod:`wearable.gatt`.
"""

from __future__ import annotations

import math
from datetime import datetime

from wearable.ieee11073 import DATE_TIME, FLOAT, SFLOAT, UINT8, UINT16

SFLOAT_NAN = 0x07FF
FLOAT_NAN = 0x007FFFFF


def encode_sfloat(value: float | None, exponent: int = -1) -> int:
    """Encode a value as a raw 16-bit SFLOAT with the given base-10 exponent (None -> NaN)."""
    if value is None or math.isnan(value):
        return SFLOAT_NAN
    if math.isinf(value):
        return 0x07FE if value > 0 else 0x0802
    mantissa = round(value * 10 ** (-exponent))
    if not -2046 <= mantissa <= 2045 or not -8 <= exponent <= 7:
        raise ValueError(f"{value} does not fit an SFLOAT with exponent {exponent}")
    return ((exponent & 0x0F) << 12) | (mantissa & 0x0FFF)


def encode_float(value: float | None, exponent: int = -2) -> int:
    """Encode a value as a raw 32-bit FLOAT with the given base-10 exponent (None -> NaN)."""
    if value is None or math.isnan(value):
        return FLOAT_NAN
    if math.isinf(value):
        return 0x007FFFFE if value > 0 else 0x00800002
    mantissa = round(value * 10 ** (-exponent))
    if not -(2**23) + 3 <= mantissa <= 2**23 - 3 or not -128 <= exponent <= 127:
        raise ValueError(f"{value} does not fit a FLOAT with exponent {exponent}")
    return ((exponent & 0xFF) << 24) | (mantissa & 0xFFFFFF)


def encode_heart_rate(
    bpm: int,
    *,
    sensor_contact: bool | None = None,
    energy_expended_kj: int | None = None,
    rr_intervals_s: list[float] | None = None,
) -> bytes:
    """Encode a Heart Rate Measurement (0x2A37)."""
    flags = 0x01 if bpm > 0xFF else 0
    if sensor_contact is not None:
        flags |= 0x04 | (0x02 if sensor_contact else 0)
    body = UINT16.pack(bpm) if bpm > 0xFF else UINT8.pack(bpm)
    if energy_expended_kj is not None:
        flags |= 0x08
        body += UINT16.pack(energy_expended_kj)
    if rr_intervals_s:
        flags |= 0x10
        body += b"".join(UINT16.pack(round(rr * 1024)) for rr in rr_intervals_s)
    return UINT8.pack(flags) + body


def encode_plx_continuous(spo2: float | None, pulse_rate: float | None) -> bytes:
    """Encode a minimal PLX Continuous Measurement (0x2A5F): flags 0, SpO2 and pulse rate."""
    return UINT8.pack(0) + SFLOAT.pack(encode_sfloat(spo2, 0)) + SFLOAT.pack(encode_sfloat(pulse_rate, 0))


def encode_date_time(moment: datetime) -> bytes:
    """Encode a Date Time (0x2A08)."""
    return DATE_TIME.pack(moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def encode_plx_spot_check(spo2: float | None, pulse_rate: float | None, timestamp: datetime | None) -> bytes:
    """Encode a PLX Spot-check Measurement (0x2A5E) with an optional timestamp."""
    flags = 0x01 if timestamp is not None else 0
    body = SFLOAT.pack(encode_sfloat(spo2, 0)) + SFLOAT.pack(encode_sfloat(pulse_rate, 0))
    if timestamp is not None:
        body += encode_date_time(timestamp)
    return UINT8.pack(flags) + body


def encode_temperature(
    celsius: float | None, *, timestamp: datetime | None = None, location_code: int | None = None
) -> bytes:
    """Encode a Temperature Measurement (0x2A1C) in °C."""
    flags = (0x02 if timestamp is not None else 0) | (0x04 if location_code is not None else 0)
    body = FLOAT.pack(encode_float(celsius, -2))
    if timestamp is not None:
        body += encode_date_time(timestamp)
    if location_code is not None:
        body += UINT8.pack(location_code)
    return UINT8.pack(flags) + body


def encode_battery(percent: int) -> bytes:
    """Encode a Battery Level (0x2A19)."""
    return UINT8.pack(percent)
