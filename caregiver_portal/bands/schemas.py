"""Request and response bodies of the wristband device API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from caregiver_portal.core.schemas import DeviceTimestamp

MAX_BANDS_PER_REPORT = 2000
BAND_ADDRESS = r"^[0-9A-Za-z:\-]+$"  # a MAC address (Linux) or a UUID (macOS)


class BandStatusIn(BaseModel):
    """What a bridge knows about one wristband right now."""

    model_config = ConfigDict(extra="forbid")
    address: str = Field(min_length=1, max_length=64, pattern=BAND_ADDRESS)
    connected: bool
    last_seen_at: DeviceTimestamp | None = None
    rssi: int | None = Field(default=None, ge=-127, le=20)
    battery_percent: int | None = Field(default=None, ge=0, le=100)


class BandStatusResult(BaseModel):
    """How a report was taken."""

    stored: int
    """Wristbands whose state was stored."""
    stale: int
    """Reports older than what another bridge reported for the same wristband (kept the newer)."""
    rejected: int
    """Reports with ``last_seen_at`` too far in the future (a bridge with a wrong clock)."""
    unknown_wristbands: list[str]
    """Addresses not registered at the bridge's site (ignored)."""


class NearbyBand(BaseModel):
    """A wristband heard near the site's bridge lately."""

    address: str
    resident_id: int | None
    rssi: int | None
    last_seen_at: datetime
    connected: bool
    battery_percent: int | None


class WristbandPublic(BaseModel):
    """A registered wristband of the device's site."""

    address: str
    resident_id: int | None
    label: str

