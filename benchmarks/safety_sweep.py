"""Safety sweep time: 5,000 residents on the daily check-in and 5,000 bands supervised (goal: < 1 s).

    .venv/bin/python -m benchmarks.safety_sweep                 # SQLite
    .venv/bin/python -m benchmarks.safety_sweep --database-url postgresql://postgres@127.0.0.1:5432/postgres

A site with two grids, 10 staff and N residents, each on the daily check-in (deadline 10:00) and wearing a
band that a bridge reports (``band_status``). Each resident's band is heard every few minutes; most
residents checked in today. Measured (one sweep each, the ticker's ``sweep_safety``):

- *before the deadline*: 08:00, nothing due;
- *deadline, 1% missed*: 10:00, the 1% who did not check in raise ``no_checkin`` (and start escalating);
- *after, nothing new*: 10:01, the missed ones are already alerted;
- *1% bands silent*: 1% of the bands stop at 10:00 and are silent for 2 h of wearing time at 12:00.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.portal_common import band_address, machine, migrated_database
from caregiver_portal.accounts.models import Device, Grid, Site, User, UserGrid
from caregiver_portal.bands.models import BandStatus, Wristband
from caregiver_portal.core.db import transaction
from caregiver_portal.residents.models import Resident
from caregiver_portal.roster.service import start_on_call
from caregiver_portal.safety.models import Checkin, SafetyPlan
from caregiver_portal.safety.sweep import SafetyReport, sweep_safety

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 7)


def local(hour: int, minute: int = 0) -> datetime:
    """A Shanghai time on the benchmark day."""
    return datetime(2026, 12, 7, hour, minute, tzinfo=ZONE)


def populate(factory: sessionmaker[Session], residents: int) -> None:
    """The site, staff, residents with plans and bands, band statuses, and today's check-ins (1% missing)."""
    start = local(6, 0)
    with transaction(factory) as session:
        site = Site(name="压测站点")
        session.add(site)
        session.flush()
        grids = [Grid(site_id=site.id, name=f"网格{i}") for i in (1, 2)]
        session.add_all(grids)
        bridge = Device(site_id=site.id, kind="bridge", name="大厅网关", token_hash="x" * 64)
        session.add(bridge)
        session.flush()
        for i in range(10):
            user = User(username=f"u{i}", display_name=f"员工{i}", password_hash="x",
                        role="volunteer" if i < 6 else "caregiver", site_id=site.id)
            session.add(user)
            session.flush()
            start_on_call(session=session, user=user)
            session.add(UserGrid(user_id=user.id, grid_id=grids[i % 2].id))
        session.execute(insert(Resident), [{"site_id": site.id, "grid_id": grids[i % 2].id, "name": f"老人{i}",
                                            "room": f"{i // 100}号楼{i % 100:03d}", "care_level": i % 5,
                                            "lives_alone": i % 3 == 0, "created_at": start}
                                           for i in range(residents)])
        ids = list(session.scalars(select(Resident.id).order_by(Resident.id)))
        session.execute(insert(SafetyPlan), [{"resident_id": rid, "checkin": True, "checkin_deadline_min": 600,
                                              "updated_at": start} for rid in ids])
        session.execute(insert(Wristband), [{"site_id": site.id, "address": band_address(n + 1), "resident_id": rid,
                                             "label": f"手环{n}", "battery_percent": 80, "last_seen_at": start,
                                             "last_worn_at": start} for n, rid in enumerate(ids)])
        bands = list(session.scalars(select(Wristband.id).order_by(Wristband.id)))
        session.execute(insert(BandStatus), [{"wristband_id": band, "site_id": site.id, "device_id": bridge.id,
                                              "connected": True, "last_seen_at": start, "battery_percent": 80,
                                              "reported_at": start, "radio": "adapter"} for band in bands])
        session.execute(insert(Checkin), [{"site_id": site.id, "resident_id": rid, "day": DAY, "at": local(7, 30),
                                           "source": "staff", "received_at": local(7, 30)}
                                          for n, rid in enumerate(ids) if n % 100 != 0])


def hear_bands(factory: sessionmaker[Session], at: datetime, *, silent_every: int = 0) -> None:
    """Every band is heard at ``at``, except every ``silent_every``-th one (0: all heard)."""
    with transaction(factory) as session:
        bands = list(session.scalars(select(Wristband.id).order_by(Wristband.id)))
        heard = [b for n, b in enumerate(bands) if not silent_every or n % silent_every != 0]
        session.execute(BandStatus.__table__.update().where(BandStatus.wristband_id.in_(heard))
                        .values(last_seen_at=at, reported_at=at))


def timed(factory: sessionmaker[Session], now: datetime) -> tuple[float, float, SafetyReport]:
    """Wall-clock and CPU seconds (this process) one sweep at ``now`` takes, and what it found."""
    started, cpu = time.perf_counter(), time.process_time()
    report = sweep_safety(factory=factory, now=now)
    return time.perf_counter() - started, time.process_time() - cpu, report


def main() -> None:
    """Command line: print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server (default: SQLite)")
    parser.add_argument("--residents", type=int, default=5_000)
    args = parser.parse_args()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    with migrated_database(args.database_url) as factory:
        populate(factory, args.residents)
        rows = [("first sweep: supervision starts", *timed(factory, local(6, 1)))]
        hear_bands(factory, local(7, 55))
        rows.append(("08:00 before the deadline", *timed(factory, local(8, 0))))
        hear_bands(factory, local(9, 58))
        rows.append(("10:00 deadline, 1% missed", *timed(factory, local(10, 0))))
        rows.append(("10:01 nothing new", *timed(factory, local(10, 1))))
        hear_bands(factory, local(11, 58), silent_every=100)
        rows.append(("12:00 1% bands silent 2 h", *timed(factory, local(12, 0))))
        rows.append(("12:01 nothing new", *timed(factory, local(12, 1))))
    print(f"# safety sweep, {args.residents:,} residents on check-in and {args.residents:,} bands, {backend}; "
          f"{machine()}")
    print("| sweep | time | CPU (portal process) | no_checkin raised | band_silent raised |\n"
          "| --- | --- | --- | --- | --- |")
    for name, seconds, cpu, report in rows:
        print(f"| {name} | {seconds * 1000:,.0f} ms | {cpu * 1000:,.0f} ms | {report.missed_checkins} | "
              f"{report.silent_bands} |")


if __name__ == "__main__":
    main()
