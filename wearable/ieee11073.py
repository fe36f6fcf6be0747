"""IEEE-11073 SFLOAT / FLOAT, and a bounds-checked payload reader for the GATT decoders (pure)."""

from __future__ import annotations

import math
import struct
from datetime import datetime

from wearable.errors import MalformedPayload

UINT8 = struct.Struct("<B")
UINT16 = struct.Struct("<H")
UINT24_BYTES = 3
SFLOAT = struct.Struct("<H")
FLOAT = struct.Struct("<I")
DATE_TIME = struct.Struct("<HBBBBB")  # 0x2A08: year, month, day, hours, minutes, seconds

# IEEE 11073-20601 special values (exponent 0). NaN, NRes and the reserved
# value carry no measurement; the infinities are kept as float infinities.
_SFLOAT_SPECIAL: dict[int, float | None] = {
    0x07FF: None,  # NaN
    0x0800: None,  # NRes (not at this resolution)
    0x0801: None,  # reserved for future use
    0x07FE: math.inf,
    0x0802: -math.inf,
}
_FLOAT_SPECIAL: dict[int, float | None] = {
    0x007FFFFF: None,  # NaN
    0x00800000: None,  # NRes
    0x00800001: None,  # reserved for future use
    0x007FFFFE: math.inf,
    0x00800002: -math.inf,
}

def _signed(raw: int, bits: int) -> int:
    """Interpret the low ``bits`` of ``raw`` as a two's-complement integer."""
    return raw - (1 << bits) if raw & (1 << (bits - 1)) else raw


def _scale(mantissa: int, exponent: int) -> float:
    # Dividing by a power of ten keeps 365e-1 exactly 36.5 (multiplying by 0.1 would not).
    return mantissa / 10 ** (-exponent) if exponent < 0 else float(mantissa * 10**exponent)


def decode_sfloat(raw: int) -> float | None:
    """Decode a 16-bit IEEE-11073 SFLOAT; NaN / NRes / reserved give ``None``."""
    if raw in _SFLOAT_SPECIAL:
        return _SFLOAT_SPECIAL[raw]
    return _scale(_signed(raw & 0x0FFF, 12), _signed(raw >> 12, 4))


def decode_float(raw: int) -> float | None:
    """Decode a 32-bit IEEE-11073 FLOAT; NaN / NRes / reserved give ``None``."""
    if raw in _FLOAT_SPECIAL:
        return _FLOAT_SPECIAL[raw]
    return _scale(_signed(raw & 0xFFFFFF, 24), _signed(raw >> 24, 8))


class PayloadReader:
    """Cursor over a payload that raises MalformedPayload when it runs short."""

    def __init__(self, data: bytes, what: str) -> None:
        self.data = bytes(data)
        self.offset = 0
        self.what = what

    def take(self, size: int, field_name: str) -> bytes:
        end = self.offset + size
        if end > len(self.data):
            raise MalformedPayload(
                f"{self.what}: truncated {field_name} (need {size} bytes at offset "
                f"{self.offset}, payload has {len(self.data)})"
            )
        chunk = self.data[self.offset : end]
        self.offset = end
        return chunk

    def unpack(self, fmt: struct.Struct, field_name: str) -> tuple[int, ...]:
        return fmt.unpack(self.take(fmt.size, field_name))

    def uint8(self, field_name: str) -> int:
        return self.unpack(UINT8, field_name)[0]

    def uint16(self, field_name: str) -> int:
        return self.unpack(UINT16, field_name)[0]

    def uint24(self, field_name: str) -> int:
        return int.from_bytes(self.take(UINT24_BYTES, field_name), "little")

    def sfloat(self, field_name: str) -> float | None:
        return decode_sfloat(self.unpack(SFLOAT, field_name)[0])

    def float32(self, field_name: str) -> float | None:
        return decode_float(self.unpack(FLOAT, field_name)[0])

    def remaining(self) -> int:
        return len(self.data) - self.offset

    def finish(self) -> None:
        if self.remaining():
            raise MalformedPayload(f"{self.what}: {self.remaining()} unexpected trailing byte(s)")


def read_date_time(reader: PayloadReader) -> datetime | None:
    """Decode a Date Time (0x2A08); ``None`` when the device says year/month/day unknown."""
    year, month, day, hours, minutes, seconds = reader.unpack(DATE_TIME, "timestamp")
    if year == 0 or month == 0 or day == 0:
        return None
    try:
        return datetime(year, month, day, hours, minutes, seconds)
    except ValueError as exc:
        raise MalformedPayload(f"{reader.what}: invalid timestamp: {exc}") from exc
