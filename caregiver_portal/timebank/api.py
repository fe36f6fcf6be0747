"""Device API of the time bank under /api/v1 (kiosk token): a resident's points, and redeeming them."""

from __future__ import annotations

from fastapi import APIRouter, Response

from caregiver_portal.accounts.deps import KioskDep
from caregiver_portal.core.api import ERRORS, PREFIX, resent
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.idempotency import claim_request, request_digest
from caregiver_portal.residents.service import resident_of_site
from caregiver_portal.timebank import service
from caregiver_portal.timebank.ledger import Holder, balance_of
from caregiver_portal.timebank.schemas import RedemptionCreate, RedemptionStored, ResidentPoints, RewardPublic

router = APIRouter(prefix=PREFIX, tags=["timebank"], responses=ERRORS)


@router.get("/timebank/residents/{resident_id}", response_model=ResidentPoints)
def resident_points(resident_id: int, device: KioskDep, session: SessionDep) -> ResidentPoints:
    """The resident's balance, the site's rewards (cheapest first) and what waits to be handed over."""
    resident_of_site(session, resident_id, device.site_id)
    waiting = [row.reward_name for row in service.waiting_redemptions(session, site_id=device.site_id)
               if row.resident_id == resident_id]
    return ResidentPoints(resident_id=resident_id, balance=balance_of(session, Holder("resident", resident_id)),
                          rewards=[RewardPublic(id=r.id, name=r.name, points=r.points)
                                   for r in service.list_rewards(session, site_id=device.site_id)],
                          waiting=waiting)


@router.post("/timebank/redemptions", status_code=201, response_model=RedemptionStored,
             responses=resent(RedemptionStored))
def redeem(body: RedemptionCreate, device: KioskDep, session: SessionDep, response: Response) -> RedemptionStored:
    """The resident spends points on a reward (409 when too few); the centre hands it over and marks it given."""
    now = utcnow()
    claim_request(session, device_id=device.id, kind="redemption", event_id=body.event_id,
                  digest=request_digest(body), now=now)
    resident_of_site(session, body.resident_id, device.site_id)
    result = service.redeem_for_resident(session=session, site_id=device.site_id, resident_id=body.resident_id,
                                         reward_id=body.reward_id, device_id=device.id,
                                         client_event_id=body.event_id, now=now)
    if result.duplicate:
        response.status_code = 200
    row = result.redemption
    return RedemptionStored(id=row.id, event_id=body.event_id, reward_name=row.reward_name, points=row.points,
                            balance=balance_of(session, Holder("resident", body.resident_id)),
                            duplicate=result.duplicate)
