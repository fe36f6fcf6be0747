"""Press time is the time (issue 13 point 4) on a real database: a call held offline is stored with its press
and receipt times, escalates at once to the step it should be on, and is reported from its press."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import select, text

from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.clock import utcnow
from caregiver_portal.migrate import migrating, upgrade_to_head
from caregiver_portal.reports.service import month_report
from tests.portal.conftest import SeededPortal
from tests.portal.escalation_world import BAND, T0, World, at, build_world


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """The seeded community on a fresh database."""
    community = build_world(database_url)
    yield community
    community.close()


def test_call_held_offline_200s_is_stored_with_both_times_and_jumps_to_its_step(world: World) -> None:
    alert_id = world.raise_alert(at(200), "held-200", occurred_at=at(0))
    with world.factory() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None and (alert.occurred_at, alert.received_at) == (at(0), at(200))
    assert world.timeline(alert_id) == [("raised", "大厅网关 发出紧急呼叫（按下于 14:00，网络中断后 3 分 20 秒送达）")]

    assert world.sweep(at(200)).steps == 1  # one step, not three in the same second
    assert world.timeline(alert_id, "escalated", "notified") == [
        ("escalated", "第3级（距发生已 3 分 20 秒，直接升到这一级）：180 秒无人接单，通知紧急联系人和站点管理员"),
        ("notified", "已通知 看板：李一、王网格、赵二、孙网格、管理员；"
                     "请电话联系 女儿 张小红 13900000001、儿子 张大军 13900000002"),
    ]
    assert world.sweep(at(299)).steps == 0
    assert world.sweep(at(300)).steps == 1  # the repeats keep the press's rhythm


def test_call_held_30s_starts_at_step_one_and_reaches_the_site_60s_after_the_press(world: World) -> None:
    alert_id = world.raise_alert(at(30), "held-30", occurred_at=at(0))
    assert world.sweep(at(30)).steps == 1
    assert world.sweep(at(59)).steps == 0
    assert world.sweep(at(60)).steps == 1
    assert [m for _, m in world.timeline(alert_id, "escalated")] == [
        "第1级：通知本网格值班志愿者和网格员", "第2级：60 秒无人接单，通知全站值班志愿者和护理员"]


def test_a_device_clock_ahead_cannot_make_a_call_younger_than_its_arrival(world: World) -> None:
    alert_id = world.raise_alert(at(10), "ahead", occurred_at=at(70))
    with world.factory() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None and alert.occurred_at == alert.received_at == at(10)


def test_report_counts_from_the_press(world: World) -> None:
    on_time = world.raise_alert(at(0), "on-time")
    late = world.raise_alert(at(33), "late", occurred_at=at(0))
    world.accept(on_time, "li1", at(50))
    world.accept(late, "zhao2", at(70))  # 37 s after it arrived, 70 s after the press
    with world.factory() as session:
        local = T0.astimezone(UTC)
        report = month_report(session, site_id=world.site_id, year=local.year, month=local.month)
    assert report.emergencies.count == 2
    assert report.emergencies.within[60] == 0.5
    assert report.emergencies.median_accept_s == 60


def test_device_api_answers_and_stores_the_press_and_receipt_times(seeded_portal: SeededPortal) -> None:
    pressed = (utcnow() - timedelta(seconds=33)).replace(microsecond=0)
    body = {"event_id": "offline-33", "kind": "sos", "wristband": BAND, "occurred_at": pressed.isoformat()}
    answer = seeded_portal.client.post("/api/v1/alerts", json=body, headers=seeded_portal.device_headers())
    assert answer.status_code == 201, answer.text
    raised = answer.json()
    received = datetime.fromisoformat(raised["received_at"])
    assert datetime.fromisoformat(raised["occurred_at"]) == pressed
    assert received - pressed >= timedelta(seconds=33)
    assert raised["created_at"] == raised["received_at"]
    again = seeded_portal.client.get("/api/v1/alerts/by-event/offline-33", headers=seeded_portal.device_headers())
    assert (again.json()["occurred_at"], again.json()["received_at"]) == (raised["occurred_at"], raised["received_at"])


def test_migration_0016_keeps_old_alerts_with_their_receipt_as_press_time(database_url: str) -> None:
    world = build_world(database_url)
    try:
        stored = world.raise_alert(at(5), "old", occurred_at=at(1))
        with migrating(world.engine) as config:
            command.downgrade(config, "0016@0042")
            config.attributes["connection"].execute(text("UPDATE alerts SET occurred_at = NULL"))
        upgrade_to_head(world.engine)
        with world.factory() as session:
            alert = session.scalar(select(Alert).where(Alert.id == stored))
            assert alert is not None and alert.occurred_at == alert.received_at == at(5)
    finally:
        world.close()
