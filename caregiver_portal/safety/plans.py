"""Changing a resident's safety plan and care level (the plan page's form), all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.uow import transactional
from caregiver_portal.residents.care import CARE_LEVELS
from caregiver_portal.residents.models import Resident
from caregiver_portal.safety.models import SafetyPlan
from caregiver_portal.safety.overview import plan_of


@dataclass(frozen=True)
class PlanChange:
    """A plan as the form gives it; times are "07:30" texts, checked by :func:`save_plan`."""

    care_level: str
    lives_alone: bool
    checkin: bool
    deadline: str
    wear_start: str
    wear_end: str
    silent_after_h: float
    charge_at: str


@transactional
def save_plan(*, session: Session, resident: Resident, change: PlanChange, now: datetime) -> SafetyPlan:
    """Store the resident's plan and care level; a wrong time or level is refused with the reason."""
    plan = plan_of(session, resident)
    resident.care_level = _level(change.care_level)
    resident.lives_alone = change.lives_alone
    plan.checkin, plan.checkin_deadline_min = change.checkin, _minutes(change.deadline)
    plan.wear_start_min, plan.wear_end_min = _minutes(change.wear_start), _minutes(change.wear_end)
    plan.silent_after_s, plan.charge_at_min = int(change.silent_after_h * 3600), _minutes(change.charge_at)
    plan.updated_at = now
    if plan.wear_end_min <= plan.wear_start_min:
        raise InvalidTransition("佩戴结束时间要晚于开始时间")
    if session.get(SafetyPlan, resident.id) is None:
        session.add(plan)
    return plan


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
