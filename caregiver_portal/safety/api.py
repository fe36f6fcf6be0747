"""Device API of the daily check-in under /api/v1: ``POST /checkins`` (a bridge for a band's double press,
a kiosk for 我今天很好)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from caregiver_portal.accounts.deps import DeviceDep
from caregiver_portal.core.api import ERRORS, PREFIX, resent
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.idempotency import claim_request, request_digest
from caregiver_portal.safety.checkins import record_device_checkin
from caregiver_portal.safety.schemas import CheckinCreate, CheckinStored

router = APIRouter(prefix=PREFIX, tags=["checkins"], responses=ERRORS)


@router.post("/checkins", status_code=201, response_model=CheckinStored, responses=resent(CheckinStored))
def post_checkin(body: CheckinCreate, device: DeviceDep, session: SessionDep, response: Response) -> CheckinStored:
    """Record a check-in. The same ``event_id`` again answers 200 with what was stored (``duplicate``);
    the same id with a different body answers 409."""
    now = utcnow()
    claim_request(session, device_id=device.id, kind="checkin", event_id=body.event_id, digest=request_digest(body),
                  now=now)
    recorded = record_device_checkin(session=session, device=device, event_id=body.event_id, now=now,
                                     wristband=body.wristband, resident_id=body.resident_id,
                                     occurred_at=body.occurred_at, radio=body.radio)
    if recorded.duplicate:
        response.status_code = 200
    row = recorded.checkin
    return CheckinStored(id=row.id, event_id=body.event_id, resident_id=row.resident_id, day=row.day, at=row.at,
                         source=row.source, duplicate=recorded.duplicate)
