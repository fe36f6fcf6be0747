"""The time bank's office pages: the site's scheme (cap, star levels, expiry), paper records entered by the office,
rewards waiting to be handed over, every holder's balance and level, export and import; and a volunteer's
donation of points to a family member or a resident in need."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from caregiver_portal.accounts.access import site_for_new_rows
from caregiver_portal.accounts.deps import AdminUser, CurrentUser, StaffUser
from caregiver_portal.accounts.models import User
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import attempt, render
from caregiver_portal.residents.models import Resident
from caregiver_portal.timebank import exchange, ledger, rules
from caregiver_portal.timebank import service as timebank
from caregiver_portal.timebank.accounts import holder_name, site_accounts

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]
MAX_IMPORT_BYTES = 5_000_000


def _people(session: SessionDep, site_id: int) -> tuple[list[User], list[Resident]]:
    users = list(session.scalars(select(User).where(User.site_id == site_id, User.active.is_(True))
                                 .order_by(User.display_name)))
    residents = list(session.scalars(select(Resident).where(Resident.site_id == site_id).order_by(Resident.name)
                                     .limit(2000)))
    return users, residents


@router.get("/timebank/office")
def office(request: Request, user: StaffUser, session: SessionDep) -> Response:
    """The office's page: paper records, hand-overs, accounts with levels, export and import; the scheme (admins)."""
    site_id = site_for_new_rows(user)
    users, residents = _people(session, site_id)
    return render(request, "timebank_office.html", user, scheme=ledger.scheme_for(session, site_id=site_id),
                  users=users, residents=residents, accounts=site_accounts(session, site_id=site_id),
                  waiting=timebank.waiting_redemptions(session, site_id=site_id), today=utcnow().date().isoformat())


@router.post("/timebank/office/scheme", dependencies=CSRF)
def save_scheme(request: Request, user: AdminUser, session: SessionDep,
                points_per_hour: Annotated[int, Form(ge=1, le=1000)],
                star_hours: Annotated[str, Form(max_length=100)], cap_hours: Annotated[str, Form(max_length=10)] = "",
                expiry_months: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Admins set the cap, the star thresholds, expiry and points per hour (an empty cap or expiry: none)."""
    def action() -> None:
        def optional(raw: str) -> int | None:
            if not raw.strip():
                return None
            if not raw.strip().isdigit():
                raise InvalidTransition("上限和有效期请填整数，或留空")
            return int(raw)

        parts = star_hours.replace("，", ",").split(",")
        if not all(part.strip().isdigit() for part in parts):
            raise InvalidTransition("星级门槛请从小到大填写，用逗号分开")
        scheme = rules.Scheme(points_per_hour=points_per_hour, cap_hours=optional(cap_hours),
                              star_hours=tuple(int(part) for part in parts), expiry_months=optional(expiry_months))
        ledger.set_scheme(session=session, site_id=site_for_new_rows(user), scheme=scheme)

    return attempt(request, session, action, done="时间银行规则已保存", then="/timebank/office#scheme")


@router.post("/timebank/office/paper", dependencies=CSRF)
def enter_paper(request: Request, user: StaffUser, session: SessionDep, holder: Annotated[str, Form(max_length=30)],
                hours: Annotated[float, Form(gt=0, le=24)], service_day: Annotated[str, Form(max_length=10)],
                paper_no: Annotated[PlainText, Form(max_length=40)],
                note: Annotated[PlainText, Form(max_length=100)] = "") -> Response:
    """The office enters a paper record (电子化纸质凭证); the line says who entered it."""
    return attempt(request, session, lambda: ledger.record_paper(
        session=session, site_id=site_for_new_rows(user), holder=ledger.Holder.parse(holder), hours=hours,
        service_day=service_day, paper_no=paper_no, note=note, entered_by=user, now=utcnow()),
        done=f"凭证 {paper_no} 已录入", then="/timebank/office#paper")


@router.post("/timebank/office/redemptions/{redemption_id}/given", dependencies=CSRF)
def given(request: Request, redemption_id: int, user: StaffUser, session: SessionDep) -> Response:
    """Staff handed the reward over."""
    return attempt(request, session, lambda: timebank.hand_over(session=session, redemption_id=redemption_id,
                                                                site_id=user.site_id, by=user, now=utcnow()),
                   done="已发放", then="/timebank/office#waiting")


@router.get("/timebank/export.{kind}")
def export(kind: str, user: AdminUser, session: SessionDep) -> Response:
    """The site's ledger as JSON or CSV (docs/timebank-format.md), to move hours to another centre or a city bank."""
    site_id = site_for_new_rows(user)
    stamp = utcnow().strftime("%Y%m%d")
    if kind == "csv":
        body, media = exchange.export_csv(session, site_id=site_id), "text/csv; charset=utf-8"
    else:
        body, media = exchange.export_json(session, site_id=site_id, now=utcnow()), "application/json"
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="anxin-timebank-{stamp}.{"csv" if kind == "csv" else "json"}"'})


@router.post("/timebank/office/import", dependencies=CSRF)
async def import_file(request: Request, user: AdminUser, session: SessionDep,
                      upload: Annotated[UploadFile, File()]) -> Response:
    """Import an export file from another centre; lines stored before (same id) are refused."""
    raw = await upload.read(MAX_IMPORT_BYTES + 1)
    outcome: list[exchange.ImportResult] = []

    def action() -> None:
        if len(raw) > MAX_IMPORT_BYTES:
            raise InvalidTransition("文件太大（最多 5 MB）")
        outcome.append(exchange.import_file(session=session, site_id=site_for_new_rows(user), raw=raw, by=user))

    def done() -> str:
        result = outcome[0]
        refused = "；".join(f"第 {row} 条：{reason}" for row, reason in result.refused[:5])
        more = f" 等 {len(result.refused)} 条" if len(result.refused) > 5 else ""
        return f"导入 {result.stored} 条" + (f"，未导入 {len(result.refused)} 条（{refused}{more}）" if refused else "")

    return attempt(request, session, action, done=done, then="/timebank/office#exchange")


@router.get("/timebank/donate")
def donate_form(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """A volunteer gives points to a family member (another account) or a resident in need."""
    site_id = site_for_new_rows(user)
    users, residents = _people(session, site_id)
    return render(request, "timebank_donate.html", user, users=[u for u in users if u.id != user.id],
                  residents=residents, balance=timebank.balance(session, user_id=user.id))


@router.post("/timebank/donate", dependencies=CSRF)
def donate(request: Request, user: CurrentUser, session: SessionDep, receiver: Annotated[str, Form(max_length=30)],
           points: Annotated[int, Form(ge=1, le=1_000_000)]) -> Response:
    """Give points: a line out of the volunteer's account and a line into the receiver's."""
    def action() -> None:
        to = ledger.Holder.parse(receiver)
        ledger.donate(session=session, site_id=site_for_new_rows(user), giver=ledger.Holder("user", user.id),
                      receiver=to, points=points, now=utcnow(), by=user, giver_name=user.display_name,
                      receiver_name=holder_name(session, to, site_id=site_for_new_rows(user)))

    return attempt(request, session, action, done=f"已捐出 {points} 分，谢谢您", then="/timebank",
                   failed="/timebank/donate")
