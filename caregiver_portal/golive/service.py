"""The facts the go-live checklist is drawn from, gathered for one site (a handful of queries)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Device, Grid, Site, User, UserGrid
from caregiver_portal.bands.models import BandStatus, Wristband
from caregiver_portal.golive.rules import EXAMPLES, Example, Item, Seen, SiteFacts, checklist
from caregiver_portal.notifications.models import NotificationChannel
from caregiver_portal.residents.models import EmergencyContact, Resident
from caregiver_portal.roster.service import ROSTERED_ROLES, available_user_ids

DEVICE_LABELS = {"kiosk": "自助机", "bridge": "手环网关"}


def site_checklist(session: Session, *, site: Site, now: datetime) -> list[Item]:
    """The checklist of ``site`` at ``now``."""
    return checklist(site_facts(session, site=site, now=now), now=now)


def site_facts(session: Session, *, site: Site, now: datetime) -> SiteFacts:
    """Everything :func:`~caregiver_portal.golive.rules.checklist` needs about ``site``."""
    channels = session.scalar(select(func.count()).select_from(NotificationChannel).where(
        NotificationChannel.site_id == site.id, NotificationChannel.enabled.is_(True))) or 0
    residents = session.scalar(select(func.count()).select_from(Resident).where(Resident.site_id == site.id)) or 0
    no_contact = select(Resident).where(Resident.site_id == site.id, ~select(EmergencyContact.id).where(
        EmergencyContact.resident_id == Resident.id).exists())
    no_consent = select(Resident).where(Resident.site_id == site.id, Resident.consent_recorded_at.is_(None))
    devices = list(session.scalars(select(Device).where(Device.site_id == site.id, Device.revoked_at.is_(None))
                                   .order_by(Device.kind, Device.name)))
    return SiteFacts(
        site_id=site.id, channels=channels, residents=residents,
        grids_nobody_on_call=_grids_nobody_on_call(session, site, now),
        residents_without_contact=_residents(session, no_contact), without_contact_count=_count(session, no_contact),
        residents_without_consent=_residents(session, no_consent), without_consent_count=_count(session, no_consent),
        bands=_bands(session, site),
        devices=tuple(Seen(f"{DEVICE_LABELS.get(d.kind, d.kind)} {d.name}", d.last_seen_at, "/admin/devices")
                      for d in devices),
        bridges=sum(d.kind == "bridge" for d in devices))


def _count(session: Session, query: Select[tuple[Resident]]) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _residents(session: Session, query: Select[tuple[Resident]]) -> tuple[Example, ...]:
    rows = session.scalars(query.order_by(Resident.room, Resident.id).limit(EXAMPLES))
    return tuple(Example(f"{r.name}（{r.room or '未填房间'}）", f"/residents/{r.id}") for r in rows)


def _grids_nobody_on_call(session: Session, site: Site, now: datetime) -> tuple[Example, ...]:
    users = list(session.scalars(select(User).where(User.site_id == site.id, User.active.is_(True),
                                                    User.role.in_(ROSTERED_ROLES))))
    available = available_user_ids(session, users, site=site, now=now)
    members: dict[int, set[int]] = defaultdict(set)
    for user_id, grid_id in session.execute(select(UserGrid.user_id, UserGrid.grid_id)
                                            .where(UserGrid.user_id.in_([u.id for u in users]))):
        members[grid_id].add(user_id)
    grids = session.scalars(select(Grid).where(Grid.site_id == site.id).order_by(Grid.name))
    return tuple(Example(grid.name, "/admin/roster") for grid in grids if not members[grid.id] & available)


def _bands(session: Session, site: Site) -> tuple[Seen, ...]:
    rows = session.execute(
        select(Wristband, Resident, BandStatus.last_seen_at).join(Resident, Resident.id == Wristband.resident_id)
        .outerjoin(BandStatus, BandStatus.wristband_id == Wristband.id)
        .where(Wristband.site_id == site.id).order_by(Resident.room, Resident.id))
    seen = []
    for band, resident, reported in rows:
        heard = max((t for t in (band.last_seen_at, reported) if t is not None), default=None)
        seen.append(Seen(f"{resident.name}（{resident.room}）的手环", heard, f"/residents/{resident.id}"))
    return tuple(seen)
