"""Escalation sweep time with 10,000 pending deadlines.

    .venv/bin/python -m benchmarks.portal_escalation                 # SQLite
    .venv/bin/python -m benchmarks.portal_escalation --database-url postgresql://postgres@127.0.0.1:5432/postgres

A site with 1,000 residents (two grids, 20 staff, two emergency contacts each, one staff bot)
and N open SOS alerts, each with a row in ``escalations``. Measured: a sweep when nothing is
due (the ticker's cost every second), and sweeps where all N deadlines are due at once
(each fires a step: timeline entries, recipients resolved, one outbox row per alert).
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from benchmarks.portal_common import machine, migrated_database
from caregiver_portal.accounts.models import Grid, Site, User, UserGrid
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.db import transaction
from caregiver_portal.escalation.models import Escalation
from caregiver_portal.escalation.policy import DEFAULT_POLICIES
from caregiver_portal.escalation.sweep import sweep_escalations
from caregiver_portal.notifications.models import NotificationChannel
from caregiver_portal.residents.models import EmergencyContact, Resident
from caregiver_portal.roster.service import start_on_call

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def populate(factory, alerts: int) -> None:  # type: ignore[no-untyped-def]
    """The site, its people and ``alerts`` open alerts due at T0."""
    with transaction(factory) as session:
        site = Site(name="压测站点")
        session.add(site)
        session.flush()
        grids = [Grid(site_id=site.id, name=f"网格{i}") for i in (1, 2)]
        session.add_all(grids)
        session.add(NotificationChannel(site_id=site.id, kind="webhook", name="站点群", url="http://127.0.0.1:9/x",
                                        audience=["volunteer", "caregiver", "admin"]))
        session.flush()
        for i in range(20):
            role = ("volunteer", "caregiver", "admin")[min(i // 8, 2)]
            user = User(username=f"u{i}", display_name=f"员工{i}", password_hash="x", role=role, site_id=site.id,
                        phone=f"1380000{i:04d}")
            session.add(user)
            session.flush()
            if i % 2 == 0:
                start_on_call(session=session, user=user)
            session.add(UserGrid(user_id=user.id, grid_id=grids[i % 2].id))
        session.execute(insert(Resident), [{"site_id": site.id, "grid_id": grids[i % 2].id, "name": f"老人{i}",
                                            "room": f"{i // 100}号楼{i % 100:03d}", "health_consent": True,
                                            "created_at": T0} for i in range(1000)])
        residents = list(session.scalars(select(Resident.id)))
        session.execute(insert(EmergencyContact), [
            {"resident_id": rid, "name": f"家属{n}", "relation": "子女", "phone": "13900000000", "priority": n,
             "created_at": T0} for rid in residents for n in (0, 1)])
        session.execute(insert(Alert), [
            {"site_id": site.id, "kind": "sos", "emergency": True, "state": "open", "place": "", "details": {},
             "resident_id": residents[i % len(residents)], "occurred_at": T0, "received_at": T0, "outcome": "",
             "repeat_count": 0}
            for i in range(alerts)])
        ids = list(session.scalars(select(Alert.id)))
        session.execute(insert(Escalation), [{"alert_id": alert_id, "phase": "open", "anchor_at": T0, "fired": 0,
                                              "next_due_at": T0, "updated_at": T0} for alert_id in ids])


def timed(factory, now: datetime) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Seconds one sweep at ``now`` takes, and the steps it fired."""
    started = time.perf_counter()
    report = sweep_escalations(factory=factory, policies=DEFAULT_POLICIES, now=now)
    return time.perf_counter() - started, report.steps


def main() -> None:
    """Command line: print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server (default: SQLite)")
    parser.add_argument("--alerts", type=int, default=10_000)
    args = parser.parse_args()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    with migrated_database(args.database_url) as factory:
        populate(factory, args.alerts)
        rows = [("nothing due", *timed(factory, T0 - timedelta(seconds=1)))]
        rows.append(("all due: first step", *timed(factory, T0)))
        rows.append(("nothing due (after)", *timed(factory, T0 + timedelta(seconds=1))))
        rows.append(("all due: 60 s step", *timed(factory, T0 + timedelta(seconds=60))))
    print(f"# escalation sweep, {args.alerts:,} pending deadlines, {backend}; {machine()}")
    print("| sweep | time | steps fired | steps/s |\n| --- | --- | --- | --- |")
    for name, seconds, steps in rows:
        rate = f"{steps / seconds:,.0f}" if steps else "-"
        print(f"| {name} | {seconds * 1000:,.1f} ms | {steps:,} | {rate} |")


if __name__ == "__main__":
    main()
