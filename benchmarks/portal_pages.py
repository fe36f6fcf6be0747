"""List pages at 20,000 orders and 2,000 residents (goal: every page's p95 < 150 ms).

    .venv/bin/python -m benchmarks.portal_pages                 # SQLite
    .venv/bin/python -m benchmarks.portal_pages --database-url postgresql://postgres@127.0.0.1:5432/postgres

The demo site (``anxin portal``, a real uvicorn process with its ticker) gets 2,000 more residents in its two
grids, 20,000 grocery orders over the last year (three lines each; 60 still open), 600 activities (one a day)
with 15 sign-ups each, 20,000 time-bank entries for the demo volunteer and 3,000 resolved alerts (credited).
A signed-in admin (and the volunteer for the time bank) then opens each page ``--requests`` times one after
another; the table gives p50 / p95 of the whole HTTP request seen by the client, and the portal's CPU time
per request (what the page costs when the machine is busy with other work).
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from benchmarks.portal_common import Portal, database, machine, percentile, portal_process
from caregiver_portal.accounts.models import Grid, Site, User
from caregiver_portal.activities.models import Activity, ActivitySignup
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.orders.models import GroceryOrder, GroceryOrderLine
from caregiver_portal.residents.models import Resident
from caregiver_portal.timebank.models import PointsEntry
from caregiver_portal.timebank.service import award_resolved_alerts

ITEMS = ("鸡蛋", "挂面", "西红柿", "酱油", "大米", "牛奶")
OPEN_STATES = ("submitted", "claimed", "bought", "delivered")


def _chunks(rows: list[dict[str, Any]], size: int = 2000) -> Sequence[list[dict[str, Any]]]:
    return [rows[i:i + size] for i in range(0, len(rows), size)]


def _bulk(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(model), chunk)


def populate(database_url: str, *, residents: int, orders: int, now: datetime) -> dict[str, int]:
    """Add the residents, orders, activities, ledger entries and alerts; returns ids the pages filter by."""
    engine = create_db_engine(database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            site = session.scalars(select(Site)).first()
            assert site is not None
            grids = list(session.scalars(select(Grid).where(Grid.site_id == site.id).order_by(Grid.id)))
            volunteer = session.scalar(select(User).where(User.username == "volunteer1"))
            assert volunteer is not None
            _bulk(session, Resident, [{"site_id": site.id, "grid_id": grids[i % len(grids)].id, "name": f"居民{i}",
                                       "room": f"{i % 40 + 1}号楼{i % 6 + 1}0{i % 4 + 1}", "created_at": now,
                                       "resident_code": f"B{i:05d}", "health_consent": False, "lives_alone": False}
                                      for i in range(residents)])
            resident_ids = list(session.scalars(select(Resident.id).where(Resident.site_id == site.id)))
            _populate_orders(session, site.id, resident_ids, volunteer.id, orders, now)
            _populate_activities(session, site.id, resident_ids, now)
            _bulk(session, PointsEntry, [{"site_id": site.id, "user_id": volunteer.id, "points": 10,
                                          "service": "delivery", "ref_id": 1_000_000 + i, "note": f"代购 #{i} 送达",
                                          "created_at": now - timedelta(minutes=30 * i)} for i in range(orders)])
            _bulk(session, Alert, [_alert(site.id, resident_ids[i % len(resident_ids)], volunteer.id,
                                          now - timedelta(hours=3 * i), emergency=i % 3 == 0) for i in range(3000)])
            while award_resolved_alerts(session=session, site_id=site.id, now=now):
                pass  # as the ticker and earlier page views would have done
            grid_id = grids[0].id
        with engine.connect() as connection:  # table statistics, as autovacuum keeps them on a live database
            connection.execute(text("ANALYZE"))
            connection.commit()
        return {"grid": grid_id}
    finally:
        engine.dispose()


def _alert(site_id: int, resident_id: int, volunteer_id: int, at: datetime, *, emergency: bool) -> dict[str, Any]:
    return {"site_id": site_id, "kind": "sos" if emergency else "help", "emergency": emergency, "state": "resolved",
            "place": "3号楼201", "details": {}, "resident_id": resident_id, "occurred_at": at, "received_at": at,
            "accepted_by_id": volunteer_id, "accepted_at": at + timedelta(seconds=40),
            "resolved_at": at + timedelta(minutes=20), "repeat_count": 0}


def _populate_orders(session: Session, site_id: int, resident_ids: list[int], volunteer_id: int, count: int,
                     now: datetime) -> None:
    step = timedelta(days=365) / count
    rows = []
    for i in range(count):
        created = now - step * i
        state = OPEN_STATES[i % 4] if i < 60 else ("cancelled" if i % 25 == 0 else "received")
        done = state in ("received", "cancelled")
        rows.append({"site_id": site_id, "resident_id": resident_ids[i % len(resident_ids)], "state": state,
                     "note": "", "created_at": created, "cancel_reason": "",
                     "claimed_by_id": volunteer_id if state not in ("submitted", "cancelled") else None,
                     "claimed_at": created + timedelta(minutes=10) if state not in ("submitted", "cancelled") else None,
                     "amount_paid_fen": 2350 if done else None,
                     "delivered_at": created + timedelta(hours=2) if state == "received" else None,
                     "received_at": created + timedelta(hours=3) if state == "received" else None,
                     "cancelled_at": created + timedelta(minutes=5) if state == "cancelled" else None})
    _bulk(session, GroceryOrder, rows)
    order_ids = list(session.scalars(select(GroceryOrder.id).where(GroceryOrder.site_id == site_id)))
    _bulk(session, GroceryOrderLine, [{"order_id": order_id, "name": ITEMS[(order_id + k) % len(ITEMS)],
                                       "quantity": 1 + k, "unit": "份"} for order_id in order_ids for k in range(3)])


def _populate_activities(session: Session, site_id: int, resident_ids: list[int], now: datetime) -> None:
    _bulk(session, Activity, [{"site_id": site_id, "title": f"活动{i}", "category": "health", "description": "",
                               "place": "社区服务中心一楼", "starts_at": now + timedelta(days=30 - i),
                               "ends_at": now + timedelta(days=30 - i, hours=2), "capacity": 30, "created_at": now}
                              for i in range(600)])
    activities = session.execute(select(Activity.id, Activity.starts_at).where(Activity.site_id == site_id)).all()
    _bulk(session, ActivitySignup, [{"activity_id": activity_id, "resident_id": resident_ids[(activity_id * 15 + k)
                                                                                             % len(resident_ids)],
                                     "state": "confirmed", "created_at": starts_at - timedelta(days=3, hours=k)}
                                    for activity_id, starts_at in activities for k in range(15)])


def signed_in(portal: Portal, username: str, password: str) -> requests.Session:
    """A browser session signed in as ``username``."""
    http = requests.Session()
    page = http.get(f"{portal.url}/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    answer = http.post(f"{portal.url}/login", data={"csrf_token": token.group(1), "username": username,
                                                    "password": password, "next": "/board"}, timeout=30)
    answer.raise_for_status()
    return http


def measure(portal: Portal, http: requests.Session, path: str, requests_count: int) -> tuple[float, float, float]:
    """p50 and p95 in ms of ``requests_count`` GETs of ``path``, and the portal's CPU ms per request."""
    http.get(portal.url + path, timeout=60).raise_for_status()  # warm up (templates, caches)
    times = []
    cpu_before = portal.cpu_seconds()
    for _ in range(requests_count):
        start = time.perf_counter()
        answer = http.get(portal.url + path, timeout=60)
        times.append((time.perf_counter() - start) * 1000)
        answer.raise_for_status()
    cpu = (portal.cpu_seconds() - cpu_before) * 1000 / requests_count
    return percentile(times, 0.5), percentile(times, 0.95), cpu


def pages(ids: dict[str, int], now: datetime) -> list[tuple[str, str]]:
    """(who, path) of every page measured."""
    month = now.strftime("%Y-%m")
    day = (now - timedelta(days=40)).date().isoformat()
    return [
        ("admin", "/orders"),
        ("admin", "/orders/all"),
        ("admin", "/orders/all?state=received&page=200"),
        ("admin", f"/orders/all?grid={ids['grid']}&from={day}&to={now.date().isoformat()}&state=received"),
        ("admin", "/activities"),
        ("admin", "/activities?state=past&page=10"),
        ("admin", "/residents"),
        ("admin", f"/residents?grid={ids['grid']}&page=40"),
        ("admin", "/residents?q=12号楼"),
        ("volunteer", "/timebank"),
        ("volunteer", "/timebank?page=100"),
        ("admin", f"/reports?month={month}"),
    ]


def main() -> None:
    """Seed, serve, measure, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server URL (a throw-away database is used)")
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    now = utcnow()
    with database(args.database_url) as url, portal_process(url, bands=5) as portal:
        started = time.perf_counter()
        ids = populate(url, residents=args.residents, orders=args.orders, now=now)
        print(f"seeded in {time.perf_counter() - started:.0f} s; {machine()}")
        users = {"admin": signed_in(portal, "admin", "anxin-admin"),
                 "volunteer": signed_in(portal, "volunteer1", "anxin-demo")}
        kind = "PostgreSQL" if args.database_url else "SQLite"
        print("| database | page | p50 | p95 | portal CPU / request |")
        print("| --- | --- | --- | --- | --- |")
        for who, path in pages(ids, now):
            p50, p95, cpu = measure(portal, users[who], path, args.requests)
            print(f"| {kind} | `{path}` | {p50:.0f} ms | {p95:.0f} ms | {cpu:.0f} ms |", flush=True)
        print(f"done; {machine()}")


if __name__ == "__main__":
    main()
