"""One lock order for alert, escalation and timeline (docs/escalation.md): volunteers accepting and cancelling
while two escalation sweepers fire steps, on PostgreSQL, meet no deadlock and no 503.

CI runs it for a few seconds of real concurrency; ``benchmarks/alert_lock_contention.py`` runs the full 30 s
(figures in docs/reliability.md)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.portal.escalation_world import World, build_world
from tests.support.databases import DATABASE_BACKENDS
from tests.support.lock_contention import ContentionReport, run_contention

CI_SECONDS = 8.0

# Row locks and deadlocks are PostgreSQL's (SQLite lets one writer in at a time): PostgreSQL only (CI always has it).
postgres_only = pytest.mark.parametrize("database_url", [b for b in DATABASE_BACKENDS if b == "postgresql"],
                                        indirect=True)


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    community = build_world(database_url)
    community.add_channel("webhook", "http://127.0.0.1:9/volunteers", audience=["volunteer", "caregiver"])
    community.add_channel("webhook", "http://127.0.0.1:9/admins", audience=["admin"])
    yield community
    community.close()


@postgres_only
def test_accepts_cancels_and_sweeps_at_once_never_deadlock(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, logger="caregiver_portal.escalation.sweep")
    report = run_contention(world, seconds=CI_SECONDS, enough=busy_enough, max_seconds=90)
    assert report.deadlocks == 0, str(report)
    assert report.unavailable == [], str(report)
    assert report.failed_steps == 0, str(report)
    assert busy_enough(report), str(report)


def busy_enough(report: ContentionReport) -> bool:
    """The run did enough of everything at the same time to have met the old deadlock."""
    return report.accepts >= 10 and report.cancels >= 5 and report.sweeps >= 10 and report.steps >= 50
