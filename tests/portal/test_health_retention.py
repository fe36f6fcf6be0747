"""Readings retention: old raw readings become hourly rollups, each counted exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.db import transaction
from caregiver_portal.health.models import Reading, ReadingRollup
from caregiver_portal.health.retention import RetentionPolicy, downsample_readings
from tests.portal.escalation_world import T0, World, build_world

HOUR = T0 - timedelta(days=40)  # a whole UTC hour, long past the 30-day raw retention
POLICY = RetentionPolicy(raw_days=30)


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """The seeded community on a fresh database."""
    community = build_world(database_url)
    yield community
    community.close()


def add_readings(world: World, *rows: tuple[str, float, datetime]) -> None:
    with transaction(world.factory) as session:
        band_id = session.scalar(select(Wristband.id))
        assert band_id is not None
        session.add_all(Reading(wristband_id=band_id, kind=kind, value=value, measured_at=when)
                        for kind, value, when in rows)


def rollups(world: World) -> list[tuple[str, datetime, int, float, float, float]]:
    with world.factory() as session:
        query = select(ReadingRollup).order_by(ReadingRollup.bucket_start, ReadingRollup.kind)
        return [(r.kind, r.bucket_start, r.count, r.minimum, r.maximum, r.total) for r in session.scalars(query)]


def raw_times(world: World) -> list[datetime]:
    with world.factory() as session:
        return list(session.scalars(select(Reading.measured_at).order_by(Reading.measured_at)))


def test_old_readings_become_hourly_rollups_and_recent_ones_stay(world: World) -> None:
    minute = timedelta(minutes=1)
    add_readings(world, ("heart_rate", 60, HOUR + 10 * minute), ("heart_rate", 70, HOUR + 20 * minute),
                 ("heart_rate", 80, HOUR + 59 * minute), ("spo2", 97, HOUR + 30 * minute),
                 ("heart_rate", 90, HOUR + 60 * minute), ("heart_rate", 75, T0 - timedelta(days=1)))
    report = downsample_readings(factory=world.factory, policy=POLICY, now=T0)
    assert (report.raw_rows_removed, report.rollups_written) == (5, 3)
    assert rollups(world) == [("heart_rate", HOUR, 3, 60, 80, 210), ("spo2", HOUR, 1, 97, 97, 97),
                              ("heart_rate", HOUR + timedelta(hours=1), 1, 90, 90, 90)]
    assert raw_times(world) == [T0 - timedelta(days=1)]
    again = downsample_readings(factory=world.factory, policy=POLICY, now=T0)
    assert (again.raw_rows_removed, again.rollups_written) == (0, 0)


def test_late_reading_for_a_rolled_up_hour_is_merged(world: World) -> None:
    add_readings(world, ("heart_rate", 60, HOUR + timedelta(minutes=5)))
    downsample_readings(factory=world.factory, policy=POLICY, now=T0)
    add_readings(world, ("heart_rate", 100, HOUR + timedelta(minutes=55)))  # a bridge's outbox, weeks late
    downsample_readings(factory=world.factory, policy=POLICY, now=T0)
    assert rollups(world) == [("heart_rate", HOUR, 2, 60, 100, 160)]


def test_rollups_expire_after_their_own_retention(world: World) -> None:
    add_readings(world, ("battery", 50, HOUR))
    downsample_readings(factory=world.factory, policy=POLICY, now=T0)
    report = downsample_readings(factory=world.factory, policy=RetentionPolicy(raw_days=30, rollup_days=39), now=T0)
    assert report.rollups_expired == 1 and rollups(world) == []
