"""GATT UUIDs the bridge knows, as full lowercase 128-bit strings (bleak's format)."""

from __future__ import annotations


def sig_uuid(short: int) -> str:
    """Expand a 16-bit Bluetooth SIG UUID to the 128-bit form bleak reports."""
    return f"{short:08x}-0000-1000-8000-00805f9b34fb"


HEART_RATE_SERVICE = sig_uuid(0x180D)
HEART_RATE_MEASUREMENT = sig_uuid(0x2A37)
PULSE_OXIMETER_SERVICE = sig_uuid(0x1822)
PLX_SPOT_CHECK = sig_uuid(0x2A5E)
PLX_CONTINUOUS = sig_uuid(0x2A5F)
BATTERY_SERVICE = sig_uuid(0x180F)
BATTERY_LEVEL = sig_uuid(0x2A19)
HEALTH_THERMOMETER_SERVICE = sig_uuid(0x1809)
TEMPERATURE_MEASUREMENT = sig_uuid(0x2A1C)
ITAG_SERVICE = sig_uuid(0xFFE0)
ITAG_BUTTON = sig_uuid(0xFFE1)

# Anxin vendor service (see docs/wristband-protocol.md). "616e78696e" is ASCII "anxin".
ANXIN_SERVICE = "7a4e0001-1c3b-4f6d-9a2e-616e78696e00"
ANXIN_EVENT = "7a4e0002-1c3b-4f6d-9a2e-616e78696e00"

WRISTBAND_SERVICES = frozenset(
    {HEART_RATE_SERVICE, PULSE_OXIMETER_SERVICE, HEALTH_THERMOMETER_SERVICE, ANXIN_SERVICE, ITAG_SERVICE}
)
"""Advertised services that mark a device as a (possible) wristband or SOS button."""
