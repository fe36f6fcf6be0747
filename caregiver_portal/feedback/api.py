"""Device API of the residents' voice under /api/v1 (kiosk token): report, the replies waiting, reply heard."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from caregiver_portal.accounts.deps import KioskDep
from caregiver_portal.core.api import ERRORS, PREFIX, resent
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.idempotency import claim_request, request_digest
from caregiver_portal.feedback import service
from caregiver_portal.feedback.models import CATEGORIES
from caregiver_portal.feedback.schemas import FeedbackCreate, FeedbackReply, FeedbackStored, ReplyHeard

router = APIRouter(prefix=PREFIX, tags=["feedback"], responses=ERRORS)


@router.post("/feedback", status_code=201, response_model=FeedbackStored, responses=resent(FeedbackStored))
def report(body: FeedbackCreate, device: KioskDep, session: SessionDep, response: Response) -> FeedbackStored:
    """A resident reports a problem or makes a suggestion; the same ``event_id`` again answers 200."""
    now = utcnow()
    claim_request(session, device_id=device.id, kind="feedback", event_id=body.event_id,
                  digest=request_digest(body), now=now)
    result = service.report_at_kiosk(session=session, device=device, client_event_id=body.event_id,
                                     resident_id=body.resident_id, kind=body.kind, category=body.category,
                                     text=body.text, now=now)
    if result.duplicate:
        response.status_code = 200
    row = result.feedback
    return FeedbackStored(id=row.id, event_id=body.event_id, assigned=row.assigned_to_id is not None,
                          duplicate=result.duplicate)


@router.get("/feedback/replies", response_model=list[FeedbackReply])
def replies(device: KioskDep, session: SessionDep,
            resident_id: int = Query(ge=1, le=2**31 - 1)) -> list[FeedbackReply]:
    """The identified resident's replies not heard yet, oldest first."""
    rows = service.replies_waiting(session, site_id=device.site_id, resident_id=resident_id)
    return [FeedbackReply(id=row.id, kind="suggestion" if row.kind == "suggestion" else "problem",
                          category=row.category, category_label=CATEGORIES.get(row.category, row.category),
                          reply=row.reply, reported_at=row.created_at, closed_at=row.closed_at)
            for row in rows if row.closed_at is not None]


@router.post("/feedback/{feedback_id}/heard", response_model=FeedbackReply)
def heard(feedback_id: int, body: ReplyHeard, device: KioskDep, session: SessionDep) -> FeedbackReply:
    """The kiosk said the reply (safe to repeat)."""
    row = service.mark_heard(session=session, site_id=device.site_id, feedback_id=feedback_id, now=utcnow())
    assert row.closed_at is not None
    return FeedbackReply(id=row.id, kind="suggestion" if row.kind == "suggestion" else "problem",
                         category=row.category, category_label=CATEGORIES.get(row.category, row.category),
                         reply=row.reply, reported_at=row.created_at, closed_at=row.closed_at)
