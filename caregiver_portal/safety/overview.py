"""What the check-in page shows: today's check-in of each resident in a scope (who needs most care first),
each resident's plan, and the bands that missed their weekly test press."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caregiver_portal.alerts.models import Alert
from caregiver_portal.bands.models import Wristband
from caregiver_portal.residents.care import roll_call_order
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.scope import Scope
from caregiver_portal.safety.checkin_rules import deadline_at, local_day
from caregiver_portal.safety.checkins import site_zone
from caregiver_portal.safety.models import Checkin, SafetyPlan

TEST_PRESS_EVERY = timedelta(days=7)
"""Each band's button should be pressed (a check-in double press, or an SOS) at least once a week."""


@dataclass(frozen=True)
class CheckinLine:
    """One resident on today's check-in list."""

    resident: Resident
    deadline: datetime
    checkin: Checkin | None
    """Today's first check-in, if any."""

    def missed(self, now: datetime) -> bool:
        """The deadline passed without a check-in."""
        return self.checkin is None and now >= self.deadline


def todays_checkins(session: Session, scope: Scope, *, now: datetime) -> list[CheckinLine]:
    """Residents of ``scope`` on the daily check-in with today's state, highest care level first."""
    query = scope.filter_residents(select(Resident, SafetyPlan.checkin_deadline_min)
                                   .join(SafetyPlan, SafetyPlan.resident_id == Resident.id)
                                   .where(SafetyPlan.checkin.is_(True)))
    rows = session.execute(query.limit(2000)).all()
    deadlines = {}
    for resident, minute in rows:
        zone = site_zone(resident.site)
        deadlines[resident.id] = (local_day(now, zone), deadline_at(local_day(now, zone), minute,
                                                                      resident.care_level, zone))
    days = {day for day, _ in deadlines.values()}
    first: dict[int, Checkin] = {}
    if deadlines:
        for row in session.scalars(select(Checkin).where(Checkin.resident_id.in_(deadlines), Checkin.day.in_(days))
                                   .order_by(Checkin.at)):
            if row.day == deadlines[row.resident_id][0]:
                first.setdefault(row.resident_id, row)
    ordered = roll_call_order(resident for resident, _ in rows)
    return [CheckinLine(r, deadlines[r.id][1], first.get(r.id)) for r in ordered]


def plan_of(session: Session, resident: Resident) -> SafetyPlan:
    """The resident's plan (a new one with the defaults, not yet added, if none is stored)."""
    plan = session.get(SafetyPlan, resident.id)
    if plan is None:
        plan = SafetyPlan(resident_id=resident.id, checkin=False, checkin_deadline_min=600, wear_start_min=420,
                          wear_end_min=1320, silent_after_s=7200, charge_at_min=1260)
    return plan


@dataclass(frozen=True)
class UntestedBand:
    """A band whose button was not pressed in the last week."""

    band: Wristband
    last_press_at: datetime | None


def untested_bands(session: Session, scope: Scope, *, now: datetime) -> list[UntestedBand]:
    """Paired bands of ``scope`` with no press (check-in or SOS) for :data:`TEST_PRESS_EVERY`."""
    bands = list(session.scalars(scope.filter_residents(
        select(Wristband).join(Resident, Resident.id == Wristband.resident_id)).order_by(Wristband.address)))
    if not bands:
        return []
    ids = [band.id for band in bands]
    pressed: dict[int | None, datetime] = {band_id: at for band_id, at in session.execute(
        select(Checkin.wristband_id, func.max(Checkin.at)).where(Checkin.wristband_id.in_(ids))
        .group_by(Checkin.wristband_id))}
    for band_id, at in session.execute(select(Alert.wristband_id, func.max(Alert.created_at))
                                       .where(Alert.wristband_id.in_(ids), Alert.kind == "sos")
                                       .group_by(Alert.wristband_id)):
        pressed[band_id] = max(at, pressed.get(band_id) or at)
    since = now - TEST_PRESS_EVERY
    return [UntestedBand(band, pressed.get(band.id)) for band in bands
            if pressed.get(band.id) is None or pressed[band.id] < since]
