"""Carrying out a checked import plan inside the caller's transaction: every row or none.

A plan is only carried out when it refuses no row (:attr:`Plan.ok`); grids the sheet names that
do not exist yet are created. Residents without a 居民码 get the next free number.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Grid, Site, User, UserGrid
from caregiver_portal.accounts.service import create_user
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.security import hash_password
from caregiver_portal.imports.fields import ContactSpec
from caregiver_portal.imports.outcomes import Plan, RowT
from caregiver_portal.imports.residents_rules import ResidentRow
from caregiver_portal.imports.volunteers_rules import LeaveDays, VolunteerRow
from caregiver_portal.residents.models import EmergencyContact, Resident, ResidentProfile
from caregiver_portal.residents.service import set_consent
from caregiver_portal.roster.models import OnCallLeave
from caregiver_portal.roster.rules import ALWAYS
from caregiver_portal.roster.service import add_leave, replace_shifts, site_zone

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied by hand


@dataclass
class Applied:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_grids: list[str] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)
    """Passwords generated for new accounts, by user name (shown once)."""


def apply_residents(*, session: Session, site: Site, plan: Plan[ResidentRow], now: datetime) -> Applied:
    """Create and update the residents of ``plan`` (which must refuse no row)."""
    _require_ok(plan)
    grids = _grids(session, site, plan.new_grids)
    codes = _free_codes(session)

    def create(row: ResidentRow) -> None:
        resident = Resident(site_id=site.id, name=row.name, room=row.room, resident_code=row.code or next(codes),
                            created_at=now)
        session.add(resident)
        session.flush()
        _resident_details(session, resident, row, grids, now)

    def update(row: ResidentRow, resident_id: int) -> None:
        resident = session.get_one(Resident, resident_id)
        resident.name, resident.room = row.name, row.room
        _resident_details(session, resident, row, grids, now)

    return _each_row(plan, create, update)


def _each_row(plan: Plan[RowT], create: Callable[[RowT], None], update: Callable[[RowT, int], None]) -> Applied:
    """Carry out every row of ``plan`` with ``create`` or ``update``, counting what was done."""
    done = Applied(new_grids=list(plan.new_grids))
    for outcome in plan.outcomes:
        if outcome.row is None or outcome.action == "unchanged":
            done.unchanged += 1
        elif outcome.action == "create":
            create(outcome.row)
            done.created += 1
        else:
            assert outcome.target_id is not None
            update(outcome.row, outcome.target_id)
            done.updated += 1
    return done


def _resident_details(session: Session, resident: Resident, row: ResidentRow, grids: dict[str, int],
                      now: datetime) -> None:
    if row.grid is not None:
        resident.grid_id = grids[row.grid] if row.grid else None
    if row.phone is not None:
        profile = session.get(ResidentProfile, resident.id)
        if profile is None:
            profile = ResidentProfile(resident_id=resident.id, gender="", phone="", notes="")
            session.add(profile)
        profile.phone, profile.updated_at = row.phone, now
    if row.contacts is not None:
        _replace_contacts(session, resident, row.contacts)
    if row.consent is not None:
        set_consent(session=session, resident=resident, consent=row.consent, now=now)


def _replace_contacts(session: Session, resident: Resident, contacts: Iterable[ContactSpec]) -> None:
    """The sheet's contacts, in its order; a contact keeping its phone keeps the bot that reaches them."""
    old = list(session.scalars(select(EmergencyContact).where(EmergencyContact.resident_id == resident.id)))
    channels = {contact.phone: contact.channel_id for contact in old}
    for contact in old:
        session.delete(contact)
    session.flush()
    for priority, spec in enumerate(contacts):
        session.add(EmergencyContact(resident_id=resident.id, name=spec.name, relation=spec.relation, phone=spec.phone,
                                     channel_id=channels.get(spec.phone), priority=priority))


def apply_volunteers(*, session: Session, site: Site, plan: Plan[VolunteerRow], hasher: PasswordHasher,
                     now: datetime) -> Applied:
    """Create and update the accounts of ``plan`` (which must refuse no row); new ones are on call at once."""
    _require_ok(plan)
    grids = _grids(session, site, plan.new_grids)
    today = now.astimezone(site_zone(site)).date()
    passwords: dict[str, str] = {}

    def create(row: VolunteerRow) -> None:
        password = row.password or "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(10))
        user = create_user(session=session, hasher=hasher, username=row.username, password=password,
                           role=row.role or "volunteer", display_name=row.name, site=site, phone=row.phone)
        if not row.password:
            passwords[user.username] = password
        replace_shifts(session=session, user=user, shifts=row.shifts if row.shifts is not None else ALWAYS)
        _user_details(session, user, row, grids, today, now)

    def update(row: VolunteerRow, user_id: int) -> None:
        user = session.get_one(User, user_id)
        user.display_name, user.phone, user.role = row.name, row.phone, row.role or user.role
        if row.password:
            user.password_hash = hash_password(hasher, row.password)
        if row.shifts is not None:
            replace_shifts(session=session, user=user, shifts=row.shifts)
        _user_details(session, user, row, grids, today, now)

    done = _each_row(plan, create, update)
    done.passwords = passwords
    return done


def _user_details(session: Session, user: User, row: VolunteerRow, grids: dict[str, int], today: date,
                  now: datetime) -> None:
    if row.grids is not None:
        session.execute(delete(UserGrid).where(UserGrid.user_id == user.id))
        session.add_all(UserGrid(user_id=user.id, grid_id=grids[name]) for name in row.grids)
    if row.leaves is not None:
        _replace_leaves(session, user, row.leaves, today, now)


def _replace_leaves(session: Session, user: User, leaves: Iterable[LeaveDays], today: date, now: datetime) -> None:
    """The sheet's leave replaces the leave not yet over (leave already over stays as history)."""
    session.execute(delete(OnCallLeave).where(OnCallLeave.user_id == user.id, OnCallLeave.ends_at > now))
    for first, last in leaves:
        if last >= today:
            add_leave(session=session, user=user, first=first, last=last, reason="名单导入", now=now)


def _require_ok(plan: Plan[Any]) -> None:
    if not plan.ok:
        raise InvalidTransition(f"有 {plan.counts.get('error', 0)} 行有错误：改好后重新上传，整张表才会导入")


def _grids(session: Session, site: Site, new: Iterable[str]) -> dict[str, int]:
    """The site's grid ids by name, after creating ``new`` ones."""
    for name in new:
        session.add(Grid(site_id=site.id, name=name))
    session.flush()
    rows = session.execute(select(Grid.name, Grid.id).where(Grid.site_id == site.id))
    return {name: grid_id for name, grid_id in rows}


def _free_codes(session: Session) -> Iterator[str]:
    """Unused numeric 居民码 after the highest in use, at least 4 digits ("0001", "0002", …)."""
    taken = set(session.scalars(select(Resident.resident_code).where(Resident.resident_code.is_not(None))))
    numeric = [code for code in taken if code and code.isdigit()]
    width = max([4, *(len(code) for code in numeric)])
    number = max((int(code) for code in numeric), default=0)
    while True:
        number += 1
        code = str(number).zfill(width)
        if code not in taken:
            yield code
