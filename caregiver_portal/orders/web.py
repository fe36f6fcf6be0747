"""Grocery proxy orders in the browser: the queue, claim → bought (amount, receipt photo) → delivered,
an order's history, and new orders placed by grid workers for a resident."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from caregiver_portal.accounts.access import site_for_new_rows
from caregiver_portal.accounts.deps import CurrentUser, StaffUser
from caregiver_portal.activities.service import recent_kiosk_signups
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep, StateDep
from caregiver_portal.core.errors import InvalidTransition, NotFound, PortalError
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import attempt, flash, parse_yuan, redirect, render
from caregiver_portal.offers import service as offer_service
from caregiver_portal.orders import service as order_service
from caregiver_portal.orders.catalog import list_items, picture_url
from caregiver_portal.orders.receipts import MEDIA_TYPES, delete_receipt, receipt_path, save_receipt
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.scope import ScopeDep, resident_in_scope
from caregiver_portal.settlement.service import LineResult, money_state

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]


def _common() -> dict[str, Any]:
    return {"STATE_LABELS": order_service.STATE_LABELS, "picture_url": picture_url,
            "picture_url_for": lambda line: picture_url(line.item) if line.item else None,
            "estimated_total_fen": order_service.estimated_total_fen, "qty": order_service.format_quantity,
            "money_state": money_state,
            "now": utcnow()}


@router.get("/orders")
def order_queue(request: Request, user: CurrentUser, session: SessionDep, scope: ScopeDep) -> Response:
    """The volunteers' queue: my orders, those waiting for a volunteer, the others in progress, and the kiosk's
    new activity sign-ups; the page follows ``/queue/events`` and re-reads itself on each change."""
    active = order_service.queue(session, scope=scope)
    mine = [o for o in active if o.claimed_by_id == user.id and o.state in ("claimed", "bought")]
    waiting = [o for o in active if o.state == "submitted"]
    others = [o for o in active if o not in mine and o not in waiting]
    done = order_service.recent_finished(session, scope=scope, now=utcnow(), limit=10)
    signups = recent_kiosk_signups(session, scope=scope, now=utcnow())
    offers = offer_service.card_lines(session, subject="order", ids=[o.id for o in waiting])
    return render(request, "orders_list.html", user, mine=mine, waiting=waiting, others=others, done=done,
                  signups=signups, offers=offers, **_common())


@router.get("/orders/new")
def new_order_form(request: Request, user: StaffUser, session: SessionDep, scope: ScopeDep,
                   resident_id: int | None = None) -> Response:
    """A grid worker orders for a resident (from a home visit or a phone call)."""
    site_id = site_for_new_rows(user)
    residents = list(session.scalars(scope.filter_residents(select(Resident)).order_by(Resident.room)))
    return render(request, "order_new.html", user, residents=residents, resident_id=resident_id,
                  catalog=list_items(session, site_id=site_id), **_common())


def _quantity(text: str) -> float:
    try:
        return float(text)
    except ValueError as exc:
        raise InvalidTransition(f"数量“{text}”看不懂，请填数字") from exc


def lines_from_form(form: FormData) -> list[order_service.LineRequest]:
    """Order lines from the new-order form: ``qty-<item id>`` fields plus one free-text extra item."""
    lines = [order_service.LineRequest(quantity=_quantity(value), item_id=int(key[4:]))
             for key, value in form.multi_items()
             if key.startswith("qty-") and key[4:].isdigit() and isinstance(value, str) and value.strip()]
    extra = str(form.get("extra_name") or "").strip()
    if extra:
        lines.append(order_service.LineRequest(quantity=_quantity(str(form.get("extra_quantity") or "1")),
                                               name=extra[:50], unit=str(form.get("extra_unit") or "").strip() or None))
    return lines


@router.post("/orders/new", dependencies=CSRF)
async def create_order(request: Request, user: StaffUser, session: SessionDep, scope: ScopeDep) -> Response:
    """Store the order typed by a grid worker for a resident."""
    form = await request.form()
    resident_raw = str(form.get("resident_id") or "")
    created: list[int] = []

    def action() -> None:
        if not resident_raw.isdigit():
            raise InvalidTransition("请选择居民")
        resident = resident_in_scope(session, scope, int(resident_raw))
        order = order_service.create_order_for_resident(session=session, user=user, resident=resident,
                                                        lines=lines_from_form(form),
                                                        note=str(form.get("note") or "")[:500], now=utcnow())
        created.append(order.id)

    again = f"/orders/new?resident_id={resident_raw}" if resident_raw.isdigit() else "/orders/new"
    response = attempt(request, session, action, done="代购单已提交，等志愿者认领", then="/orders", failed=again)
    return redirect(f"/orders/{created[0]}") if created else response


@router.get("/orders/{order_id}")
def order_detail(request: Request, order_id: int, user: CurrentUser, session: SessionDep, scope: ScopeDep) -> Response:
    """One order with its steps, who has it, and (for staff and its volunteer) the receipt."""
    order = order_service.get_order(session, order_id, scope=scope)
    offers = offer_service.card_lines(session, subject="order", ids=[order.id])
    return render(request, "order_detail.html", user, order=order, offers=offers, **_common())


@router.post("/orders/{order_id}/claim", dependencies=CSRF)
def claim(request: Request, order_id: int, user: CurrentUser, session: SessionDep, scope: ScopeDep) -> Response:
    """The volunteer takes the order."""
    return attempt(request, session, lambda: order_service.claim_order(
        session=session, order_id=order_id, user=user, now=utcnow(), scope=scope),
        done="已认领：买好后请填写金额", then=f"/orders/{order_id}", failed="/orders")


@router.post("/orders/{order_id}/release", dependencies=CSRF)
def release(request: Request, order_id: int, user: CurrentUser, session: SessionDep, scope: ScopeDep) -> Response:
    """The volunteer gives the order back to the queue."""
    return attempt(request, session, lambda: order_service.release_order(
        session=session, order_id=order_id, user=user, scope=scope), done="已放回待认领队列", then="/orders")


def line_results(form: FormData) -> dict[int, LineResult]:
    """Per line id: 买到了 / 没买到 / 换了别的 (with the substitute's name and price) from the bought form."""
    results = {}
    for key, value in form.multi_items():
        line = key.removeprefix("outcome-")
        if key.startswith("outcome-") and line.isdigit() and value in ("bought", "not_bought", "substitute"):
            price = str(form.get(f"sub-price-{line}") or "").strip()
            try:
                fen = parse_yuan(price) if value == "substitute" and price else None
            except ValueError as exc:
                raise InvalidTransition(f"替代品价格“{price}”看不懂，请填数字") from exc
            results[int(line)] = LineResult(str(value), substitute_name=str(form.get(f"sub-name-{line}") or ""),
                                            substitute_price_fen=fen)
    return results


@router.post("/orders/{order_id}/bought", dependencies=CSRF)
async def bought(request: Request, order_id: int, user: CurrentUser, session: SessionDep, scope: ScopeDep,
                 state: StateDep, amount: Annotated[PlainText, Form(max_length=20)],
                 receipt: Annotated[UploadFile | None, File()] = None) -> Response:
    """The volunteer bought the goods: amount paid and, optionally, a photo of the receipt.

    The photo is written first; if the order change is then refused or cannot be saved, the photo is removed
    again. A full disk answers 503 and keeps nothing (:func:`save_receipt`)."""
    page = f"/orders/{order_id}"
    try:
        fen = parse_yuan(amount)
    except ValueError:
        flash(request, "请填写实际花费的金额，例如 23.5", "error")
        return redirect(page)
    form = await request.form()
    content = await receipt.read() if receipt is not None and receipt.filename else b""
    name = None
    try:
        results = line_results(form)
        name = save_receipt(state.settings.data_dir, content) if content else None
        order_service.mark_bought(session=session, order_id=order_id, user=user, amount_paid_fen=fen,
                                  receipt_file=name, now=utcnow(), scope=scope, results=results)
    except PortalError as exc:
        delete_receipt(state.settings.data_dir, name)
        flash(request, str(exc), "error")
        return redirect(page)
    except BaseException:
        delete_receipt(state.settings.data_dir, name)
        raise
    flash(request, "已记录：送到后请点“已送达”")
    return redirect(page)


@router.post("/orders/{order_id}/delivered", dependencies=CSRF)
def delivered(request: Request, order_id: int, user: CurrentUser, session: SessionDep, scope: ScopeDep,
              payment: Annotated[PlainText, Form(max_length=10)] = "",
              cash: Annotated[PlainText, Form(max_length=20)] = "") -> Response:
    """The goods are at the resident's door: how the resident paid back (cash collected, or the prepaid balance)."""
    def action() -> None:
        try:
            cash_fen = parse_yuan(cash) if payment == "cash" and cash.strip() else None
        except ValueError as exc:
            raise InvalidTransition("请填写收到的现金，例如 23.5") from exc
        order_service.mark_delivered(session=session, order_id=order_id, user=user, now=utcnow(), scope=scope,
                                     payment=payment or None, cash_fen=cash_fen)

    return attempt(request, session, action, done="已送达，谢谢您！老人在自助机上确认后订单完成",
                   then=f"/orders/{order_id}")


@router.post("/orders/{order_id}/confirm-amount", dependencies=CSRF)
def confirm_amount(request: Request, order_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep) -> Response:
    """Staff settle a bill the resident could not confirm at the kiosk (after phoning them)."""
    return attempt(request, session, lambda: order_service.staff_confirm_amount(
        session=session, order_id=order_id, now=utcnow(), scope=scope), done="金额已确认", then=f"/orders/{order_id}")


@router.get("/orders/{order_id}/cancel")
def confirm_cancel(request: Request, order_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep,
                   reason: Annotated[PlainText, Query(max_length=200)] = "") -> Response:
    """Ask before cancelling an order (the reason typed on the order page comes along)."""
    order = order_service.get_order(session, order_id, scope=scope)
    who = f"（{order.resident.name}）" if order.resident else ""
    return render(request, "confirm.html", user, title="取消订单", question=f"确定要取消代购 #{order.id}{who}吗？",
                  consequence="取消后志愿者不再去买；" + (f"原因：{reason}" if reason else "没有填写原因。"),
                  action=f"/orders/{order_id}/cancel", button="取消这张订单", back=f"/orders/{order_id}",
                  hidden={"reason": reason})


@router.post("/orders/{order_id}/cancel", dependencies=CSRF)
def cancel(request: Request, order_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep,
           reason: Annotated[PlainText, Form(max_length=200)] = "") -> Response:
    """A grid worker or admin cancels an order nobody has bought yet."""
    return attempt(request, session, lambda: order_service.cancel_order(
        session=session, order_id=order_id, reason=reason or "工作人员取消", now=utcnow(), scope=scope),
        done="订单已取消", then=f"/orders/{order_id}")


@router.get("/orders/{order_id}/receipt")
def receipt_photo(request: Request, order_id: int, user: CurrentUser, session: SessionDep, scope: ScopeDep,
                  state: StateDep) -> Response:
    """The receipt photo, for staff and for the volunteer who bought the goods."""
    order = order_service.get_order(session, order_id, scope=scope)
    if not order.receipt_file or (user.role == "volunteer" and order.claimed_by_id != user.id):
        raise NotFound("没有小票照片")
    path = receipt_path(state.settings.data_dir, order.receipt_file)
    if not path.exists():
        flash(request, "小票照片文件不见了", "error")
        return redirect(f"/orders/{order_id}")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers={"Cache-Control": "private, max-age=3600"})
