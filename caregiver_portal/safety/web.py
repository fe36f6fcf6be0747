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
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.web import attempt, render
from caregiver_portal.residents.care import CARE_LEVELS, level_label
from caregiver_portal.residents.scope import ScopeDep, resident_in_scope
from caregiver_portal.safety.checkins import SOURCE_LABELS, record_staff_checkin
from caregiver_portal.safety.models import SafetyPlan
from caregiver_portal.safety.overview import plan_of, todays_checkins, untested_bands

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

    def apply() -> None:
        plan = plan_of(session, resident)
        resident.care_level = _level(care_level)
        resident.lives_alone = lives_alone
        plan.checkin, plan.checkin_deadline_min = checkin, _minutes(deadline)
        plan.wear_start_min, plan.wear_end_min = _minutes(wear_start), _minutes(wear_end)
        plan.silent_after_s, plan.charge_at_min = int(silent_after_h * 3600), _minutes(charge_at)
        plan.updated_at = utcnow()
        if plan.wear_end_min <= plan.wear_start_min:
            raise InvalidTransition("佩戴结束时间要晚于开始时间")
        if session.get(SafetyPlan, resident.id) is None:
            session.add(plan)

    return attempt(request, session, apply, done=f"已保存 {resident.name} 的平安打卡和手环设置",
                   then="/checkins", failed=f"/checkins/{resident_id}/plan")


def _level(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.isdigit() or int(text) >= len(CARE_LEVELS):
        raise InvalidTransition("能力等级不正确")
    return int(text)


def _minutes(text: str) -> int:
    """"07:30" -> 450; refused with the reason otherwise."""
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise InvalidTransition(f"时间“{text}”不正确，请写成 07:30 这样")
    return int(hours) * 60 + int(minutes)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
