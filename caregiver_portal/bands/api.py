"""Device API of the wristbands under /api/v1: bridges list the bands to connect to and report their status,
kiosks ask who is near."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response
from sqlalchemy import select

from caregiver_portal.accounts.deps import BridgeDep, KioskDep
from caregiver_portal.bands.enrol import HeardBand, record_unknown
from caregiver_portal.bands.keys import KeyVault, site_band_keys
from caregiver_portal.bands.models import Wristband
from caregiver_portal.bands.schemas import (
    MAX_BANDS_PER_REPORT,
    MAX_UNKNOWN_PER_REPORT,
    BandKeyPublic,
    BandStatusIn,
    BandStatusResult,
    NearbyBand,
    UnknownBandIn,
    UnknownBandsResult,
    WristbandPublic,
)
from caregiver_portal.bands.service import BandReport, nearby_bands, record_statuses
from caregiver_portal.core.api import ERRORS, PREFIX
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep, StateDep

router = APIRouter(prefix=PREFIX, tags=["bands"], responses=ERRORS)


StatusList = Annotated[list[BandStatusIn], Body(max_length=MAX_BANDS_PER_REPORT)]


@router.post("/bands/status", response_model=BandStatusResult)
def report_band_status(body: StatusList, device: BridgeDep, session: SessionDep) -> BandStatusResult:
    """Store the latest state of the bridge's wristbands (one row per wristband, upserted)."""
    reports = [BandReport(b.address, b.connected, b.last_seen_at, b.rssi, b.battery_percent, b.radio, b.suspicious,
                          b.suspicious_radio) for b in body]
    result = record_statuses(session=session, device=device, reports=reports, now=utcnow())
    return BandStatusResult(stored=result.stored, stale=result.stale, rejected=result.rejected,
                            unknown_wristbands=list(result.unknown_wristbands),
                            rejected_by_kind=result.rejected_by_kind)


UnknownList = Annotated[list[UnknownBandIn], Body(max_length=MAX_UNKNOWN_PER_REPORT)]


@router.post("/bands/unknown", response_model=UnknownBandsResult)
def report_unknown_bands(body: UnknownList, device: BridgeDep, session: SessionDep) -> UnknownBandsResult:
    """Store the unregistered bands the bridge hears, with their last press (the admin pairs them by pressing);
    the answer lists the reported addresses registered meanwhile."""
    heard = [HeardBand(b.address, b.kind, b.name, b.rssi, b.radio, b.last_seen_at, b.pressed_at) for b in body]
    result = record_unknown(session=session, device=device, heard=heard, now=utcnow())
    return UnknownBandsResult(stored=result.stored, registered=list(result.registered))


@router.get("/site/nearby", response_model=list[NearbyBand])
def site_nearby(
    device: KioskDep,
    session: SessionDep,
    within_s: Annotated[int, Query(ge=1, le=3600, description="seen within this many seconds")] = 30,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[NearbyBand]:
    """Wristbands heard at this kiosk's site lately, strongest signal first (who stands at the kiosk)."""
    found = nearby_bands(session=session, site_id=device.site_id, now=utcnow(), within=timedelta(seconds=within_s),
                         limit=limit)
    return [NearbyBand(address=n.address, resident_id=n.resident_id, rssi=n.status.rssi,
                       last_seen_at=n.status.last_seen_at, connected=n.status.connected,
                       battery_percent=n.status.battery_percent)
            for n in found if n.status.last_seen_at is not None]


@router.get("/wristbands", response_model=list[WristbandPublic])
def wristbands(device: BridgeDep, session: SessionDep) -> list[WristbandPublic]:
    """The wristbands registered at this device's site (what a bridge should connect to)."""
    bands = session.scalars(select(Wristband).where(Wristband.site_id == device.site_id).order_by(Wristband.id))
    return [WristbandPublic(address=b.address, resident_id=b.resident_id, label=b.label) for b in bands]


@router.get("/bands/keys", response_model=list[BandKeyPublic])
def band_keys(device: BridgeDep, session: SessionDep, state: StateDep, response: Response) -> list[BandKeyPublic]:
    """The bands of this bridge's site with their decoder and key (keys go only to the site's own bridges)."""
    response.headers["Cache-Control"] = "no-store"
    vault = KeyVault(state.settings.secret_key)
    return [BandKeyPublic(address=b.address, scheme=b.scheme, key=b.key.hex() if b.key else None)
            for b in site_band_keys(session=session, vault=vault, site_id=device.site_id)]
