"""Device API of phone requests under /api/v1 (kiosk token): what the desk recorded for a resident, so the kiosk
can tell them where it is (我的请求)."""

from __future__ import annotations

from fastapi import APIRouter

from caregiver_portal.accounts.deps import KioskDep
from caregiver_portal.core.api import ERRORS, PREFIX
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.phone import service
from caregiver_portal.phone.schemas import RecordedRequest, RecordedRequests
from caregiver_portal.residents.service import resident_of_site

router = APIRouter(prefix=PREFIX, tags=["phone"], responses=ERRORS)


@router.get("/residents/{resident_id}/phone-requests", response_model=RecordedRequests)
def recorded_requests(resident_id: int, device: KioskDep, session: SessionDep) -> RecordedRequests:
    """The resident's requests recorded by the desk in the last 14 days with their states (404: not of this site)."""
    resident = resident_of_site(session, resident_id, device.site_id)
    rows = service.resident_requests(session, resident_id=resident.id, site_id=device.site_id, now=utcnow())
    return RecordedRequests(requests=[RecordedRequest(**row) for row in rows])
