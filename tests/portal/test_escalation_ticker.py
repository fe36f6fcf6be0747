"""The APScheduler ticker fires steps on time in real time, and the app starts it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from caregiver_portal.alerts.models import AlertEvent
from caregiver_portal.core.clock import utcnow
from caregiver_portal.ticker import Ticker
from tests.conftest import wait_until
from tests.portal.conftest import SeededPortal
from tests.portal.escalation_world import World, build_world


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """The seeded community on a fresh database."""
    community = build_world(database_url)
    yield community
    community.close()


def escalations(world: World, alert_id: int) -> list[AlertEvent]:
    with world.factory() as session:
        return list(session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert_id,
                                                             AlertEvent.type == "escalated").order_by(AlertEvent.id)))


def test_ticker_fires_a_step_once_its_deadline_passes_and_not_before(world: World) -> None:
    created = utcnow() - timedelta(seconds=59)
    alert_id = world.raise_alert(created, "real-time-1")
    world.sweep(created)  # the first step, as the ticker would have done at creation
    deadline = created + timedelta(seconds=60)  # about one second from now
    ticker = Ticker(factory=world.factory, public_url="http://portal.test", tick_interval_s=1.0)
    ticker.start()
    try:
        wait_until(lambda: len(escalations(world, alert_id)) == 2, timeout=60)
    finally:
        ticker.shutdown()
    second = escalations(world, alert_id)[1]
    assert second.at >= deadline  # how soon after is the machine's speed, not a rule (docs/benchmarks.md)


def test_portal_lifespan_runs_the_ticker(seeded_portal: SeededPortal) -> None:
    response = seeded_portal.client.post("/api/v1/alerts", headers=seeded_portal.device_headers(),
                                         json={"event_id": "tick-1", "kind": "sos", "wristband": "F0:00:00:00:00:01"})
    alert_id = response.json()["id"]
    factory = seeded_portal.client.app.state.portal.session_factory  # type: ignore[attr-defined]

    def first_step() -> bool:
        with factory() as session:
            return session.scalar(select(AlertEvent.id).where(AlertEvent.alert_id == alert_id,
                                                              AlertEvent.type == "escalated")) is not None

    wait_until(first_step, timeout=60)
