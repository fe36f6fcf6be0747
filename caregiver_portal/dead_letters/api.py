"""Device API of the dead letters under /api/v1: a device reports the requests the portal refused for good."""

from __future__ import annotations

from fastapi import APIRouter

from caregiver_portal.accounts.deps import DeviceDep
from caregiver_portal.core.api import ERRORS, PREFIX
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.dead_letters.schemas import DeadLetterReports, DeadLettersStored
from caregiver_portal.dead_letters.service import Reported, record_dead_letters

router = APIRouter(prefix=PREFIX, tags=["devices"], responses=ERRORS)


@router.post("/device/dead-letters", response_model=DeadLettersStored)
def report_dead_letters(body: DeadLetterReports, device: DeviceDep, session: SessionDep) -> DeadLettersStored:
    """Report requests this device stored but the portal refused for good; reporting one again changes nothing."""
    reports = [Reported(**report.model_dump()) for report in body]
    stored, known = record_dead_letters(session=session, device=device, reports=reports, now=utcnow())
    return DeadLettersStored(stored=stored, known=known)
