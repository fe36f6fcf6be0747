"""电话代录 in the browser (staff): pick the resident in a few taps, then record a help request, a grocery order
or an activity sign-up for them. Each form carries a one-time token: sending it twice stores one request."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from caregiver_portal.accounts.deps import StaffUser
from caregiver_portal.activities.service import upcoming
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import attempt, render
from caregiver_portal.orders.catalog import list_items, picture_url
from caregiver_portal.orders.web import lines_from_form
from caregiver_portal.phone import service
from caregiver_portal.residents.scope import ScopeDep, resident_in_scope

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]
Token = Annotated[PlainText, Form(max_length=100)]
Channel = Annotated[PlainText, Form(max_length=10)]
KIND_LABELS = {"help": "求助", "order": "代购", "signup": "活动报名"}


@router.get("/phone")
def phone_home(request: Request, user: StaffUser, session: SessionDep, scope: ScopeDep, q: str = "") -> Response:
    """Who phoned? Search by name, building/room or phone; without a search, recent callers first."""
    residents = service.pick_residents(session, scope=scope, query=q[:50], recent_since=utcnow() - timedelta(days=30))
    recent = service.recent_requests(session, scope=scope)
    statuses = {r.id: service.request_status(session, r) for r in recent}
    return render(request, "phone.html", user, residents=residents, q=q[:50], recent=recent, statuses=statuses,
                  kind_labels=KIND_LABELS)


@router.get("/phone/{resident_id}")
def phone_resident(request: Request, resident_id: int, user: StaffUser, session: SessionDep,
                   scope: ScopeDep) -> Response:
    """The three things the desk can record for this resident, each a short form."""
    resident = resident_in_scope(session, scope, resident_id)
    now = utcnow()
    activities = [a for a in upcoming(session, site_id=resident.site_id, now=now)
                  if a.cancelled_at is None and a.starts_at > now]
    return render(request, "phone_resident.html", user, resident=resident, token=service.new_token(),
                  catalog=list_items(session, site_id=resident.site_id), picture_url=picture_url,
                  activities=activities)


def _done(request_kind: str, duplicate: list[bool]) -> str:
    if duplicate and duplicate[0]:
        return "这张表已经提交过了，没有重复记录"
    return f"已记录{KIND_LABELS[request_kind]}（电话代录）"


@router.post("/phone/{resident_id}/help", dependencies=CSRF)
def record_help(request: Request, resident_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep,
                token: Token, channel: Channel = "phone", note: Annotated[PlainText, Form(max_length=200)] = "",
                emergency: Annotated[str, Form(max_length=5)] = "") -> Response:
    """A help request onto the board (escalated like a kiosk's)."""
    duplicate: list[bool] = []

    def action() -> None:
        resident = resident_in_scope(session, scope, resident_id)
        done = service.record_help(session=session, token=token, resident=resident, user=user, channel=channel,
                                   note=note, emergency=emergency == "1", now=utcnow())
        duplicate.append(done.duplicate)

    return attempt(request, session, action, done=lambda: _done("help", duplicate), then="/phone",
                   failed=f"/phone/{resident_id}")


@router.post("/phone/{resident_id}/order", dependencies=CSRF)
async def record_order(request: Request, resident_id: int, user: StaffUser, session: SessionDep,
                       scope: ScopeDep) -> Response:
    """A grocery order into the volunteers' queue."""
    form = await request.form()
    duplicate: list[bool] = []

    def action() -> None:
        resident = resident_in_scope(session, scope, resident_id)
        done = service.record_order(session=session, token=str(form.get("token") or ""), resident=resident,
                                    user=user, channel=str(form.get("channel") or "phone"),
                                    note=str(form.get("note") or "")[:200], lines=lines_from_form(form),
                                    now=utcnow())
        duplicate.append(done.duplicate)

    return attempt(request, session, action, done=lambda: _done("order", duplicate), then="/phone",
                   failed=f"/phone/{resident_id}")


@router.post("/phone/{resident_id}/signup", dependencies=CSRF)
def record_signup(request: Request, resident_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep,
                  token: Token, channel: Channel = "phone",
                  activity_id: Annotated[str, Form(max_length=12)] = "") -> Response:
    """An activity sign-up (confirmed while there are places, else waitlisted)."""
    duplicate: list[bool] = []

    def action() -> None:
        if not activity_id.isdigit():
            raise InvalidTransition("请选择活动")
        resident = resident_in_scope(session, scope, resident_id)
        done = service.record_signup(session=session, token=token, resident=resident, user=user, channel=channel,
                                     activity_id=int(activity_id), now=utcnow())
        duplicate.append(done.duplicate)

    return attempt(request, session, action, done=lambda: _done("signup", duplicate), then="/phone",
                   failed=f"/phone/{resident_id}")
