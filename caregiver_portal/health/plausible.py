"""Which readings can be true (pure): a wristband that reports a heart rate of -1000 or an SpO2 of 5000 is broken
or lying, and such a reading is refused and counted, never stored or used by a health rule."""

from __future__ import annotations

READING_RANGES: dict[str, tuple[float, float]] = {
    "heart_rate": (20.0, 300.0),    # beats per minute
    "spo2": (50.0, 100.0),          # % oxygen saturation
    "temperature": (25.0, 45.0),    # °C, skin or body
    "battery": (0.0, 100.0),        # % charge
}
"""Inclusive (lowest, highest) value of each reading kind that a living wearer and a working band can give."""


def plausible(kind: str, value: float) -> bool:
    """Whether ``value`` is within the range of ``kind`` (an unknown kind is never plausible)."""
    low, high = READING_RANGES.get(kind, (1.0, 0.0))
    return low <= value <= high
