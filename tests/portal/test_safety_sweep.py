"""The safety sweep on SQLite and PostgreSQL with an injected clock: missed check-ins, silent bands, and the
end-to-end path silent band -> band_silent -> accepted -> not arrived in time -> re-escalated."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from caregiver_portal.accounts.models import Device, User
from caregiver_portal.alerts.models import Alert
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.health.service import sweep_periodic_rules
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.scope import user_scope
from caregiver_portal.roll_calls.models import RollCallEntry
from caregiver_portal.roll_calls.service import start_roll_call
from caregiver_portal.safety.checkins import record_device_checkin
from caregiver_portal.safety.models import BandWatch, Checkin, SafetyPlan
from caregiver_portal.safety.sweep import _raise_all, _start_watching, sweep_safety
from caregiver_portal.ticker import Ticker
from tests.portal.conftest import SeededPortal
from tests.portal.escalation_world import BAND, T0, World, build_world

# T0 is 14:00 in Shanghai; DAWN is 08:00 local the next day, before the 10:00 deadline.
DAWN = T0 + timedelta(hours=18)


def later(hours: float = 0, minutes: float = 0) -> datetime:
    """DAWN plus some time."""
    return DAWN + timedelta(hours=hours, minutes=minutes)


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    community = build_world(database_url)
    with transaction(community.factory) as session:
        session.add(SafetyPlan(resident_id=community.resident_id, checkin=True))
    yield community
    community.close()


def alerts_of(world: World, kind: str) -> list[Alert]:
    with world.factory() as session:
        return list(session.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.id)))


def check_in(world: World, event_id: str, at: datetime, **body: object) -> bool:
    with transaction(world.factory) as session:
        bridge = session.get(Device, world.bridge_id)
        assert bridge is not None
        return record_device_checkin(session=session, device=bridge, event_id=event_id, now=at, **body).duplicate  # type: ignore[arg-type]


def test_missed_checkin_raises_no_checkin_once_a_day(world: World) -> None:
    assert sweep_safety(factory=world.factory, now=later(1, 59)).missed_checkins == 0
    ticker = Ticker(factory=world.factory, public_url="http://portal.test", clock=lambda: later(2))
    try:
        ticker.run_safety()  # the ticker's job, with its clock injected
    finally:
        ticker.shutdown()
    assert sweep_safety(factory=world.factory, now=later(3)).missed_checkins == 0
    [alert] = alerts_of(world, "no_checkin")
    assert alert.resident_id == world.resident_id and alert.state == "open"
    world.sweep(later(2))
    assert world.timeline(alert.id, "escalated")[0] == ("escalated", "第1级：通知本网格值班志愿者和网格员")
    assert sweep_safety(factory=world.factory, now=later(26)).missed_checkins == 1  # the next day again
    assert len(alerts_of(world, "no_checkin")) == 1  # attached to the active alert as a repeat


def test_a_double_press_is_the_checkin_and_answers_an_open_roll_call(world: World) -> None:
    with transaction(world.factory) as session:
        grid_worker = session.get(User, world.users["wang"])
        assert grid_worker is not None
        start_roll_call(session=session, user=grid_worker, scope=user_scope(session, grid_worker),
                        site_id=world.site_id, grid_id=world.grid_ids[0], reason="heatwave", now=later(0))
    assert check_in(world, "band-1", later(0, 30), wristband=BAND, occurred_at=later(0, 29)) is False
    assert check_in(world, "band-1", later(0, 31), wristband=BAND, occurred_at=later(0, 29)) is True
    assert sweep_safety(factory=world.factory, now=later(5)).missed_checkins == 0
    with world.factory() as session:
        assert session.scalars(select(Checkin.source)).all() == ["band"]
        entry = session.scalar(select(RollCallEntry).where(RollCallEntry.resident_id == world.resident_id))
        assert entry is not None and (entry.state, entry.source) == ("safe", "checkin")


def test_a_worn_band_counts_only_where_the_site_allows_it(world: World) -> None:
    wear(world, later(-1))  # 07:00
    report = sweep_safety(factory=world.factory, now=later(2))
    assert (report.worn_checkins, report.missed_checkins) == (0, 1)  # the site does not allow it yet
    with transaction(world.factory) as session:
        resident = session.get(Resident, world.resident_id)
        assert resident is not None
        resident.site.checkin_counts_worn = True
    report = sweep_safety(factory=world.factory, now=later(23, 30))
    assert (report.worn_checkins, report.missed_checkins) == (0, 0)  # worn yesterday only; before the deadline
    wear(world, later(23, 45))  # 07:45 the next day
    assert sweep_safety(factory=world.factory, now=later(24)).worn_checkins == 1
    assert sweep_safety(factory=world.factory, now=later(26)).missed_checkins == 0
    with world.factory() as session:
        assert session.scalars(select(Checkin.source)).all() == ["worn"]


def wear(world: World, at: datetime) -> None:
    with transaction(world.factory) as session:
        band = session.scalar(select(Wristband).where(Wristband.address == BAND))
        assert band is not None
        band.last_worn_at = at


def test_silent_band_re_escalates_when_the_acceptor_does_not_arrive(world: World) -> None:
    """End to end with an injected clock: the band goes silent at 14:00, band_silent at 16:00, accepted,
    nobody arrives within 30 min -> the next step is called and the acceptor is told."""
    with transaction(world.factory) as session:
        plan = session.get(SafetyPlan, world.resident_id)
        assert plan is not None
        plan.checkin = False  # this test is about the band only
        band = session.scalar(select(Wristband).where(Wristband.address == BAND))
        assert band is not None
        band.last_seen_at, band.battery_percent = T0, 64
    sweep_safety(factory=world.factory, now=T0 - timedelta(minutes=1))  # supervision starts
    assert sweep_safety(factory=world.factory, now=T0 + timedelta(hours=1, minutes=59)).silent_bands == 0
    silent_at = T0 + timedelta(hours=2)
    assert sweep_safety(factory=world.factory, now=silent_at).silent_bands == 1
    assert sweep_safety(factory=world.factory, now=silent_at + timedelta(minutes=5)).silent_bands == 0
    [alert] = alerts_of(world, "band_silent")
    assert alert.details["battery"] == 64 and alert.details["last_seen_at"] == T0.isoformat()
    world.sweep(silent_at)
    world.accept(alert.id, "li1", silent_at + timedelta(minutes=2))
    assert world.sweep(silent_at + timedelta(minutes=31)).steps == 0
    assert world.sweep(silent_at + timedelta(minutes=32)).steps == 1
    escalated, notified = world.timeline(alert.id, "escalated", "notified")[-2:]
    assert escalated == ("escalated", "第1级：接单 30 分钟仍未到达，通知下一级并提醒接单人")
    assert "李一" in notified[1] and "赵二" in notified[1]  # the acceptor, and the site's volunteers (step 2)


def test_a_band_silent_alert_is_not_doubled_by_the_inactivity_rule(world: World) -> None:
    """The older 4-hour ``inactivity`` rule stays quiet about a silence the safety net already raised as
    ``band_silent``; a new silence after the band was heard again is judged afresh by both."""
    with transaction(world.factory) as session:
        plan = session.get(SafetyPlan, world.resident_id)
        assert plan is not None
        plan.checkin = False
        band = session.scalar(select(Wristband).where(Wristband.address == BAND))
        assert band is not None
        band.last_seen_at = T0  # 14:00 local, within wearing hours and the 07:00-22:00 day
    sweep_safety(factory=world.factory, now=T0 - timedelta(minutes=1))
    assert sweep_safety(factory=world.factory, now=T0 + timedelta(hours=2)).silent_bands == 1
    assert sweep_periodic_rules(factory=world.factory, now=T0 + timedelta(hours=4)) == 0
    assert alerts_of(world, "inactivity") == []
    with transaction(world.factory) as session:  # heard again, then quiet; the safety net sweep not run
        band = session.scalar(select(Wristband).where(Wristband.address == BAND))
        assert band is not None
        band.last_seen_at = T0 + timedelta(hours=18)  # 08:00 the next day
    assert sweep_periodic_rules(factory=world.factory, now=T0 + timedelta(hours=22)) == 1
    assert len(alerts_of(world, "inactivity")) == 1


def test_a_band_watch_inserted_by_another_instance_does_not_fail_the_sweep(world: World) -> None:
    """Two portal instances start supervising a newly paired band at once: the second insert keeps the
    first row instead of failing the sweep (on PostgreSQL a unique violation aborted it)."""
    with transaction(world.factory) as session:
        band = session.scalar(select(Wristband).where(Wristband.address == BAND))
        assert band is not None
        first = {"wristband_id": band.id, "since": T0, "alerted": "", "battery_ref_percent": None,
                 "battery_ref_at": None}
        _start_watching(session, [first])
        _start_watching(session, [first | {"since": T0 + timedelta(seconds=1)}])
    with world.factory() as session:
        [since] = session.scalars(select(BandWatch.since)).all()
        assert since == T0  # the first instance's row, untouched


def test_arrival_in_time_stops_the_re_escalation(world: World) -> None:
    alert_id = world.raise_alert(T0, "sos-1")
    world.sweep(T0)
    world.accept(alert_id, "li1", T0 + timedelta(seconds=30))
    world.arrive(alert_id, "li1", T0 + timedelta(minutes=10))
    assert world.sweep(T0 + timedelta(minutes=20)).steps == 0
    assert world.timeline(alert_id, "arrived") == [("arrived", "李一 已到达")]


def fine() -> None:
    """A finding that is raised."""


def broken() -> None:
    """A finding whose raising fails."""
    raise RuntimeError("a bad row")


def test_one_failing_finding_does_not_stop_the_others(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with transaction(create_session_factory(engine)) as session:
        actions = [partial(fine), partial(broken), partial(fine)]
        assert _raise_all(session, actions) == [actions[0], actions[2]]
    engine.dispose()


def test_checkin_device_api_is_idempotent(seeded_portal: SeededPortal) -> None:
    client, headers = seeded_portal.client, seeded_portal.device_headers()
    body = {"event_id": "F0:00:00:00:00:01:8:123", "wristband": "F0:00:00:00:00:01",
            "occurred_at": "2026-12-06T08:00:00+08:00", "radio": "adapter"}
    first = client.post("/api/v1/checkins", json=body, headers=headers)
    again = client.post("/api/v1/checkins", json=body, headers=headers)
    other = client.post("/api/v1/checkins", json={**body, "occurred_at": "2026-12-06T08:01:00+08:00"},
                        headers=headers)
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json()["duplicate"] is True and again.json()["id"] == first.json()["id"]
    assert first.json()["source"] == "band" and first.json()["day"] == "2026-12-06"
    both = client.post("/api/v1/checkins", json={"event_id": "x", "resident_id": 1, "wristband": body["wristband"]},
                       headers=headers)
    assert both.status_code == 422

