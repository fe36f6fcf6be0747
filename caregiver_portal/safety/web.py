"""The daily check-in in the browser: today's list (volunteers and grid workers mark a resident seen),
each resident's safety plan and care level (grid workers and admins), bands that missed their test press."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from caregiver_portal.accounts.deps import CurrentUser, StaffUser
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.web import attempt, render
from caregiver_portal.residents.care import CARE_LEVELS, level_label
from caregiver_portal.residents.scope import ScopeDep, resident_in_scope
from caregiver_portal.safety import plans
from caregiver_portal.safety.checkins import SOURCE_LABELS, record_staff_checkin
from caregiver_portal.safety.overview import plan_of, todays_checkins, untested_bands
from caregiver_portal.safety.plans import PlanChange

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]


@router.get("/checkins")
def checkin_list(request: Request, user: CurrentUser, session: SessionDep, scope: ScopeDep) -> Response:
    """Today's check-ins of the user's residents, who needs most care first; untested bands for staff."""
    now = utcnow()
    bands = untested_bands(session, scope, now=now) if user.role != "volunteer" else []
    return render(request, "checkins.html", user, lines=todays_checkins(session, scope, now=now), now=now,
                  sources=SOURCE_LABELS, level_label=level_label, untested=bands)


@router.post("/checkins/{resident_id}/seen", dependencies=CSRF)
def mark_seen(request: Request, resident_id: int, user: CurrentUser, session: SessionDep,
              scope: ScopeDep) -> Response:
    """The user saw the resident today: that is the resident's check-in."""
    resident = resident_in_scope(session, scope, resident_id)
    return attempt(request, session, lambda: record_staff_checkin(session=session, resident=resident, user=user,
                                                                    now=utcnow()),
                   done=f"已记录：今天见到 {resident.name}", then="/checkins")


@router.get("/checkins/{resident_id}/plan")
def plan_form(request: Request, resident_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep) -> Response:
    """A resident's care level, living alone, check-in deadline and band-wearing hours."""
    resident = resident_in_scope(session, scope, resident_id)
    return render(request, "checkin_plan.html", user, resident=resident, plan=plan_of(session, resident),
                  levels=CARE_LEVELS, hhmm=_hhmm)


@router.post("/checkins/{resident_id}/plan", dependencies=CSRF)
def save_plan(request: Request, resident_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep,
              care_level: Annotated[str, Form(max_length=2)] = "",
              lives_alone: Annotated[bool, Form()] = False, checkin: Annotated[bool, Form()] = False,
              deadline: Annotated[str, Form(max_length=5)] = "10:00",
              wear_start: Annotated[str, Form(max_length=5)] = "07:00",
              wear_end: Annotated[str, Form(max_length=5)] = "22:00",
              silent_after_h: Annotated[float, Form(gt=0, le=24)] = 2.0,
              charge_at: Annotated[str, Form(max_length=5)] = "21:00") -> Response:
    """Store the plan (all or nothing; a wrong time is refused with the reason)."""
    resident = resident_in_scope(session, scope, resident_id)
    change = PlanChange(care_level=care_level, lives_alone=lives_alone, checkin=checkin, deadline=deadline,
                        wear_start=wear_start, wear_end=wear_end, silent_after_h=silent_after_h, charge_at=charge_at)
    return attempt(request, session, lambda: plans.save_plan(session=session, resident=resident, change=change,
                                                             now=utcnow()),
                   done=f"已保存 {resident.name} 的平安打卡和手环设置", then="/checkins",
                   failed=f"/checkins/{resident_id}/plan")


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
