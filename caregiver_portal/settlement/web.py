"""Money settled in the browser: a volunteer's month (admins: any volunteer, CSV, payouts, the confirmation
share; volunteers: their own), and a resident's prepaid balance (staff: top-ups and refunds)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from caregiver_portal.accounts.deps import AdminUser, CurrentUser, StaffUser
from caregiver_portal.accounts.models import Site, User
from caregiver_portal.core.clock import CHINA_TIME, utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import attempt, parse_yuan, redirect, render
from caregiver_portal.residents.scope import ScopeDep, resident_in_scope
from caregiver_portal.settlement import service
from caregiver_portal.settlement.sheet import PAYMENT_LABELS, sheet_csv

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]


def this_month() -> str:
    """The current month, China time (``2026-12``)."""
    return utcnow().astimezone(CHINA_TIME).strftime("%Y-%m")


def _volunteer(session: SessionDep, user: User, volunteer_id: int | None) -> User:
    """Volunteers see their own sheet; admins pick anyone of their site."""
    if user.role != "admin" or volunteer_id is None or volunteer_id == user.id:
        return user
    person = session.get(User, volunteer_id)
    if person is None or (user.site_id is not None and person.site_id != user.site_id):
        raise NotFound("找不到这位志愿者")
    return person


def _month(month: str) -> str:
    month = month or this_month()
    service.parse_month(month)
    return month


@router.get("/settlement")
def settlement_page(request: Request, user: CurrentUser, session: SessionDep, month: str = "",
                    volunteer_id: int | None = None) -> Response:
    """结算: a volunteer's orders of a month, what the centre owes them, payouts (admins pick the volunteer)."""
    try:
        month = _month(month)
    except InvalidTransition:
        month = this_month()
    person = _volunteer(session, user, volunteer_id)
    sheet = service.month_sheet(session, volunteer=person, month=month, site_id=user.site_id)
    people: list[User] = []
    percent = None
    if user.role == "admin":
        query = select(User).where(User.active.is_(True)).order_by(User.display_name)
        if user.site_id is not None:
            query = query.where(User.site_id == user.site_id)
        people = list(session.scalars(query))
        site = session.get(Site, user.site_id) if user.site_id is not None else None
        percent = site.settle_confirm_percent if site is not None else None
    return render(request, "settlement.html", user, sheet=sheet, month=month, people=people, percent=percent,
                  money_state=service.money_state, payment_labels=PAYMENT_LABELS)


@router.get("/settlement.csv")
def settlement_csv(user: AdminUser, session: SessionDep, month: str = "", volunteer_id: int | None = None) -> Response:
    """The sheet as a CSV file for Excel."""
    month = _month(month)
    person = _volunteer(session, user, volunteer_id)
    sheet = service.month_sheet(session, volunteer=person, month=month, site_id=user.site_id)
    filename = f"anxin-settlement-{person.id}-{month}.csv"
    return Response(sheet_csv(sheet), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/settlement/payouts", dependencies=CSRF)
def add_payout(request: Request, user: AdminUser, session: SessionDep, volunteer_id: Annotated[int, Form()],
               month: Annotated[PlainText, Form(max_length=7)], amount: Annotated[PlainText, Form(max_length=20)],
               note: Annotated[PlainText, Form(max_length=200)] = "") -> Response:
    """An admin paid the volunteer back (cash or transfer): recorded as a payout of the month."""
    page = f"/settlement?volunteer_id={volunteer_id}&month={month}"

    def action() -> None:
        try:
            fen = parse_yuan(amount)
        except ValueError as exc:
            raise InvalidTransition("请填写金额，例如 120.5") from exc
        service.record_payout(session=session, volunteer=_volunteer(session, user, volunteer_id), month=month,
                              amount_fen=fen, user=user, note=note, now=utcnow())

    return attempt(request, session, action, done="已记录付款", then=page)


@router.post("/settlement/percent", dependencies=CSRF)
def set_percent(request: Request, user: AdminUser, session: SessionDep,
                percent: Annotated[int, Form(ge=0, le=100)]) -> Response:
    """The site's share beyond which the resident confirms the bill at the kiosk."""
    if user.site_id is None:
        return redirect("/settlement")
    site_id = user.site_id
    return attempt(request, session, lambda: service.set_confirm_percent(session=session, site_id=site_id,
                                                                         percent=percent),
                   done=f"已保存：相差超过 {percent}% 时请老人确认", then="/settlement")


@router.get("/residents/{resident_id}/balance")
def balance_page(request: Request, resident_id: int, user: StaffUser, session: SessionDep,
                 scope: ScopeDep) -> Response:
    """预存款: a resident's balance and ledger, with a top-up form."""
    resident = resident_in_scope(session, scope, resident_id)
    return render(request, "resident_balance.html", user, resident=resident,
                  balance=service.balance_of(session, resident.id), entries=service.ledger(session, resident.id))


@router.post("/residents/{resident_id}/balance", dependencies=CSRF)
def top_up(request: Request, resident_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep,
           amount: Annotated[PlainText, Form(max_length=20)], kind: Annotated[PlainText, Form(max_length=10)] = "topup",
           note: Annotated[PlainText, Form(max_length=200)] = "") -> Response:
    """Money paid in at the desk (充值), or paid back to the resident (退款)."""
    page = f"/residents/{resident_id}/balance"

    def action() -> None:
        resident = resident_in_scope(session, scope, resident_id)
        try:
            fen = parse_yuan(amount)
        except ValueError as exc:
            raise InvalidTransition("请填写金额，例如 200") from exc
        service.top_up(session=session, resident=resident, amount_fen=-fen if kind == "refund" else fen, user=user,
                       note=note, now=utcnow())

    return attempt(request, session, action, done="已记账", then=page)
