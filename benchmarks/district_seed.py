"""A whole district in the database for benchmarks/district.py: sites, residents with consent, paired bands,
one signed-in volunteer per site and a few bridges per site (bulk inserts: 20,000 residents take seconds)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Grid, Site
from caregiver_portal.accounts.service import create_device, create_user
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.security import password_hasher
from caregiver_portal.migrate import upgrade_to_head
from caregiver_portal.residents.models import Resident
from caregiver_portal.roster.service import start_on_call

PASSWORD = "district-bench"


@dataclass(frozen=True)
class SiteSeed:
    """One community centre of the district as the load generator needs it."""

    number: int
    id: int
    volunteer: str
    bridge_tokens: tuple[str, ...]
    bands: tuple[str, ...]


def band_address(site: int, index: int) -> str:
    """The address of band ``index`` of site ``site`` (both 0-based)."""
    return f"D{site // 256:01X}:{site % 256:02X}:00:{index // 65536:02X}:{index // 256 % 256:02X}:{index % 256:02X}"


def seed_district(database_url: str, *, sites: int, bands: int, bridges_per_site: int) -> list[SiteSeed]:
    """Migrate ``database_url`` and create the district; ``bands`` are spread evenly over the sites."""
    engine = create_db_engine(database_url)
    try:
        upgrade_to_head(engine)
        factory = create_session_factory(engine)
        per_site = bands // sites
        with transaction(factory) as session:
            return [_seed_site(session, number, per_site, bridges_per_site) for number in range(sites)]
    finally:
        engine.dispose()


def _seed_site(session: Session, number: int, bands: int, bridges: int) -> SiteSeed:
    site = Site(name=f"第{number + 1}社区服务中心", duty_phone=f"010-6500{number:04d}", address=f"街道 {number + 1} 号")
    session.add(site)
    session.flush()
    grid = Grid(site_id=site.id, name="第一网格")
    session.add(grid)
    session.flush()
    volunteer = create_user(session=session, hasher=password_hasher("fast"), username=f"v{number + 1}",
                            password=PASSWORD, role="volunteer", display_name=f"志愿者{number + 1}", site=site,
                            phone=f"1380000{number:04d}")
    start_on_call(session=session, user=volunteer)
    now = utcnow()
    resident_ids = session.scalars(insert(Resident).returning(Resident.id), [
        {"site_id": site.id, "grid_id": grid.id, "name": f"居民{number}-{i}", "room": f"{i // 100}号楼{i % 100}",
         "resident_code": f"{number:02d}{i:05d}", "health_consent": True, "consent_recorded_at": now}
        for i in range(bands)]).all()
    addresses = tuple(band_address(number, i) for i in range(bands))
    session.execute(insert(Wristband), [
        {"site_id": site.id, "address": address, "resident_id": resident_id, "label": f"手环{i}"}
        for i, (address, resident_id) in enumerate(zip(addresses, resident_ids, strict=True))])
    tokens = tuple(create_device(session=session, site=site, kind="bridge", name=f"网关{b + 1}")[1]
                   for b in range(bridges))
    return SiteSeed(number=number, id=site.id, volunteer=volunteer.username, bridge_tokens=tokens, bands=addresses)
