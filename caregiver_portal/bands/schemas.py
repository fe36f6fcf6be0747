"""Request and response bodies of the wristband device API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from caregiver_portal.core.schemas import MeasuredAt

MAX_BANDS_PER_REPORT = 2000
BAND_ADDRESS = r"^[0-9A-Za-z:\-]+$"  # a MAC address (Linux) or a UUID (macOS)


class BandStatusIn(BaseModel):
    """What a bridge knows about one wristband right now."""

    model_config = ConfigDict(extra="forbid")
    address: str = Field(min_length=1, max_length=64, pattern=BAND_ADDRESS)
    connected: bool
    last_seen_at: MeasuredAt | None = None
    rssi: StrictInt | None = Field(default=None, ge=-2**31, le=2**31 - 1,
                                   description="dBm; outside -127..20 the entry is counted in rejected")
    battery_percent: StrictInt | None = Field(default=None, ge=-2**31, le=2**31 - 1,
                                              description="%; outside 0..100 the entry is counted in rejected")


class BandStatusResult(BaseModel):
    """How a report was taken."""

    stored: int
    """Wristbands whose state was stored."""
    stale: int
    """Reports older than what another bridge reported for the same wristband (kept the newer)."""
    rejected: int
    """Reports not stored: ``last_seen_at`` too far in the future (a bridge with a wrong clock), an RSSI or battery
    level outside its physical range."""
    rejected_by_kind: dict[str, int] = Field(default_factory=dict)
    """The same, per field that was wrong: ``last_seen_at``, ``rssi``, ``battery_percent``."""
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

