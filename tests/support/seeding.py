"""Seed a test database with the demo site, accounts, residents and wristbands."""

from __future__ import annotations

from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.security import password_hasher
from caregiver_portal.demo.seed import create_demo_devices, seed_demo
from caregiver_portal.migrate import upgrade_to_head

TEST_WRISTBANDS = [f"F0:00:00:00:00:{i:02X}" for i in range(1, 4)]


def seed_for_tests(database_url: str, *, wristbands: list[str] | None = None) -> tuple[str, str]:
    """Migrate and seed ``database_url``; returns (kiosk token, bridge token).

    Passwords get the cheap argon2 profile: a portal verifies any argon2 hash with the
    parameters stored in it, and the default profile would cost 0.2 s per account here.
    """
    engine = create_db_engine(database_url)
    try:
        upgrade_to_head(engine)
        with transaction(create_session_factory(engine)) as session:
            seed_demo(session=session, hasher=password_hasher("fast"),
                      wristband_addresses=wristbands or TEST_WRISTBANDS)
            devices = create_demo_devices(session=session, now=utcnow())
    finally:
        engine.dispose()
    return devices.kiosk_token, devices.bridge_token


def create_test_devices(database_url: str, *, count: int, kind: str) -> list[str]:
    """Create ``count`` more devices of ``kind`` at the demo site; returns their tokens."""
    from caregiver_portal.accounts.service import create_device, get_or_create_site
    from caregiver_portal.demo.seed import DEMO_SITE

    engine = create_db_engine(database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            site = get_or_create_site(session=session, name=DEMO_SITE)
            return [create_device(session=session, site=site, kind=kind, name=f"{kind}-{i}")[1] for i in range(count)]
    finally:
        engine.dispose()
