"""The 24-hour chart keeps an episode visible (issue 13 point 7): each bucket's lowest and highest reading come
from the database (SQLite and PostgreSQL), so one 149 bpm reading among 70s is drawn, not averaged away."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.db import transaction
from caregiver_portal.health.charts import resident_charts
from caregiver_portal.health.models import Reading
from tests.portal.escalation_world import World, at, build_world


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """The seeded community on a fresh database."""
    community = build_world(database_url)
    yield community
    community.close()


def test_a_149_bpm_reading_among_70s_is_drawn_at_its_height(world: World) -> None:
    with transaction(world.factory) as session:
        band = session.scalars(select(Wristband)).one()
        for minute, value in enumerate([70, 71, 149, 72, 70]):
            session.add(Reading(wristband_id=band.id, resident_id=world.resident_id, kind="heart_rate",
                                value=value, measured_at=at(3600 + 60 * minute)))
    with world.factory() as session:
        chart = next(c for c in resident_charts(session, resident_id=world.resident_id, window="24h",
                                                now=at(2 * 3600)) if c.kind == "heart_rate")
    [(_, top, bottom)] = chart.ranges
    assert top == chart.plot[1]  # the 149 reaches the top of the plot
    assert bottom > top
    assert chart.summary is not None and chart.summary.maximum == 149
