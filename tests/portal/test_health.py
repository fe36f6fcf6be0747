"""Health rules against the database: evaluated on ingest and by the ticker, deduplicated."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from caregiver_portal.accounts.models import Device
from caregiver_portal.alerts.models import Alert
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.db import transaction
from caregiver_portal.health.models import Reading
from caregiver_portal.health.readings import IngestResult, ingest_batch
from caregiver_portal.health.service import sweep_periodic_rules
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.service import ProfileSpec, update_profile
from tests.portal.conftest import SeededPortal
from tests.portal.escalation_world import BAND, World, at, build_world


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """The seeded community on a fresh database."""
    community = build_world(database_url)
    yield community
    community.close()


def ingest(world: World, batch_id: str, kind: str, value: float, start: float, seconds: float,
           every: float = 10) -> IngestResult:
    """The bridge posts readings of ``value`` every ``every`` s over ``[start, start + seconds]``."""
    readings = [{"wristband": BAND, "kind": kind, "value": value, "measured_at": at(start + i * every)}
                for i in range(int(seconds // every) + 1)]
    with transaction(world.factory) as session:
        bridge = session.get(Device, world.bridge_id)
        assert bridge is not None
        return ingest_batch(session=session, device=bridge, batch_id=batch_id, readings=readings,
                            now=readings[-1]["measured_at"])


def alerts(world: World, kind: str) -> list[Alert]:
    with world.factory() as session:
        return list(session.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.id)))


def test_sustained_high_heart_rate_raises_one_health_alert_that_escalates(world: World) -> None:
    assert ingest(world, "b1", "heart_rate", 130, 0, 60).alerts == 0  # one minute is not enough
    assert ingest(world, "b2", "heart_rate", 130, 70, 50).alerts == 1  # two minutes now
    [alert] = alerts(world, "health")
    assert (alert.place, alert.emergency, alert.resident_id) == ("3号楼201", False, world.resident_id)
    assert world.timeline(alert.id) == [("raised", "心率持续偏高：最高 130 次/分（>120，≥2 分钟）")]
    assert world.sweep(at(120)).steps == 1  # grid volunteers are told at once


def test_a_lasting_condition_stays_one_alert_and_a_new_episode_is_a_repeat(world: World) -> None:
    ingest(world, "b1", "heart_rate", 130, 0, 120)
    for batch in range(2, 12):  # ten more minutes of the same episode, batch after batch
        assert ingest(world, f"b{batch}", "heart_rate", 130, batch * 60, 50).alerts == 0
    ingest(world, "normal", "heart_rate", 75, 720, 120)
    assert ingest(world, "again", "heart_rate", 131, 900, 120).alerts == 1
    [alert] = alerts(world, "health")
    assert [t for t, _ in world.timeline(alert.id)] == ["raised", "repeated"]
    assert alert.repeat_count == 1


def test_resolved_episode_is_not_raised_again_while_it_lasts(world: World) -> None:
    ingest(world, "b1", "spo2", 85, 0, 60, every=5)
    [alert] = alerts(world, "health")
    world.resolve(alert.id, "wang", at(70))
    assert ingest(world, "b2", "spo2", 86, 65, 60, every=5).alerts == 0
    assert len(alerts(world, "health")) == 1


def stored_kinds(world: World) -> list[str]:
    with world.factory() as session:
        return sorted(session.scalars(select(Reading.kind)))


def withdraw_consent(world: World) -> None:
    """A grid worker saves the resident's profile with consent set to 未签署."""
    with transaction(world.factory) as session:
        resident = session.get_one(Resident, world.resident_id)
        update_profile(session=session, resident=resident, now=at(0), spec=ProfileSpec(
            name=resident.name, room=resident.room, grid_id=resident.grid_id, gender="", birth_year=None,
            phone="", consent="no", notes=""))


def test_without_consent_health_readings_are_not_stored_and_rules_stay_quiet(world: World) -> None:
    assert ingest(world, "hr", "heart_rate", 72, 0, 20).accepted == 3
    withdraw_consent(world)
    assert stored_kinds(world) == []  # withdrawing consent deleted what was stored

    taken = ingest(world, "t1", "temperature", 38.6, 30, 0)
    assert (taken.accepted, taken.withheld, taken.rejected) == (0, 1, 0)
    assert ingest(world, "t1", "temperature", 38.6, 30, 0).withheld == 1  # a re-sent batch says the same
    ingest(world, "bat", "battery", 15, 40, 0)
    assert stored_kinds(world) == ["battery"]  # device data is not health data
    assert alerts(world, "health") == []
    [battery] = alerts(world, "device")
    assert "手环电量低：15%" in battery.details["finding"]
    with world.factory() as session:
        assert session.scalar(select(Wristband.last_seen_at)) == at(40)  # the band is still seen


def test_temperature_and_heart_rate_findings_share_the_residents_health_alert(world: World) -> None:
    ingest(world, "t1", "temperature", 38.2, 0, 0)
    ingest(world, "hr", "heart_rate", 40, 10, 120)
    [alert] = alerts(world, "health")
    assert [m for _, m in world.timeline(alert.id)] == [
        "体温偏高：38.2°C（≥38°C）", "再次发现：心率持续偏低：最低 40 次/分（<45，≥2 分钟）"]


def test_inactivity_and_silent_bridge_are_found_by_the_periodic_sweep(world: World) -> None:
    ingest(world, "b1", "heart_rate", 72, 0, 10)  # 14:00 in Shanghai; the bridge is seen too
    with world.factory() as session:
        band = session.scalar(select(Wristband))
        assert band is not None and band.last_seen_at == at(10)
    assert sweep_periodic_rules(factory=world.factory, now=at(10 + 299)) == 0
    assert sweep_periodic_rules(factory=world.factory, now=at(10 + 300)) == 1  # bridge silent for 5 min
    [bridge_alert] = alerts(world, "device")
    assert bridge_alert.place == "大厅网关" and bridge_alert.resident_id is None
    world.sweep(at(310))
    assert world.timeline(bridge_alert.id, "notified") == [("notified", "已通知 看板：管理员")]
    four_hours = at(10 + 4 * 3600)  # 18:00 local: four daytime hours without a reading
    assert sweep_periodic_rules(factory=world.factory, now=four_hours - timedelta(seconds=1)) == 0
    assert sweep_periodic_rules(factory=world.factory, now=four_hours) == 1
    assert sweep_periodic_rules(factory=world.factory, now=four_hours + timedelta(minutes=30)) == 0  # same episode
    [inactive] = alerts(world, "inactivity")
    assert inactive.resident_id == world.resident_id


def test_readings_posted_over_http_trigger_the_rules(seeded_portal: SeededPortal) -> None:
    start = datetime.now().astimezone() - timedelta(minutes=5)
    readings = [{"wristband": "F0:00:00:00:00:02", "kind": "spo2", "value": 86,
                 "measured_at": (start + timedelta(seconds=5 * i)).isoformat()} for i in range(15)]
    answer = seeded_portal.client.post("/api/v1/readings", headers=seeded_portal.device_headers(),
                                       json={"batch_id": "low-spo2", "readings": readings})
    assert answer.status_code == 202
    site_alerts = seeded_portal.client.get("/api/v1/site/alerts", headers=seeded_portal.device_headers()).json()
    assert [(a["kind"], a["place"]) for a in site_alerts] == [("health", "3号楼502")]
