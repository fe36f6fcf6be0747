"""Seed the community services' demo data (catalog, rewards, genders, activities) into a test database."""

from __future__ import annotations

from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.demo.community import seed_demo_community


def seed_community_for_tests(database_url: str) -> None:
    """Add the community demo data to a database already migrated and seeded by ``seed_for_tests``."""
    engine = create_db_engine(database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            seed_demo_community(session=session, now=utcnow())
    finally:
        engine.dispose()
