"""What a site already holds, in the sheets' terms: the snapshot the import rules compare a sheet with, and
the export (the same columns, so an exported sheet imports back unchanged)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Grid, Site, User, UserGrid
from caregiver_portal.core.sheets import write_xlsx
from caregiver_portal.imports import residents_rules, volunteers_rules
from caregiver_portal.imports.fields import ContactSpec
from caregiver_portal.imports.residents_rules import StoredResident
from caregiver_portal.imports.volunteers_rules import StoredUser
from caregiver_portal.residents.models import EmergencyContact, Resident, ResidentProfile
from caregiver_portal.residents.service import consent_of
from caregiver_portal.roster.service import rosters, site_zone


def grid_names(session: Session, site_id: int) -> dict[int, str]:
    """The site's grids by id."""
    rows = session.execute(select(Grid.id, Grid.name).where(Grid.site_id == site_id))
    return {grid_id: name for grid_id, name in rows}


def stored_residents(session: Session, site_id: int) -> list[StoredResident]:
    """Every resident of the site with phone, contacts, grid and consent, ordered by room."""
    residents = list(session.scalars(select(Resident).where(Resident.site_id == site_id)
                                     .order_by(Resident.room, Resident.id)))
    ids = [resident.id for resident in residents]
    phones = {resident_id: phone for resident_id, phone in session.execute(
        select(ResidentProfile.resident_id, ResidentProfile.phone).where(ResidentProfile.resident_id.in_(ids)))}
    contacts: dict[int, list[ContactSpec]] = defaultdict(list)
    if ids:
        for contact in session.scalars(select(EmergencyContact).where(EmergencyContact.resident_id.in_(ids))
                                       .order_by(EmergencyContact.priority, EmergencyContact.id)):
            contacts[contact.resident_id].append(ContactSpec(contact.relation, contact.name, contact.phone))
    grids = grid_names(session, site_id)
    return [StoredResident(id=r.id, code=r.resident_code or "", name=r.name, room=r.room, phone=phones.get(r.id, ""),
                           contacts=tuple(contacts[r.id]), grid=grids.get(r.grid_id, "") if r.grid_id else "",
                           consent=consent_of(r)) for r in residents]


def codes_elsewhere(session: Session, site_id: int) -> set[str]:
    """居民码 used by residents of other sites."""
    return set(session.scalars(select(Resident.resident_code).where(Resident.site_id != site_id,
                                                                     Resident.resident_code.is_not(None))))


def stored_users(session: Session, site: Site, *, now: datetime) -> list[StoredUser]:
    """Every account of the site with grids, shifts and leave (as local days), ordered by role and name."""
    users = list(session.scalars(select(User).where(User.site_id == site.id).order_by(User.role, User.username)))
    grids = grid_names(session, site.id)
    member: dict[int, list[str]] = defaultdict(list)
    for user_id, grid_id in session.execute(select(UserGrid.user_id, UserGrid.grid_id)
                                            .where(UserGrid.grid_id.in_(list(grids)))):
        member[user_id].append(grids[grid_id])
    books = rosters(session, (user.id for user in users), now=now)
    zone = site_zone(site)
    result = []
    for user in users:
        leaves = tuple(sorted((leave.starts_at.astimezone(zone).date(), _last_day(leave.ends_at.astimezone(zone)))
                              for leave in books[user.id].leaves))
        result.append(StoredUser(id=user.id, username=user.username, name=user.display_name, phone=user.phone,
                                 role=user.role, grids=tuple(sorted(member[user.id])), shifts=books[user.id].shifts,
                                 leaves=leaves))
    return result


def _last_day(ends_at: datetime) -> date:
    """The last whole day of a leave ending at local midnight (or the day it ends on)."""
    midnight = ends_at.replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - timedelta(days=1)).date() if ends_at == midnight else ends_at.date()


def usernames_elsewhere(session: Session, site_id: int) -> set[str]:
    """User names taken by accounts of other sites (or of no site)."""
    return set(session.scalars(select(User.username).where((User.site_id != site_id) | User.site_id.is_(None))))


def export_residents(session: Session, site: Site) -> bytes:
    """The site's residents as an .xlsx in the import's columns."""
    rows = (residents_rules.export_row(resident) for resident in stored_residents(session, site.id))
    return write_xlsx("居民", residents_rules.TITLES, rows)


def export_volunteers(session: Session, site: Site, *, now: datetime) -> bytes:
    """The site's volunteers and grid workers as an .xlsx in the import's columns (no passwords)."""
    users = [user for user in stored_users(session, site, now=now) if user.role in volunteers_rules.ROLE_TITLES]
    return write_xlsx("志愿者", volunteers_rules.TITLES, (volunteers_rules.export_row(user) for user in users))
