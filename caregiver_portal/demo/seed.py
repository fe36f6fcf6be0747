"""Demo data: one community centre, its grids, residents with wristbands, accounts and devices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Device, Grid, User
from caregiver_portal.accounts.service import create_device, create_user, get_or_create_site
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.clock import utcnow
from caregiver_portal.escalation.setup import add_emergency_contact, add_to_grid
from caregiver_portal.residents.models import EmergencyContact, Resident
from caregiver_portal.roster.service import start_on_call

DEMO_SITE = "幸福里社区服务中心"
DEMO_DUTY_PHONE = "010-6500-1234"
DEMO_KIOSK_NAME = "大厅自助机"
DEMO_BRIDGE_NAME = "大厅手环网关"
DEMO_ACCOUNTS = (
    # username, password, role, display name, phone (volunteers and grid workers are on call around the clock)
    ("admin", "anxin-admin", "admin", "管理员", "13800009000"),
    ("volunteer1", "anxin-demo", "volunteer", "李志愿", "13800009001"),
    ("caregiver1", "anxin-demo", "caregiver", "王网格", "13800009002"),
)
DEMO_RESIDENTS = (
    ("王秀英", "3号楼201", "0201"),
    ("李建国", "3号楼502", "0502"),
    ("张桂兰", "5号楼101", "1101"),
    ("刘德明", "5号楼302", "1302"),
    ("陈淑珍", "7号楼403", "2403"),
    ("赵福生", "7号楼104", "2104"),
)


@dataclass(frozen=True)
class DemoDevices:
    """Tokens of the demo's kiosk and bridge (shown once; the portal keeps only hashes)."""

    kiosk_token: str
    bridge_token: str


def seed_demo(*, session: Session, hasher: PasswordHasher, wristband_addresses: Sequence[str]) -> None:
    """Create the demo site, grids, residents, accounts, and pair the given wristbands (idempotent)."""
    site = get_or_create_site(session=session, name=DEMO_SITE, duty_phone=DEMO_DUTY_PHONE, address="幸福里街道 8 号")
    grids = []
    for name in ("第一网格", "第二网格"):
        grid = session.scalar(select(Grid).where(Grid.site_id == site.id, Grid.name == name))
        if grid is None:
            grid = Grid(site_id=site.id, name=name)
            session.add(grid)
            session.flush()
        grids.append(grid)
    for username, password, role, display_name, phone in DEMO_ACCOUNTS:
        if session.scalar(select(User).where(User.username == username)) is None:
            user = create_user(session=session, hasher=hasher, username=username, password=password, role=role,
                               display_name=display_name, site=site, phone=phone)
            start_on_call(session=session, user=user)
    residents = []
    for index, (name, room, code) in enumerate(DEMO_RESIDENTS):
        resident = session.scalar(select(Resident).where(Resident.resident_code == code))
        if resident is None:
            resident = Resident(site_id=site.id, grid_id=grids[index % 2].id, name=name, room=room,
                                resident_code=code, health_consent=True, consent_recorded_at=utcnow())
            session.add(resident)
            session.flush()
        residents.append(resident)
    for index, address in enumerate(wristband_addresses):
        if session.scalar(select(Wristband).where(Wristband.address == address)) is None:
            resident = residents[index] if index < len(residents) else None
            label = f"{resident.name}的手环" if resident else f"演示手环 {index + 1}"
            session.add(Wristband(site_id=site.id, address=address, label=label,
                                  resident_id=resident.id if resident else None))
    session.flush()


def create_demo_devices(*, session: Session, now: datetime) -> DemoDevices:
    """Fresh tokens for the demo kiosk and bridge; the demo's older devices are revoked."""
    site = get_or_create_site(session=session, name=DEMO_SITE)
    old = session.scalars(select(Device).where(Device.site_id == site.id, Device.revoked_at.is_(None),
                                               Device.name.in_((DEMO_KIOSK_NAME, DEMO_BRIDGE_NAME))))
    for device in old:
        device.revoked_at = now
    _, kiosk_token = create_device(session=session, site=site, kind="kiosk", name=DEMO_KIOSK_NAME)
    _, bridge_token = create_device(session=session, site=site, kind="bridge", name=DEMO_BRIDGE_NAME)
    return DemoDevices(kiosk_token=kiosk_token, bridge_token=bridge_token)


def seed_demo_duties(*, session: Session) -> None:
    """Grid duties for the demo: the volunteer and the grid worker serve both grids, and the
    first resident has a daughter to call, so escalation reaches named people (idempotent)."""
    site = get_or_create_site(session=session, name=DEMO_SITE)
    grids = list(session.scalars(select(Grid).where(Grid.site_id == site.id)))
    for username in ("volunteer1", "caregiver1"):
        user = session.scalar(select(User).where(User.username == username))
        for grid in grids:
            if user is not None:
                add_to_grid(session, user=user, grid=grid)
    first = session.scalar(select(Resident).where(Resident.resident_code == DEMO_RESIDENTS[0][2]))
    if first is not None and session.scalar(select(EmergencyContact.id).where(
            EmergencyContact.resident_id == first.id)) is None:
        add_emergency_contact(session, resident=first, name="王小红", relation="女儿", phone="138-0000-0201")
    session.flush()
