"""Device API of the ratings under /api/v1 (kiosk token): a resident rates a service; idempotent on ``event_id``."""

from __future__ import annotations

from fastapi import APIRouter, Response

from caregiver_portal.accounts.deps import KioskDep
from caregiver_portal.core.api import ERRORS, PREFIX, resent
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.idempotency import claim_request, request_digest
from caregiver_portal.ratings.schemas import RatingCreate, RatingStored
from caregiver_portal.ratings.service import record_rating

router = APIRouter(prefix=PREFIX, tags=["ratings"], responses=ERRORS)


@router.post("/ratings", status_code=201, response_model=RatingStored, responses=resent(RatingStored))
def rate(body: RatingCreate, device: KioskDep, session: SessionDep, response: Response) -> RatingStored:
    """A resident rates a service 1–5 stars; the same ``event_id`` again answers 200 (409 with a different body)."""
    now = utcnow()
    claim_request(session, device_id=device.id, kind="rating", event_id=body.event_id, digest=request_digest(body),
                  now=now)
    result = record_rating(session=session, device=device, client_event_id=body.event_id,
                           target_kind=body.target_kind, target_id=body.target_id, stars=body.stars,
                           comment=body.comment, resident_id=body.resident_id, now=now)
    if result.duplicate:
        response.status_code = 200
    rating = result.rating
    return RatingStored(id=rating.id, event_id=rating.client_event_id, target_kind=rating.target_kind,
                        target_id=rating.target_id, stars=rating.stars, duplicate=result.duplicate)

