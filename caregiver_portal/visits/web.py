"""The visit diary (民情日记) on a grid worker's phone: log a visit in a few taps, see the week's count
against the target, and turn a need into a help request or a grocery order in one step."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from caregiver_portal.accounts.deps import StaffUser
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.web import attempt, redirect, render
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.scope import ScopeDep, resident_in_scope
from caregiver_portal.visits import service as visit_service
from caregiver_portal.visits.models import Visit

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]
NEXT_STEPS = {"save": "/visits", "order": "/orders/new?resident_id={resident_id}", "help": "/board"}


@router.get("/visits")
def visits_home(request: Request, user: StaffUser, session: SessionDep, scope: ScopeDep) -> Response:
    """My week against the target, my latest visits, and (admins) the team's week."""
    now = utcnow()
    households = visit_service.households_this_week(session, worker_id=user.id, now=now)
    team = visit_service.team_week(session, site_id=scope.site_id, now=now) if user.role == "admin" else []
    return render(request, "visits.html", user, households=households, target=visit_service.WEEKLY_TARGET,
                  visits=visit_service.recent_visits(session, scope=scope, worker_id=user.id, limit=15), team=team,
                  CONDITIONS=visit_service.CONDITIONS)


@router.get("/visits/new")
def new_visit(request: Request, user: StaffUser, session: SessionDep, scope: ScopeDep,
              resident_id: int | None = None) -> Response:
    """The few-taps visit form; residents not visited for longest come first."""
    residents = list(session.scalars(scope.filter_residents(select(Resident)).order_by(Resident.room)))
    last = dict(session.execute(select(Visit.resident_id, func.max(Visit.visited_at))
                                .group_by(Visit.resident_id)).tuples().all())
    residents.sort(key=lambda r: (last.get(r.id) is not None, last.get(r.id) or utcnow(), r.room))
    return render(request, "visit_form.html", user, residents=residents, resident_id=resident_id, last=last,
                  CONDITIONS=visit_service.CONDITIONS, NEEDS=visit_service.NEEDS)


@router.post("/visits/new", dependencies=CSRF)
async def save_visit(request: Request, user: StaffUser, session: SessionDep, scope: ScopeDep) -> Response:
    """Store the visit; then, as the worker chose, raise a help request or open a grocery order for the resident."""
    form = await request.form()
    step = str(form.get("next") or "save")
    resident_raw = str(form.get("resident_id") or "")
    outcome: list[str] = []

    def action() -> None:
        if step not in NEXT_STEPS:
            raise InvalidTransition("未知的操作")
        if not resident_raw.isdigit():
            raise InvalidTransition("请选择走访的居民")
        resident = resident_in_scope(session, scope, int(resident_raw))
        now = utcnow()
        visit = visit_service.log_visit(session=session, worker=user, resident=resident,
                                        condition=str(form.get("condition") or ""),
                                        needs=[str(n) for n in form.getlist("needs")],
                                        note=str(form.get("note") or ""), now=now)
        outcome.append(f"已记录走访：{resident.name}")
        if step == "help":
            alert = visit_service.raise_help_request(session=session, visit=visit, user=user, now=now)
            outcome.append(f"，求助 #{alert.id} 已发到报警看板")

    response = attempt(request, session, action, done=lambda: "".join(outcome), then="/visits",
                       failed=f"/visits/new?resident_id={resident_raw}" if resident_raw.isdigit() else "/visits/new")
    if outcome and step != "save":
        return redirect(NEXT_STEPS[step].format(resident_id=resident_raw))
    return response


@router.post("/visits/{visit_id}/help", dependencies=CSRF)
def visit_to_help(request: Request, visit_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep) -> Response:
    """Turn a need noted on an earlier visit into a help request."""
    def action() -> None:
        visit = session.get(Visit, visit_id)
        if visit is None or not scope.allows_resident(visit.resident):
            raise NotFound("找不到这次走访")
        visit_service.raise_help_request(session=session, visit=visit, user=user, now=utcnow())

    return attempt(request, session, action, done="已发到报警看板，等志愿者接单", then="/visits")
