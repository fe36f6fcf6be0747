"""Device API of the residents under /api/v1 (kiosk token): find a resident by code and greet them politely."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from caregiver_portal.accounts.deps import KioskDep
from caregiver_portal.core.api import ERRORS, PREFIX
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.residents.schemas import ResidentGreeting
from caregiver_portal.residents.service import greeting_name, lookup_by_code

router = APIRouter(prefix=PREFIX, tags=["residents"], responses=ERRORS)


@router.get("/residents/lookup", response_model=ResidentGreeting)
def lookup_resident(code: Annotated[str, Query(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z]+$")],
                    device: KioskDep, session: SessionDep) -> ResidentGreeting:
    """The resident with this code at the kiosk's site, and how to greet them politely."""
    resident = lookup_by_code(session, code=code, site_id=device.site_id)
    return ResidentGreeting(id=resident.id, polite_name=greeting_name(session, resident, now=utcnow()),
                            room=resident.room)

