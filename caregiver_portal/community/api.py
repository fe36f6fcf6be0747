"""Device API of the community services under /api/v1 (kiosk token): catalog and grocery orders,
activities and sign-ups, resident greeting, ratings. Every write is idempotent on ``event_id``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.api.devices import ERRORS, EventIdPath
from caregiver_portal.community import activities as activity_service
from caregiver_portal.community import orders as order_service
from caregiver_portal.community.catalog import list_items, picture_url
from caregiver_portal.community.models import Activity, ActivitySignup, GroceryOrder
from caregiver_portal.community.ratings import record_rating
from caregiver_portal.community.residents import greeting_name, lookup_by_code, resident_of_site
from caregiver_portal.community.schemas import (
    ActivityPublic,
    CatalogItemPublic,
    OrderCreate,
    OrderPlaced,
    OrderPublic,
    RatingCreate,
    RatingStored,
    ResidentGreeting,
    SignupCancel,
    SignupCreate,
    SignupPublic,
    SignupResultPublic,
)
from caregiver_portal.db import utcnow
from caregiver_portal.deps import DeviceDep, SessionDep
from caregiver_portal.errors import Forbidden, NotFound
from caregiver_portal.models import Device

router = APIRouter(prefix="/api/v1", tags=["community"], responses=ERRORS)  # type: ignore[arg-type]
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


def current_kiosk(device: DeviceDep) -> Device:
    """The calling device, which must be a kiosk (a wristband bridge has no business here)."""
    if device.kind != "kiosk":
        raise Forbidden("只有自助机可以使用这个接口")
    return device


KioskDep = Annotated[Device, Depends(current_kiosk)]


@router.get("/catalog", response_model=list[CatalogItemPublic])
def catalog(device: KioskDep, session: SessionDep) -> list[CatalogItemPublic]:
    """The grocery catalog of this kiosk's site, by category."""
    return [CatalogItemPublic(id=i.id, name=i.name, category=i.category, unit=i.unit,
                              usual_price_fen=i.usual_price_fen, synonyms=list(i.synonyms), picture_url=picture_url(i))
            for i in list_items(session, site_id=device.site_id)]


def _order_for_event(session: SessionDep, device: KioskDep, event_id: str) -> GroceryOrder:
    order = order_service.find_by_event(session, device=device, client_event_id=event_id)
    if order is None:
        raise NotFound("order not found")
    return order


@router.post("/orders", status_code=201, response_model=OrderPlaced)
def place_order(body: OrderCreate, device: KioskDep, session: SessionDep, response: Response) -> OrderPlaced:
    """Place a grocery order. The same ``event_id`` sent again answers 200 with the stored order."""
    lines = [order_service.LineRequest(quantity=line.quantity, item_id=line.item_id, name=line.name, unit=line.unit)
             for line in body.items]
    placed = order_service.place_order(session=session, device=device, client_event_id=body.event_id,
                                       resident_id=body.resident_id, lines=lines, note=body.note, now=utcnow())
    session.commit()
    if placed.duplicate:
        response.status_code = 200
    return OrderPlaced(**order_service.order_public(placed.order), event_id=body.event_id, duplicate=placed.duplicate)


@router.get("/orders/by-event/{event_id}", response_model=OrderPublic)
def order_for_event(event_id: EventIdPath, device: KioskDep, session: SessionDep) -> OrderPublic:
    """The order this kiosk placed with ``event_id``: its state and who is bringing it."""
    return OrderPublic(**order_service.order_public(_order_for_event(session, device, event_id)))


@router.post("/orders/by-event/{event_id}/confirm-received", response_model=OrderPublic)
def confirm_received(event_id: EventIdPath, device: KioskDep, session: SessionDep) -> OrderPublic:
    """The resident confirms at the kiosk that the goods arrived (safe to repeat)."""
    order = order_service.confirm_received(session=session, order=_order_for_event(session, device, event_id),
                                           now=utcnow())
    session.commit()
    return OrderPublic(**order_service.order_public(order))


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


@router.post("/activities/{activity_id}/signups", status_code=201, response_model=SignupResultPublic)
def sign_up(activity_id: IdPath, body: SignupCreate, device: KioskDep, session: SessionDep,
            response: Response) -> SignupResultPublic:
    """Sign a resident up: ``confirmed`` while there is room, else ``waitlisted``; 200 when already signed up."""
    result = activity_service.sign_up(session=session, activity_id=activity_id, resident_id=body.resident_id,
                                      now=utcnow(), site_id=device.site_id, device=device,
                                      client_event_id=body.event_id)
    session.commit()
    if result.duplicate:
        response.status_code = 200
    return SignupResultPublic(**_signup_public(session, result.signup), duplicate=result.duplicate)


@router.post("/activities/{activity_id}/signups/cancel", response_model=SignupPublic)
def cancel_signup(activity_id: IdPath, body: SignupCancel, device: KioskDep, session: SessionDep) -> SignupPublic:
    """Cancel a resident's sign-up; the first on the waitlist moves up. Safe to repeat."""
    now = utcnow()
    signup = activity_service.cancel_signup(session=session, activity_id=activity_id, resident_id=body.resident_id,
                                            now=now, site_id=device.site_id)
    session.commit()
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


@router.get("/residents/lookup", response_model=ResidentGreeting)
def lookup_resident(code: Annotated[str, Query(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z]+$")],
                    device: KioskDep, session: SessionDep) -> ResidentGreeting:
    """The resident with this code at the kiosk's site, and how to greet them politely."""
    resident = lookup_by_code(session, code=code, site_id=device.site_id)
    return ResidentGreeting(id=resident.id, polite_name=greeting_name(session, resident, now=utcnow()),
                            room=resident.room)


@router.get("/residents/{resident_id}/activities", response_model=list[SignupPublic])
def resident_activities(resident_id: IdPath, device: KioskDep, session: SessionDep) -> list[SignupPublic]:
    """The resident's live sign-ups of activities not yet over (confirmed or waitlisted, with position)."""
    resident = resident_of_site(session, resident_id, device.site_id)
    signups = activity_service.signups_of_resident(session, resident_id=resident.id, now=utcnow())
    return [SignupPublic(**_signup_public(session, s)) for s in signups]


@router.post("/ratings", status_code=201, response_model=RatingStored)
def rate(body: RatingCreate, device: KioskDep, session: SessionDep, response: Response) -> RatingStored:
    """A resident rates a service 1–5 stars; the same ``event_id`` again answers 200."""
    result = record_rating(session=session, device=device, client_event_id=body.event_id,
                           target_kind=body.target_kind, target_id=body.target_id, stars=body.stars,
                           comment=body.comment, resident_id=body.resident_id, now=utcnow())
    session.commit()
    if result.duplicate:
        response.status_code = 200
    rating = result.rating
    return RatingStored(id=rating.id, event_id=rating.client_event_id, target_kind=rating.target_kind,
                        target_id=rating.target_id, stars=rating.stars, duplicate=result.duplicate)
