"""Device API of the roll calls under /api/v1: a kiosk asks whether an identified resident is in an open roll
call and sends their answer. (A band's SOS reaches roll calls through the alerts API.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from caregiver_portal.accounts.deps import KioskDep
from caregiver_portal.core.api import ERRORS, MAX_ID, PREFIX, resent
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import NotFound
from caregiver_portal.core.idempotency import claim_request, request_digest
from caregiver_portal.core.uow import unit_of_work
from caregiver_portal.residents.models import Resident
from caregiver_portal.roll_calls import service
from caregiver_portal.roll_calls.rules import REASONS
from caregiver_portal.roll_calls.schemas import OpenRollCall, OpenRollCalls, RollCallAnswer, RollCallAnswered

router = APIRouter(prefix=PREFIX, tags=["roll calls"], responses=ERRORS)


@router.get("/roll-calls/open", response_model=OpenRollCalls)
def open_roll_calls(device: KioskDep, session: SessionDep,
                    resident_id: Annotated[int, Query(ge=1, le=MAX_ID)]) -> OpenRollCalls:
    """The open roll calls that list this resident (of the kiosk's site)."""
    resident = session.get(Resident, resident_id)
    if resident is None or resident.site_id != device.site_id:
        raise NotFound("resident not found at this site")
    calls = service.open_roll_calls_for(session, resident_id=resident_id)
    return OpenRollCalls(roll_calls=[
        OpenRollCall(id=call.id, reason=call.reason, reason_label=REASONS.get(call.reason, call.reason),
                     started_at=call.started_at, state=entry.state)  # type: ignore[arg-type]
        for call, entry in calls])


@router.post("/roll-calls/answers", status_code=201, response_model=RollCallAnswered,
             responses=resent(RollCallAnswered))
def answer(body: RollCallAnswer, device: KioskDep, session: SessionDep, response: Response) -> RollCallAnswered:
    """A resident answers every open roll call listing them. The same ``event_id`` again answers 200; with a
    different body, 409 naming both digests."""
    now = utcnow()
    with unit_of_work(session):
        claim_request(session, device_id=device.id, kind="roll_call_answer", event_id=body.event_id,
                      digest=request_digest(body), now=now)
        changed, duplicate = service.device_answer(session=session, device=device, client_event_id=body.event_id,
                                                   resident_id=body.resident_id, answer=body.answer, now=now)
    if duplicate:
        response.status_code = 200
    return RollCallAnswered(roll_calls=changed, duplicate=duplicate)
