"""Device API of the activities under /api/v1 (kiosk token): upcoming activities, signing a resident up or off
(the waitlist moves up), a resident's sign-ups. Signing up is idempotent on ``event_id``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.deps import KioskDep
from caregiver_portal.activities import service as activity_service
from caregiver_portal.activities.models import Activity, ActivitySignup
from caregiver_portal.activities.schemas import (
    ActivityPublic,
    SignupCancel,
    SignupCreate,
    SignupPublic,
    SignupResultPublic,
)
from caregiver_portal.core.api import ERRORS, PREFIX, IdPath, resent
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import NotFound
from caregiver_portal.core.idempotency import claim_request, request_digest
from caregiver_portal.residents.service import resident_of_site

router = APIRouter(prefix=PREFIX, tags=["activities"], responses=ERRORS)


def _activity_public(session: Session, activity: Activity) -> ActivityPublic:
    counts = activity_service.count_signups(session, activity.id)
    return ActivityPublic(id=activity.id, title=activity.title, category=activity.category,
                          description=activity.description, place=activity.place, starts_at=activity.starts_at,
                          ends_at=activity.ends_at, capacity=activity.capacity, confirmed=counts["confirmed"],
                          waitlisted=counts["waitlisted"], spots_left=max(0, activity.capacity - counts["confirmed"]),
                          cancelled=activity.cancelled_at is not None)


def _signup_public(session: Session, signup: ActivitySignup) -> dict[str, Any]:
    return {"id": signup.id, "activity_id": signup.activity_id, "activity_title": signup.activity.title,
            "starts_at": signup.activity.starts_at, "place": signup.activity.place, "resident_id": signup.resident_id,
            "state": signup.state, "state_label": activity_service.SIGNUP_LABELS[signup.state],
            "waitlist_position": activity_service.waitlist_position(session, signup),
            "checked_in": signup.checked_in_at is not None}


@router.get("/activities", response_model=list[ActivityPublic])
def upcoming_activities(device: KioskDep, session: SessionDep) -> list[ActivityPublic]:
    """Activities of this kiosk's site that have not started yet, soonest first (cancelled ones left out)."""
    now = utcnow()
    return [_activity_public(session, a) for a in activity_service.upcoming(session, site_id=device.site_id, now=now)
            if a.cancelled_at is None and a.starts_at > now]


@router.post("/activities/{activity_id}/signups", status_code=201, response_model=SignupResultPublic,
             responses=resent(SignupResultPublic))
def sign_up(activity_id: IdPath, body: SignupCreate, device: KioskDep, session: SessionDep,
            response: Response) -> SignupResultPublic:
    """Sign a resident up: ``confirmed`` while there is room, else ``waitlisted``; 200 when already signed up;
    409 naming both digests when ``event_id`` was used for a different sign-up."""
    now = utcnow()
    claim_request(session, device_id=device.id, kind="signup", event_id=body.event_id,
                  digest=request_digest(body, activity_id=activity_id), now=now)
    result = activity_service.sign_up(session=session, activity_id=activity_id, resident_id=body.resident_id,
                                      now=now, site_id=device.site_id, device=device,
                                      client_event_id=body.event_id)
    if result.duplicate:
        response.status_code = 200
    return SignupResultPublic(**_signup_public(session, result.signup), duplicate=result.duplicate)


@router.post("/activities/{activity_id}/signups/cancel", response_model=SignupPublic)
def cancel_signup(activity_id: IdPath, body: SignupCancel, device: KioskDep, session: SessionDep) -> SignupPublic:
    """Cancel a resident's sign-up; the first on the waitlist moves up. Safe to repeat."""
    now = utcnow()
    signup = activity_service.cancel_signup(session=session, activity_id=activity_id, resident_id=body.resident_id,
                                            now=now, site_id=device.site_id)
    if signup is None:
        signup = _latest_signup(session, activity_id, body.resident_id)
    return SignupPublic(**_signup_public(session, signup))


def _latest_signup(session: Session, activity_id: int, resident_id: int) -> ActivitySignup:
    signup = session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == activity_id,
                                                         ActivitySignup.resident_id == resident_id)
                            .order_by(ActivitySignup.id.desc()).limit(1))
    if signup is None:
        raise NotFound("这位居民没有报名这个活动")
    return signup


@router.get("/residents/{resident_id}/activities", response_model=list[SignupPublic])
def resident_activities(resident_id: IdPath, device: KioskDep, session: SessionDep) -> list[SignupPublic]:
    """The resident's live sign-ups of activities not yet over (confirmed or waitlisted, with position)."""
    resident = resident_of_site(session, resident_id, device.site_id)
    signups = activity_service.signups_of_resident(session, resident_id=resident.id, now=utcnow())
    return [SignupPublic(**_signup_public(session, s)) for s in signups]

