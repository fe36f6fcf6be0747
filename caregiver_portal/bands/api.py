"""Device API of the wristband status under /api/v1: bridges report, kiosks ask who is near."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query

from caregiver_portal.api.devices import ERRORS
from caregiver_portal.bands.schemas import MAX_BANDS_PER_REPORT, BandStatusIn, BandStatusResult, NearbyBand
from caregiver_portal.bands.service import BandReport, nearby_bands, record_statuses
from caregiver_portal.db import utcnow
from caregiver_portal.deps import DeviceDep, SessionDep
from caregiver_portal.errors import Forbidden
from caregiver_portal.models import Device

router = APIRouter(prefix="/api/v1", tags=["bands"], responses=ERRORS)  # type: ignore[arg-type]


def current_bridge(device: DeviceDep) -> Device:
    """The calling device, which must be a wristband bridge."""
    if device.kind != "bridge":
        raise Forbidden("只有手环网关可以报告手环状态")
    return device


def current_kiosk(device: DeviceDep) -> Device:
    """The calling device, which must be a kiosk."""
    if device.kind != "kiosk":
        raise Forbidden("只有自助机可以查询附近的手环")
    return device


BridgeDep = Annotated[Device, Depends(current_bridge)]
KioskDep = Annotated[Device, Depends(current_kiosk)]
StatusList = Annotated[list[BandStatusIn], Body(max_length=MAX_BANDS_PER_REPORT)]


@router.post("/bands/status", response_model=BandStatusResult)
def report_band_status(body: StatusList, device: BridgeDep, session: SessionDep) -> BandStatusResult:
    """Store the latest state of the bridge's wristbands (one row per wristband, upserted)."""
    reports = [BandReport(b.address, b.connected, b.last_seen_at, b.rssi, b.battery_percent) for b in body]
    result = record_statuses(session=session, device=device, reports=reports, now=utcnow())
    session.commit()
    return BandStatusResult(stored=result.stored, stale=result.stale, rejected=result.rejected,
                            unknown_wristbands=list(result.unknown_wristbands))


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
