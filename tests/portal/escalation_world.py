"""A small community for escalation, notification and health tests, driven with a controlled clock.

Site 幸福里 with two grids. Grid 1: 李一 (volunteer, on duty), 周休 (volunteer, off duty),
王网格 (caregiver = grid worker). Grid 2: 赵二 (volunteer, on duty), 孙网格 (caregiver).
管理员 (admin). Resident 王秀英 (grid 1, room 3号楼201) wears band ...:01 and has two
emergency contacts: her daughter (reached through the family bot when one is configured)
and her son (phone only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from caregiver_portal.accounts.models import Device, Grid, User, UserGrid
from caregiver_portal.accounts.service import create_device, create_user, get_or_create_site
from caregiver_portal.alerts import service as alert_service
from caregiver_portal.alerts.models import AlertEvent
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.security import password_hasher
from caregiver_portal.escalation.policy import DEFAULT_POLICIES, PolicySet
from caregiver_portal.escalation.sweep import SweepReport, sweep_escalations
from caregiver_portal.migrate import upgrade_to_head
from caregiver_portal.notifications.models import NotificationChannel
from caregiver_portal.residents.models import EmergencyContact, Resident
from caregiver_portal.roster.service import start_on_call

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai
BAND = "F0:00:00:00:00:01"
PEOPLE = (  # username, display name, role, on call around the clock, grid number, phone
    ("li1", "李一", "volunteer", True, 1, "13800000001"),
    ("zhou", "周休", "volunteer", False, 1, "13800000002"),
    ("wang", "王网格", "caregiver", True, 1, "13800000003"),
    ("zhao2", "赵二", "volunteer", True, 2, "13800000004"),
    ("sun", "孙网格", "caregiver", True, 2, "13800000005"),
    ("admin", "管理员", "admin", False, None, "13800000006"),
)


def at(seconds: float) -> datetime:
    """T0 plus ``seconds``."""
    return T0 + timedelta(seconds=seconds)


@dataclass
class World:
    """Handles to the seeded community and helpers that act at a given time."""

    engine: Engine
    factory: sessionmaker[Session]
    site_id: int
    grid_ids: tuple[int, int]
    resident_id: int
    bridge_id: int
    kiosk_id: int
    users: dict[str, int] = field(default_factory=dict)
    policies: PolicySet = DEFAULT_POLICIES

    def close(self) -> None:
        """Dispose of the engine (a portal process stopping)."""
        self.engine.dispose()

    def reopen(self) -> World:
        """A new engine on the same database (a portal process starting again)."""
        engine = create_db_engine(self.engine.url.render_as_string(hide_password=False))
        return World(engine, create_session_factory(engine), self.site_id, self.grid_ids, self.resident_id,
                     self.bridge_id, self.kiosk_id, dict(self.users), self.policies)

    def raise_alert(self, now: datetime, event_id: str, kind: str = "sos", *, device: str = "bridge",
                    **extra: Any) -> int:
        """A device raises an alert at ``now``; returns the alert id."""
        with transaction(self.factory) as session:
            source = session.get(Device, self.bridge_id if device == "bridge" else self.kiosk_id)
            assert source is not None
            extra.setdefault("wristband_address", BAND if device == "bridge" else None)
            raised = alert_service.raise_alert(session=session, device=source, client_event_id=event_id, kind=kind,
                                               now=now, **extra)
            return raised.alert.id

    def sweep(self, now: datetime) -> SweepReport:
        """One escalation sweep at ``now``."""
        return sweep_escalations(factory=self.factory, policies=self.policies, now=now)

    def accept(self, alert_id: int, username: str, now: datetime) -> None:
        """``username`` accepts the alert at ``now``."""
        with transaction(self.factory) as session:
            user = session.get(User, self.users[username])
            assert user is not None
            alert_service.accept_alert(session=session, alert_id=alert_id, user=user, now=now)

    def resolve(self, alert_id: int, username: str, now: datetime) -> None:
        """``username`` resolves the alert at ``now``."""
        with transaction(self.factory) as session:
            user = session.get(User, self.users[username])
            assert user is not None
            alert_service.resolve_alert(session=session, alert_id=alert_id, user=user, outcome="已上门", now=now)

    def arrive(self, alert_id: int, username: str, now: datetime) -> None:
        """``username`` marks 已到达 at ``now``."""
        with transaction(self.factory) as session:
            user = session.get(User, self.users[username])
            assert user is not None
            alert_service.mark_arrived(session=session, alert_id=alert_id, user=user, now=now)

    def timeline(self, alert_id: int, *types: str) -> list[tuple[str, str]]:
        """(type, message) of the alert's timeline, oldest first, optionally only some types."""
        with self.factory() as session:
            rows = session.execute(select(AlertEvent.type, AlertEvent.message)
                                   .where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id))
            return [(t, m) for t, m in rows if not types or t in types]

    def add_channel(self, kind: str, url: str, *, audience: list[str], secret: str | None = None,
                    grid: int | None = None, name: str | None = None, rate_per_minute: int = 20) -> int:
        """Configure a bot of the site; returns its id."""
        with transaction(self.factory) as session:
            channel = NotificationChannel(site_id=self.site_id, kind=kind, name=name or f"{kind}群", url=url,
                                          secret=secret, audience=audience, rate_per_minute=rate_per_minute,
                                          grid_id=self.grid_ids[grid - 1] if grid else None)
            session.add(channel)
            session.flush()
            return channel.id

    def route_daughter_through(self, channel_id: int) -> None:
        """The daughter is reached through ``channel_id``."""
        with transaction(self.factory) as session:
            daughter = session.scalar(select(EmergencyContact).where(EmergencyContact.relation == "女儿"))
            assert daughter is not None
            daughter.channel_id = channel_id


def build_world(database_url: str) -> World:
    """Migrate ``database_url`` and seed the community described in the module docstring."""
    engine = create_db_engine(database_url)
    upgrade_to_head(engine)
    factory = create_session_factory(engine)
    hasher = password_hasher("fast")
    with transaction(factory) as session:
        site = get_or_create_site(session=session, name="幸福里", duty_phone="010-1234")
        grids = [Grid(site_id=site.id, name=name) for name in ("第一网格", "第二网格")]
        session.add_all(grids)
        session.flush()
        users = {}
        for username, display, role, on_duty, grid, phone in PEOPLE:
            user = create_user(session=session, hasher=hasher, username=username, password="password-123",
                               role=role, display_name=display, site=site, phone=phone)
            if on_duty:
                start_on_call(session=session, user=user)
            if grid is not None:
                session.add(UserGrid(user_id=user.id, grid_id=grids[grid - 1].id))
            users[username] = user.id
        resident = Resident(site_id=site.id, grid_id=grids[0].id, name="王秀英", room="3号楼201",
                            resident_code="0201", health_consent=True)
        session.add(resident)
        session.flush()
        session.add_all([
            EmergencyContact(resident_id=resident.id, name="张小红", relation="女儿", phone="13900000001", priority=0),
            EmergencyContact(resident_id=resident.id, name="张大军", relation="儿子", phone="13900000002", priority=1),
            Wristband(site_id=site.id, address=BAND, resident_id=resident.id, label="王秀英的手环"),
        ])
        bridge, _ = create_device(session=session, site=site, kind="bridge", name="大厅网关")
        kiosk, _ = create_device(session=session, site=site, kind="kiosk", name="大厅自助机")
        world = World(engine, factory, site.id, (grids[0].id, grids[1].id), resident.id, bridge.id, kiosk.id, users)
    return world
