"""Device API of the grocery orders under /api/v1 (kiosk token): the catalog, placing an order, following it and
confirming it arrived. Placing is idempotent on ``event_id``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from caregiver_portal.accounts.deps import KioskDep
from caregiver_portal.core.api import ERRORS, PREFIX, EventIdPath, resent
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import NotFound
from caregiver_portal.core.idempotency import claim_request, request_digest
from caregiver_portal.orders import service as order_service
from caregiver_portal.orders.catalog import list_items, picture_url
from caregiver_portal.orders.models import GroceryOrder
from caregiver_portal.orders.schemas import (
    CatalogItemPublic,
    OrderCreate,
    OrderPlaced,
    OrderPublic,
    ReceiptConfirm,
    SubstituteAnswer,
)
from caregiver_portal.phone.lookup import recorded_order

router = APIRouter(prefix=PREFIX, tags=["orders"], responses=ERRORS)


@router.get("/catalog", response_model=list[CatalogItemPublic])
def catalog(device: KioskDep, session: SessionDep) -> list[CatalogItemPublic]:
    """The grocery catalog of this kiosk's site, by category."""
    return [CatalogItemPublic(id=i.id, name=i.name, category=i.category, unit=i.unit,
                              usual_price_fen=i.usual_price_fen, synonyms=list(i.synonyms), picture_url=picture_url(i))
            for i in list_items(session, site_id=device.site_id)]


def _order_for_event(session: SessionDep, device: KioskDep, event_id: str) -> GroceryOrder:
    """The order this kiosk placed with ``event_id``, or one the duty worker recorded by phone for its site."""
    order = order_service.find_by_event(session, device=device, client_event_id=event_id)
    if order is None:
        order = recorded_order(session, site_id=device.site_id, token=event_id)
    if order is None:
        raise NotFound("order not found")
    return order


@router.post("/orders", status_code=201, response_model=OrderPlaced, responses=resent(OrderPlaced))
def place_order(body: OrderCreate, device: KioskDep, session: SessionDep, response: Response) -> OrderPlaced:
    """Place a grocery order. The same ``event_id`` sent again answers 200 with the stored order; with a different
    body, 409 naming both digests."""
    now = utcnow()
    claim_request(session, device_id=device.id, kind="order", event_id=body.event_id, digest=request_digest(body),
                  now=now)
    lines = [order_service.LineRequest(quantity=line.quantity, item_id=line.item_id, name=line.name, unit=line.unit)
             for line in body.items]
    placed = order_service.place_order(session=session, device=device, client_event_id=body.event_id,
                                       resident_id=body.resident_id, lines=lines, note=body.note, now=now)
    if placed.duplicate:
        response.status_code = 200
    return OrderPlaced(**order_service.order_public(placed.order), event_id=body.event_id, duplicate=placed.duplicate)


@router.get("/orders/by-event/{event_id}", response_model=OrderPublic)
def order_for_event(event_id: EventIdPath, device: KioskDep, session: SessionDep) -> OrderPublic:
    """The order this kiosk placed with ``event_id``: its state and who is bringing it."""
    return OrderPublic(**order_service.order_public(_order_for_event(session, device, event_id)))


@router.post("/orders/by-event/{event_id}/confirm-received", response_model=OrderPublic)
def confirm_received(event_id: EventIdPath, device: KioskDep, session: SessionDep,
                     body: Annotated[ReceiptConfirm | None, Body()] = None) -> OrderPublic:
    """The resident confirms at the kiosk that the goods arrived (safe to repeat); with ``amount_accepted``
    they agree to the bill they were shown (``amount_fen``, 409 when it changed meanwhile) or dispute it."""
    body = body or ReceiptConfirm()
    order = order_service.confirm_received(session=session, order=_order_for_event(session, device, event_id),
                                           now=utcnow(), amount_fen=body.amount_fen,
                                           amount_accepted=body.amount_accepted)
    return OrderPublic(**order_service.order_public(order))


@router.post("/orders/by-event/{event_id}/substitutes", response_model=OrderPublic)
def answer_substitute(event_id: EventIdPath, body: SubstituteAnswer, device: KioskDep,
                      session: SessionDep) -> OrderPublic:
    """The resident keeps or declines a substitute (the first answer stands; safe to repeat)."""
    order = order_service.answer_substitute(session=session, order=_order_for_event(session, device, event_id),
                                            line_id=body.line_id, accept=body.accept, now=utcnow())
    return OrderPublic(**order_service.order_public(order))
