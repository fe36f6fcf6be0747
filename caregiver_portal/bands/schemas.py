"""Request and response bodies of the wristband device API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from caregiver_portal.core.schemas import MeasuredAt, PlainText, WholeNumber, check_text

MAX_BANDS_PER_REPORT = 2000
MAX_UNKNOWN_PER_REPORT = 500
BAND_ADDRESS = r"^[0-9A-Za-z:\-]+$"  # a MAC address (Linux) or a UUID (macOS)
RADIO = r"^(adapter(:[0-9A-Za-z_\-]{1,20})?|proxy:[^\x00-\x1f\x7f-\x9f]{1,70})$"
"""Which radio heard a band: the bridge's adapter (``adapter``, ``adapter:hci0``) or an ESPHome proxy."""
Radio = Annotated[str, Field(max_length=80, pattern=RADIO), AfterValidator(check_text)]
"""A radio's name as a bridge reports it: the pattern before the text rule, so /openapi.json shows it."""

BandScheme = Literal["anxin", "bthome", "mibeacon", "itag", "hrs"]
"""The decoder (and security) a band is enrolled with."""


class BandStatusIn(BaseModel):
    """What a bridge knows about one wristband right now."""

    model_config = ConfigDict(extra="forbid")
    address: str = Field(min_length=1, max_length=64, pattern=BAND_ADDRESS)
    connected: bool
    last_seen_at: MeasuredAt | None = None
    rssi: WholeNumber | None = Field(default=None, description="dBm; outside -127..20 the entry is counted in rejected")
    battery_percent: WholeNumber | None = Field(default=None,
                                                description="%; outside 0..100 the entry is counted in rejected")
    radio: Radio | None = None
    """The radio that heard the band last."""
    suspicious: int = Field(default=0, ge=0, le=100_000)
    """Suspicious frames under the band's address since this bridge's last report (an increment)."""
    suspicious_radio: Radio | None = None
    """The radio that heard the latest of them."""


class BandKeyPublic(BaseModel):
    """A band as a bridge of its site serves it: the decoder and the key (only ever sent to that site)."""

    address: str
    scheme: str
    """anxin, bthome, mibeacon, hrs or itag."""
    key: str | None
    """32 hex digits, or null for a device without a key (or one whose key was not set yet)."""


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



class UnknownBandIn(BaseModel):
    """A band or button a bridge hears that is not registered at its site."""

    model_config = ConfigDict(extra="forbid")
    address: str = Field(min_length=1, max_length=64, pattern=BAND_ADDRESS)
    kind: BandScheme
    """What it looks like from its advertisement (the scheme to enrol it with)."""
    name: PlainText | None = Field(default=None, max_length=100)
    """Advertised local name."""
    rssi: WholeNumber | None = Field(default=None, description="dBm; outside -127..20 it is stored as unknown")
    radio: Radio | None = None
    last_seen_at: MeasuredAt
    pressed_at: MeasuredAt | None = None
    """When the bridge last heard a press from it (a new event frame); null: not since the bridge started."""


class UnknownBandsResult(BaseModel):
    """How an unknown-bands report was taken."""

    stored: int
    registered: list[str]
    """Reported addresses that are registered at the site now: fetch their keys (``GET /bands/keys``)."""
