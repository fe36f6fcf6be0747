"""Device API of the health readings under /api/v1: bridges post batches of wristband readings."""

from __future__ import annotations

from fastapi import APIRouter

from caregiver_portal.accounts.deps import BridgeDep
from caregiver_portal.core.api import ERRORS, PREFIX
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.idempotency import claim_request, request_digest
from caregiver_portal.health.readings import ingest_batch
from caregiver_portal.health.schemas import ReadingBatchIn, ReadingBatchResult

router = APIRouter(prefix=PREFIX, tags=["health"], responses=ERRORS)


@router.post("/readings", status_code=202, response_model=ReadingBatchResult)
def post_readings(body: ReadingBatchIn, device: BridgeDep, session: SessionDep) -> ReadingBatchResult:
    """Store a batch of readings once per ``batch_id``; health rules run on what arrived. A different batch under
    a used ``batch_id`` answers 409 naming both digests."""
    now = utcnow()
    claim_request(session, device_id=device.id, kind="readings", event_id=body.batch_id, digest=request_digest(body),
                  now=now)
    result = ingest_batch(session=session, device=device, batch_id=body.batch_id,
                          readings=[r.model_dump() for r in body.readings], now=now)
    return ReadingBatchResult(batch_id=body.batch_id, accepted=result.accepted, rejected=result.rejected,
                              duplicate=result.duplicate, unknown_wristbands=list(result.unknown_wristbands),
                              rejected_by_kind=result.rejected_by_kind,
                              withheld_without_consent=result.withheld)
