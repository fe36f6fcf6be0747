"""Device API of the accounts under /api/v1: who the calling device is (a cheap check of its token)."""

from __future__ import annotations

from fastapi import APIRouter

from caregiver_portal.accounts.deps import DeviceDep
from caregiver_portal.accounts.schemas import DevicePublic
from caregiver_portal.core.api import ERRORS, PREFIX

router = APIRouter(prefix=PREFIX, tags=["devices"], responses=ERRORS)


@router.get("/device", response_model=DevicePublic)
def who_am_i(device: DeviceDep) -> DevicePublic:
    """The device this token belongs to; 401 when the token is unknown or revoked."""
    return DevicePublic(id=device.id, kind=device.kind, name=device.name, site_id=device.site_id)
