"""Grocery proxy orders (代购): placed at a kiosk (idempotently) or by a grid worker, claimed, bought,
delivered by a volunteer, and confirmed by the resident at the kiosk.

    submitted ──claim──> claimed ──bought──> bought ──delivered──> delivered ──confirm──> received
        │  ^                │                   └────────────confirm (resident got it)───────┘
        │  └────release─────┘
        └──cancel (also from claimed)──> cancelled
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.orm import Session, selectinload

from caregiver_portal.accounts.models import Device, Site, User
from caregiver_portal.core.db import rows_changed
from caregiver_portal.core.errors import Forbidden, InvalidTransition, NotFound
from caregiver_portal.core.uow import insert_once, transactional
from caregiver_portal.offers import service as offers
from caregiver_portal.orders.catalog import list_items, match_item
from caregiver_portal.orders.models import GroceryOrder, GroceryOrderLine
from caregiver_portal.queue import service as queue_service
from caregiver_portal.queue import texts as queue_texts
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.scope import Scope
from caregiver_portal.residents.service import resident_of_site
from caregiver_portal.settlement import service as money
from caregiver_portal.timebank import service as timebank

STATE_LABELS = {
    "submitted": "待认领",
    "claimed": "已认领，采购中",
    "bought": "已买好，配送中",
    "delivered": "已送达，待老人确认",
    "received": "老人已确认收货",
    "cancelled": "已取消",
}
ACTIVE_STATES = ("submitted", "claimed", "bought", "delivered")
STATE_EVENTS = {"submitted": "released"}
"""The live queue's event for a move into a state (otherwise the state's own name)."""
MAX_LINES = 30


@dataclass(frozen=True)
class LineRequest:
    """One wanted item: a catalog id or a name (synonyms are matched), how much, optionally a unit."""

    quantity: float
    item_id: int | None = None
    name: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class PlacedOrder:
    """Result of placing an order from a device: the order and whether it was a re-send."""

    order: GroceryOrder
    duplicate: bool


def find_by_event(session: Session, *, device: Device, client_event_id: str) -> GroceryOrder | None:
    """The order a device placed with ``client_event_id``, if stored."""
    return session.scalar(select(GroceryOrder).where(GroceryOrder.source_device_id == device.id,
                                                     GroceryOrder.client_event_id == client_event_id))


def _build_lines(session: Session, site_id: int, requests: list[LineRequest]) -> list[GroceryOrderLine]:
    if not requests:
        raise InvalidTransition("订单里没有商品")
    if len(requests) > MAX_LINES:
        raise InvalidTransition(f"一张订单最多 {MAX_LINES} 样商品")
    catalog = list_items(session, site_id=site_id)
    by_id = {item.id: item for item in catalog}
    lines = []
    for wanted in requests:
        item = by_id.get(wanted.item_id) if wanted.item_id is not None else None
        if wanted.item_id is not None and item is None:
            raise NotFound(f"目录里没有商品 {wanted.item_id}")
        if item is None and wanted.name:
            item = match_item(catalog, wanted.name)
        if item is None and not (wanted.name or "").strip():
            raise InvalidTransition("每样商品要有目录编号或名称")
        if not 0 < wanted.quantity <= 1000:
            raise InvalidTransition("数量不合理")
        lines.append(GroceryOrderLine(
            item_id=item.id if item else None, name=item.name if item else (wanted.name or "").strip()[:50],
            quantity=wanted.quantity, unit=(wanted.unit or (item.unit if item else "份"))[:10],
            unit_price_fen=item.usual_price_fen if item else None))
    return lines


@transactional
def place_order(*, session: Session, device: Device, client_event_id: str, resident_id: int | None,
                lines: list[LineRequest], note: str, now: datetime) -> PlacedOrder:
    """Store a kiosk's order once per ``client_event_id``."""
    existing = find_by_event(session, device=device, client_event_id=client_event_id)
    if existing is not None:
        return PlacedOrder(existing, duplicate=True)
    resident = resident_of_site(session, resident_id, device.site_id) if resident_id is not None else None
    order = GroceryOrder(site_id=device.site_id, resident_id=resident.id if resident else None, state="submitted",
                         note=note[:500], source_device_id=device.id, client_event_id=client_event_id,
                         created_at=now, lines=_build_lines(session, device.site_id, lines))
    order, created = insert_once(session, order,
                                 lambda: find_by_event(session, device=device, client_event_id=client_event_id))
    if not created:
        return PlacedOrder(order, duplicate=True)
    announce_new(session, order, resident=resident, via_kiosk=True, now=now)
    return PlacedOrder(order, duplicate=False)


@transactional
def create_order_for_resident(*, session: Session, user: User, resident: Resident, lines: list[LineRequest],
                              note: str, now: datetime) -> GroceryOrder:
    """A grid worker or admin orders for a resident (e.g. a need found on a home visit)."""
    order = GroceryOrder(site_id=resident.site_id, resident_id=resident.id, state="submitted", note=note[:500],
                         created_by_id=user.id, created_at=now,
                         lines=_build_lines(session, resident.site_id, lines))
    session.add(order)
    session.flush()
    announce_new(session, order, resident=resident, via_kiosk=False, now=now)
    return order


def announce_new(session: Session, order: GroceryOrder, *, resident: Resident | None, via_kiosk: bool,
                 now: datetime) -> None:
    """A new order reaches someone: the live queue, and the volunteers it is offered to through the bots when the
    site wants it (:mod:`caregiver_portal.offers`)."""
    queue_service.record(session, site_id=order.site_id, subject="order", subject_id=order.id, type="placed", now=now)
    site = session.get(Site, order.site_id)
    if site is None:
        return
    name = resident.name if resident is not None and site.bot_personal_details else None
    items = [f"{line.name} {format_quantity(line.quantity)} {line.unit}".strip() for line in order.lines]
    text = queue_texts.order_text(order.id, room=resident.room if resident else "", name=name, items=items,
                                  via_kiosk=via_kiosk)
    offers.offer_new(session, subject="order", subject_id=order.id, site=site,
                     grid_id=resident.grid_id if resident else None, room=resident.room if resident else "",
                     news=offers.Announcement(text=text, title=f"代购单 #{order.id}", path=f"/orders/{order.id}"),
                     now=now)


def get_order(session: Session, order_id: int, *, scope: Scope | None = None) -> GroceryOrder:
    """An order (inside ``scope`` when given), or :class:`NotFound`."""
    order = session.get(GroceryOrder, order_id)
    if order is None:
        raise NotFound("找不到这张订单")
    grid_id = order.resident.grid_id if order.resident else None
    if scope is not None and not scope.allows(site_id=order.site_id, grid_id=grid_id):
        raise NotFound("找不到这张订单")
    return order


def _move(session: Session, order: GroceryOrder, *, from_states: tuple[str, ...], values: dict[str, Any]) -> None:
    """Change the order's state only if nobody else changed it first (a compare-and-set UPDATE)."""
    changed = rows_changed(session, update(GroceryOrder)
                           .where(GroceryOrder.id == order.id, GroceryOrder.state.in_(from_states))
                           .values(**values).execution_options(synchronize_session=False))
    if changed != 1:
        session.refresh(order)
        raise InvalidTransition(f"订单现在是“{STATE_LABELS.get(order.state, order.state)}”，不能这样操作")
    session.refresh(order)
    queue_service.record(session, site_id=order.site_id, subject="order", subject_id=order.id,
                         type=STATE_EVENTS.get(order.state, order.state))


@transactional
def claim_order(*, session: Session, order_id: int, user: User, now: datetime, scope: Scope) -> GroceryOrder:
    """``user`` takes an order from the queue; two volunteers cannot both claim it."""
    order = get_order(session, order_id, scope=scope)
    if order.state == "claimed" and order.claimed_by_id == user.id:
        return order
    _move(session, order, from_states=("submitted",),
          values={"state": "claimed", "claimed_by_id": user.id, "claimed_at": now})
    return order


def _require_claimer(order: GroceryOrder, user: User) -> None:
    if order.claimed_by_id != user.id and user.role != "admin":
        raise Forbidden("这张订单由其他志愿者负责")


@transactional
def release_order(*, session: Session, order_id: int, user: User, scope: Scope) -> GroceryOrder:
    """Give a claimed order back to the queue (the volunteer cannot go after all)."""
    order = get_order(session, order_id, scope=scope)
    _require_claimer(order, user)
    _move(session, order, from_states=("claimed",),
          values={"state": "submitted", "claimed_by_id": None, "claimed_at": None})
    return order


@transactional
def mark_bought(*, session: Session, order_id: int, user: User, amount_paid_fen: int, receipt_file: str | None,
                now: datetime, scope: Scope, results: Mapping[int, money.LineResult] | None = None) -> GroceryOrder:
    """The volunteer has bought the goods and paid ``amount_paid_fen``; ``results`` says per line id what was
    not bought (没买到) or replaced by a substitute (the other lines were bought)."""
    if not 0 <= amount_paid_fen <= 10_000_000:
        raise InvalidTransition("金额不合理")
    order = get_order(session, order_id, scope=scope)
    _require_claimer(order, user)
    values: dict[str, Any] = {"state": "bought", "bought_at": now, "amount_paid_fen": amount_paid_fen}
    if receipt_file:
        values["receipt_file"] = receipt_file
    _move(session, order, from_states=("claimed",), values=values)
    money.apply_results(order, results or {})
    money.refresh_amount(session, order)
    session.flush()
    return order


@transactional
def mark_delivered(*, session: Session, order_id: int, user: User, now: datetime, scope: Scope,
                   payment: str | None = None, cash_fen: int | None = None) -> GroceryOrder:
    """The goods are at the resident's door; the volunteer earns the delivery points. ``payment`` is how the
    resident pays back: ``cash`` (``cash_fen`` collected at the door) or ``balance`` (the prepaid ledger)."""
    if payment not in (None, "cash", "balance"):
        raise InvalidTransition("不认识的付款方式")
    if payment == "cash" and (cash_fen is None or not 0 <= cash_fen <= 10_000_000):
        raise InvalidTransition("请填写老人付的现金")
    order = get_order(session, order_id, scope=scope)
    _require_claimer(order, user)
    if payment == "balance" and order.resident_id is None:
        raise InvalidTransition("没有登记居民的订单不能从预存款扣")
    _move(session, order, from_states=("bought",), values={
        "state": "delivered", "delivered_at": now, "payment_method": payment,
        "cash_collected_fen": cash_fen if payment == "cash" else None})
    if order.claimed_by_id is not None:
        timebank.award(session=session, user_id=order.claimed_by_id, site_id=order.site_id, service="delivery",
                       ref_id=order.id, now=now, note=f"代购 #{order.id} 送达")
    return order


@transactional
def confirm_received(*, session: Session, order: GroceryOrder, now: datetime, amount_fen: int | None = None,
                     amount_accepted: bool | None = None) -> GroceryOrder:
    """The resident confirms at the kiosk that the goods arrived (idempotent), and with ``amount_accepted``
    agrees to the bill they were shown (``amount_fen``) or disputes it; a prepaid order is then charged."""
    if order.state != "received":
        values: dict[str, Any] = {"state": "received", "received_at": now}
        if order.delivered_at is None:
            values["delivered_at"] = now
        _move(session, order, from_states=("bought", "delivered"), values=values)
        if order.claimed_by_id is not None:
            timebank.award(session=session, user_id=order.claimed_by_id, site_id=order.site_id, service="delivery",
                           ref_id=order.id, now=now, note=f"代购 #{order.id} 送达")
    money.confirm_amount(session, order, amount_fen=amount_fen, accepted=amount_accepted, now=now, by="resident")
    money.charge_if_final(session, order, now=now)
    return order


@transactional
def answer_substitute(*, session: Session, order: GroceryOrder, line_id: int, accept: bool,
                      now: datetime) -> GroceryOrder:
    """The resident keeps or declines a substitute at the kiosk; a settled prepaid order is then charged."""
    money.answer_substitute(session, order, line_id=line_id, accept=accept)
    money.charge_if_final(session, order, now=now)
    return order


@transactional
def staff_confirm_amount(*, session: Session, order_id: int, now: datetime, scope: Scope) -> GroceryOrder:
    """A grid worker or admin settles a bill the resident could not confirm (after phoning them)."""
    order = get_order(session, order_id, scope=scope)
    if order.state != "received":
        raise InvalidTransition("老人收货后才能确认金额")
    for line in order.lines:
        if line.outcome == "substitute" and not line.substitute_answer:
            money.answer_substitute(session, order, line_id=line.id, accept=True)
    money.confirm_amount(session, order, amount_fen=None, accepted=True, now=now, by="staff")
    money.charge_if_final(session, order, now=now)
    return order


@transactional
def cancel_order(*, session: Session, order_id: int, reason: str, now: datetime, scope: Scope | None) -> GroceryOrder:
    """Cancel an order nobody has bought yet."""
    order = get_order(session, order_id, scope=scope)
    if order.state == "cancelled":
        return order
    _move(session, order, from_states=("submitted", "claimed"),
          values={"state": "cancelled", "cancelled_at": now, "cancel_reason": reason[:200] or "已取消"})
    return order


def queue(session: Session, *, scope: Scope, states: tuple[str, ...] = ACTIVE_STATES,
          limit: int = 200) -> list[GroceryOrder]:
    """Orders in ``states`` inside ``scope``, oldest first."""
    query = _cards_in_scope(scope, GroceryOrder.state.in_(states))
    return list(session.scalars(query.order_by(GroceryOrder.created_at, GroceryOrder.id).limit(limit)))


def recent_finished(session: Session, *, scope: Scope, now: datetime, limit: int = 20,
                    within: timedelta = timedelta(days=30)) -> list[GroceryOrder]:
    """The latest received or cancelled orders inside ``scope`` placed ``within`` before ``now``, latest finished
    first (sorted by the database: a site has tens of thousands of finished orders)."""
    finished = func.coalesce(GroceryOrder.received_at, GroceryOrder.cancelled_at, GroceryOrder.created_at)
    query = _cards_in_scope(scope, GroceryOrder.state.in_(("received", "cancelled")),
                            GroceryOrder.created_at >= now - within)
    return list(session.scalars(query.order_by(finished.desc(), GroceryOrder.id.desc()).limit(limit)))


def _cards_in_scope(scope: Scope, *conditions: ColumnElement[bool]) -> Select[tuple[GroceryOrder]]:
    """Orders meeting ``conditions`` inside ``scope``, with what their cards show (lines and items, resident,
    claimer) loaded up front."""
    query = (select(GroceryOrder).outerjoin(Resident, GroceryOrder.resident_id == Resident.id).where(*conditions)
             .options(selectinload(GroceryOrder.lines).selectinload(GroceryOrderLine.item),
                      selectinload(GroceryOrder.resident), selectinload(GroceryOrder.claimed_by)))
    if scope.site_id is not None:
        query = query.where(GroceryOrder.site_id == scope.site_id)
    if scope.grid_ids is not None:
        query = query.where(Resident.grid_id.in_(scope.grid_ids))
    return query


def estimated_total_fen(order: GroceryOrder) -> int | None:
    """What the order should cost at usual prices (None when some item has no price)."""
    total = 0.0
    for line in order.lines:
        if line.unit_price_fen is None:
            return None
        total += line.unit_price_fen * line.quantity
    return round(total)


def format_quantity(quantity: float) -> str:
    """2.0 -> "2", 1.5 -> "1.5"."""
    return f"{quantity:g}"


def order_public(order: GroceryOrder) -> dict[str, Any]:
    """The order as a kiosk sees it: items, state, who is bringing it, no receipt."""
    return {
        "id": order.id,
        "state": order.state,
        "state_label": STATE_LABELS.get(order.state, order.state),
        "resident_id": order.resident_id,
        "items": [{"line_id": line.id, "item_id": line.item_id, "name": line.name, "quantity": line.quantity,
                   "unit": line.unit, "outcome": line.outcome or None, "substitute_name": line.substitute_name or None,
                   "substitute_price_fen": line.substitute_price_fen,
                   "substitute_answer": line.substitute_answer or None} for line in order.lines],
        "note": order.note,
        "estimated_total_fen": estimated_total_fen(order),
        "created_at": order.created_at,
        "claimed_by": order.claimed_by.display_name if order.claimed_by else None,
        "claimed_at": order.claimed_at,
        "bought_at": order.bought_at,
        "amount_paid_fen": order.amount_paid_fen,
        "amount_due_fen": order.amount_due_fen,
        "needs_confirmation": order.needs_confirmation,
        "amount_confirmed": order.amount_confirmed_at is not None,
        "payment_method": order.payment_method,
        "money_state": money.money_state(order),
        "delivered_at": order.delivered_at,
        "received_at": order.received_at,
        "cancelled_at": order.cancelled_at,
    }
