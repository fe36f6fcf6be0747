"""Residents' voice (反映问题) in the browser: the grid worker's list, recording one on a visit, replying and
closing, marking a suggestion useful (the resident earns points), and handing a report to someone else."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from caregiver_portal.accounts.deps import StaffUser
from caregiver_portal.accounts.models import User
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import attempt, render
from caregiver_portal.feedback import service
from caregiver_portal.feedback.models import CATEGORIES, KINDS
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.scope import ScopeDep

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]


@router.get("/feedback")
def feedback_list(request: Request, user: StaffUser, session: SessionDep, scope: ScopeDep,
                  state: str = "open") -> Response:
    """Open reports (oldest first; mine marked) or the closed ones."""
    rows = service.listing(session, scope=scope, state=state)
    return render(request, "feedback_list.html", user, rows=rows, state=state, KINDS=KINDS, CATEGORIES=CATEGORIES,
                  now=utcnow())


@router.get("/feedback/new")
def feedback_form(request: Request, user: StaffUser, session: SessionDep, scope: ScopeDep,
                  resident_id: int | None = None) -> Response:
    """Record what a resident said on a visit."""
    residents = session.scalars(scope.filter_residents(select(Resident)).order_by(Resident.name).limit(500)).all()
    return render(request, "feedback_new.html", user, residents=residents, resident_id=resident_id, KINDS=KINDS,
                  CATEGORIES=CATEGORIES)


@router.post("/feedback/new", dependencies=CSRF)
def feedback_record(request: Request, user: StaffUser, session: SessionDep, scope: ScopeDep,
                    resident_id: Annotated[int, Form(ge=1, le=2**31 - 1)], kind: Annotated[str, Form(max_length=20)],
                    category: Annotated[str, Form(max_length=20)],
                    text: Annotated[PlainText, Form(max_length=500)] = "") -> Response:
    """Store a report recorded on a visit; it goes to the resident's grid worker."""
    return attempt(request, session, lambda: service.record_on_visit(
        session=session, user=user, scope=scope, resident_id=resident_id, kind=kind, category=category, text=text,
        now=utcnow()), done="已记录，居民下次到自助机时会听到答复", then="/feedback", failed="/feedback/new")


@router.get("/feedback/{feedback_id}")
def feedback_detail(request: Request, feedback_id: int, user: StaffUser, session: SessionDep,
                    scope: ScopeDep) -> Response:
    """One report: what was said, who has it, the reply form."""
    row = service.feedback_in_scope(session, scope, feedback_id)
    staff = session.scalars(select(User).where(User.site_id == row.site_id, User.role != "volunteer",
                                               User.active.is_(True)).order_by(User.display_name)).all()
    return render(request, "feedback_detail.html", user, row=row, staff=staff, KINDS=KINDS, CATEGORIES=CATEGORIES)


@router.post("/feedback/{feedback_id}/close", dependencies=CSRF)
def feedback_close(request: Request, feedback_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep,
                   reply: Annotated[PlainText, Form(max_length=300)] = "") -> Response:
    """Close with the reply the resident hears at the kiosk."""
    return attempt(request, session, lambda: service.close(session=session, scope=scope, feedback_id=feedback_id,
                                                           user=user, reply=reply, now=utcnow()),
                   done="已办结，居民下次到自助机时会听到答复", then=f"/feedback/{feedback_id}")


@router.post("/feedback/{feedback_id}/useful", dependencies=CSRF)
def feedback_useful(request: Request, feedback_id: int, user: StaffUser, session: SessionDep,
                    scope: ScopeDep) -> Response:
    """Adopt a suggestion: the resident earns the site's points for a useful suggestion."""
    return attempt(request, session, lambda: service.mark_useful(session=session, scope=scope,
                                                                 feedback_id=feedback_id, user=user, now=utcnow()),
                   done="已采纳，居民获得积分", then=f"/feedback/{feedback_id}")


@router.post("/feedback/{feedback_id}/assign", dependencies=CSRF)
def feedback_assign(request: Request, feedback_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep,
                    user_id: Annotated[int, Form(ge=1, le=2**31 - 1)]) -> Response:
    """Hand the report to another grid worker or admin of the site."""
    return attempt(request, session, lambda: service.assign(session=session, scope=scope, feedback_id=feedback_id,
                                                            user_id=user_id),
                   done="已转交", then=f"/feedback/{feedback_id}")
