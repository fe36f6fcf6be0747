"""Every alarm is accepted by someone: escalation and the alert lifecycle on a real database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from caregiver_portal.accounts.models import Device
from caregiver_portal.alerts import service as alert_service
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.db import transaction
from caregiver_portal.escalation.models import Escalation
from caregiver_portal.escalation.policy import DEFAULT_POLICIES, PolicySet
from tests.portal.escalation_world import World, at, build_world


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """The seeded community on a fresh database."""
    community = build_world(database_url)
    yield community
    community.close()


def notified(world: World, alert_id: int) -> list[str]:
    return [message for _, message in world.timeline(alert_id, "notified")]


def test_unaccepted_sos_escalation_timeline_step_by_step(world: World) -> None:
    alert_id = world.raise_alert(at(0), "band1-7")
    assert world.timeline(alert_id) == [("raised", "大厅网关 发出紧急呼叫")]

    assert world.sweep(at(0)).steps == 1
    assert notified(world, alert_id) == ["已通知 看板：李一、王网格"]  # grid 1 on duty + its grid worker

    assert world.sweep(at(59)).steps == 0
    assert world.sweep(at(60)).steps == 1
    assert notified(world, alert_id)[-1] == "已通知 看板：李一、王网格、赵二、孙网格"  # whole site + caregivers

    assert world.sweep(at(179)).steps == 0
    assert world.sweep(at(180)).steps == 1
    assert notified(world, alert_id)[-1] == (
        "已通知 看板：管理员；请电话联系 女儿 张小红 13900000001、儿子 张大军 13900000002")

    assert world.sweep(at(299)).steps == 0
    assert world.sweep(at(300)).steps == 1  # latching: again every 2 minutes
    assert world.sweep(at(420)).steps == 1
    escalated = [message for _, message in world.timeline(alert_id, "escalated")]
    assert escalated == [
        "第1级：通知本网格值班志愿者和网格员",
        "第2级：60 秒无人接单，通知全站值班志愿者和护理员",
        "第3级：180 秒无人接单，通知紧急联系人和站点管理员",
        "再次：仍未处理，再次通知所有人",
        "再次：仍未处理，再次通知所有人",
    ]
    assert "周休" not in " ".join(notified(world, alert_id))  # off duty volunteers are not called


def test_accepting_switches_to_reminders_and_resolving_stops_escalation(world: World) -> None:
    alert_id = world.raise_alert(at(0), "e1")
    world.sweep(at(0))
    world.accept(alert_id, "zhao2", at(45))
    assert world.sweep(at(60)).steps == 0  # no more alarms once accepted
    world.arrive(alert_id, "zhao2", at(600))
    assert world.sweep(at(45 + 15 * 60)).steps == 0  # arrived: no re-escalation
    assert world.sweep(at(45 + 60 * 60 - 1)).steps == 0
    assert world.sweep(at(45 + 60 * 60)).steps == 1
    assert world.timeline(alert_id, "reminded", "notified")[-2:] == [
        ("reminded", "第2级：已接单 1 小时仍未处理完，提醒接单人和网格员"),
        ("notified", "已通知 看板：王网格、赵二"),
    ]
    world.resolve(alert_id, "zhao2", at(2000))
    with world.factory() as session:
        assert session.get(Escalation, alert_id) is None
    assert world.sweep(at(99_999)).alerts == 0


def test_escalation_survives_a_restart_midway(world: World) -> None:
    alert_id = world.raise_alert(at(0), "e1")
    world.sweep(at(0))
    world.sweep(at(60))
    world.close()  # the portal stops after the second step ...
    restarted = world.reopen()
    try:
        assert restarted.sweep(at(61)).steps == 0  # ... nothing is fired twice after the restart
        assert restarted.sweep(at(200)).steps == 1  # the 180 s step was missed while down: fired once
        assert len(restarted.timeline(alert_id, "escalated")) == 3
    finally:
        restarted.close()


def test_sos_is_always_a_new_alert(world: World) -> None:
    first = world.raise_alert(at(0), "sos-1")
    second = world.raise_alert(at(5), "sos-2")
    assert first != second


def test_repeated_device_alert_attaches_to_the_open_one(world: World) -> None:
    first = world.raise_alert(at(0), "battery-1", kind="device")
    second = world.raise_alert(at(30), "battery-2", kind="device")
    again = world.raise_alert(at(31), "battery-2", kind="device")  # the same event re-sent
    assert first == second == again
    assert [t for t, _ in world.timeline(first)] == ["raised", "repeated"]
    with world.factory() as session:
        bridge = session.get(Device, world.bridge_id)
        assert bridge is not None
        assert alert_service.find_by_event(session, device=bridge, client_event_id="battery-2").id == first
        alert = session.get(Alert, first)
        assert alert is not None and alert.repeat_count == 1


def test_repeat_after_resolution_raises_a_new_alert(world: World) -> None:
    first = world.raise_alert(at(0), "inactive-1", kind="inactivity")
    world.resolve(first, "li1", at(100))
    assert world.raise_alert(at(200), "inactive-2", kind="inactivity") != first


def test_step_that_reaches_nobody_falls_back_to_the_whole_site(world: World) -> None:
    alert_id = world.raise_alert(at(0), "k-1", kind="help", device="kiosk", emergency=False,
                                 details={"place": "大厅"})  # no resident, so no grid
    world.sweep(at(0))
    assert world.timeline(alert_id, "escalated", "notified")[-2:] == [
        ("escalated", "第1级：通知本网格值班志愿者（本级无人可通知，改为通知全站值班人员和管理员）"),
        ("notified", "已通知 看板：李一、王网格、赵二、孙网格、管理员"),
    ]


def test_cancelled_alert_stops_escalating(world: World) -> None:
    alert_id = world.raise_alert(at(0), "e1")
    with transaction(world.factory) as session:
        alert_service.cancel_alert(session=session, alert_id=alert_id, reason="按错了", now=at(10))
    assert world.sweep(at(60)).steps == 0
    with world.factory() as session:
        assert session.scalar(select(Escalation)) is None


def test_one_failing_alert_never_stops_the_sweep(world: World) -> None:
    broken = PolicySet(policies=DEFAULT_POLICIES.policies, by_kind={"sos": "emergency", "help": "nonexistent"})
    world.policies = broken
    sos = world.raise_alert(at(0), "sos-1")
    help_id = world.raise_alert(at(0), "help-1", kind="help", emergency=False)
    report = world.sweep(at(0))
    assert (report.steps, report.failed) == (1, 1)
    assert len(world.timeline(sos, "escalated")) == 1 and world.timeline(help_id, "escalated") == []
    with world.factory() as session:
        row = session.get(Escalation, help_id)
        assert row is not None and row.next_due_at == at(15)  # retried later, not in a hot loop


def test_setup_functions_build_what_escalation_reads(world: World) -> None:
    from caregiver_portal.accounts.models import Grid, Site, User
    from caregiver_portal.core.errors import InvalidTransition
    from caregiver_portal.escalation.setup import add_channel, add_emergency_contact, add_to_grid, grid_named
    from caregiver_portal.residents.models import Resident

    with transaction(world.factory) as session:
        site = session.get(Site, world.site_id)
        zhou = session.get(User, world.users["zhou"])
        resident = session.get(Resident, world.resident_id)
        assert site is not None and zhou is not None and resident is not None
        grid2: Grid = grid_named(session, site=site, name="第二网格")
        add_to_grid(session, user=zhou, grid=grid2)
        add_to_grid(session, user=zhou, grid=grid2)  # idempotent
        family = add_channel(session, site=site, kind="webhook", name="家属群", url="https://example.invalid/hook")
        add_emergency_contact(session, resident=resident, name="王小明", relation="孙子", phone="13700000137",
                              channel=family)
        with pytest.raises(InvalidTransition, match="加签密钥"):
            add_channel(session, site=site, kind="dingtalk", name="x", url="https://oapi.dingtalk.com/robot/send")
    alert_id = world.raise_alert(at(0), "sos-1")
    for seconds in (0, 60, 180):
        world.sweep(at(seconds))
    assert "家属群：孙子 王小明" in world.timeline(alert_id, "notified")[-1][1]
