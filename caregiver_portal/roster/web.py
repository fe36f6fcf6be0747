"""The roster pages: each grid's cover (who is on call now, whom an SOS would call at each step, the hours
nobody covers, in red), and one person's phone, weekly on-call hours and leave."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from caregiver_portal.accounts import admin as admin_service
from caregiver_portal.accounts.deps import AdminUser
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep, StateDep
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import attempt, render
from caregiver_portal.escalation.config import policies_for
from caregiver_portal.roster import service
from caregiver_portal.roster.overview import site_cover
from caregiver_portal.roster.rules import DAY_NAMES, format_roster

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]
Text = Annotated[PlainText, Form(max_length=500)]


@router.get("/admin/roster")
def roster_page(request: Request, user: AdminUser, session: SessionDep, state: StateDep) -> Response:
    """Per grid: who is on call now, whom an SOS would call at each step, and the week's uncovered hours."""
    now = utcnow()
    policies = policies_for(state.settings)
    sites = [(site, site_cover(session, site=site, policies=policies, now=now))
             for site in admin_service.managed_sites(session, admin=user)]
    return render(request, "roster.html", user, sites=sites, now=now, day_names=DAY_NAMES,
                  zones={site.id: service.site_zone(site) for site, _ in sites})


@router.get("/admin/users/{user_id}/roster")
def person_page(request: Request, user_id: int, user: AdminUser, session: SessionDep) -> Response:
    """One person's phone, weekly on-call hours and leave."""
    person = admin_service.managed_user(session, admin=user, user_id=user_id)
    shifts = service.rosters(session, [person.id], now=utcnow())[person.id].shifts
    return render(request, "roster_person.html", user, person=person, roster=format_roster(shifts),
                  leaves=service.leaves_of(session, user_id=person.id, now=utcnow()),
                  rostered=person.role in service.ROSTERED_ROLES)


@router.post("/admin/users/{user_id}/roster", dependencies=CSRF)
def save_roster(request: Request, user_id: int, user: AdminUser, session: SessionDep, roster: Text) -> Response:
    """Replace the person's weekly on-call hours."""
    return attempt(request, session, lambda: service.set_roster(
        session=session, user=admin_service.managed_user(session, admin=user, user_id=user_id), text=roster),
        done="值班时间已保存", then=f"/admin/users/{user_id}/roster")


@router.post("/admin/users/{user_id}/phone", dependencies=CSRF)
def save_phone(request: Request, user_id: int, user: AdminUser, session: SessionDep, phone: Text) -> Response:
    """Set the phone the bots @-mention and the board shows."""
    return attempt(request, session, lambda: admin_service.set_phone(
        session=session, user=admin_service.managed_user(session, admin=user, user_id=user_id), phone=phone),
        done="电话已保存", then=f"/admin/users/{user_id}/roster")


@router.post("/admin/users/{user_id}/leave", dependencies=CSRF)
def add_leave(request: Request, user_id: int, user: AdminUser, session: SessionDep, first: Text, last: Text = "",
              reason: Text = "") -> Response:
    """Record leave: the person is not called on those days."""
    def action() -> None:
        person = admin_service.managed_user(session, admin=user, user_id=user_id)
        try:
            start = date.fromisoformat(first)
            end = date.fromisoformat(last) if last else start
        except ValueError as exc:
            raise InvalidTransition("请选择请假的开始和结束日期") from exc
        service.add_leave(session=session, user=person, first=start, last=end, reason=reason, now=utcnow())

    return attempt(request, session, action, done="请假已记录：这几天不会呼叫他/她",
                   then=f"/admin/users/{user_id}/roster")


@router.post("/admin/users/{user_id}/leave/{leave_id}/cancel", dependencies=CSRF)
def cancel_leave(request: Request, user_id: int, leave_id: int, user: AdminUser, session: SessionDep) -> Response:
    """Take back a leave: the person is called again during their shifts."""
    return attempt(request, session, lambda: service.cancel_leave(
        session=session, user=admin_service.managed_user(session, admin=user, user_id=user_id), leave_id=leave_id),
        done="已取消请假", then=f"/admin/users/{user_id}/roster")
