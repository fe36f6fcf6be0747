"""Accepts, cancels and two escalation sweepers at once on PostgreSQL for 30 s: deadlocks and 503s (issue 18).

    .venv/bin/python -m benchmarks.alert_lock_contention --seconds 30
    .venv/bin/python -m benchmarks.alert_lock_contention --seconds 30 --database-url postgresql://postgres@127.0.0.1:5432/test

One thread raises an SOS every ~10 ms, two volunteers' threads accept open alerts, one cancels open or
accepted ones, two sweepers (two portal processes) fire escalation steps with a clock 31 minutes ahead per
sweep (every claimed alert fires). Counts: deadlocks PostgreSQL detected in the database
(``pg_stat_database``), database errors the accepts, cancels and raises met (each a 503 at the portal),
alerts the sweep had to retry one by one. ``tests/reliability/test_alert_lock_order.py`` runs the same for a
few seconds in CI.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from pathlib import Path

from benchmarks.portal_common import machine
from tests.portal.escalation_world import build_world
from tests.support.databases import POSTGRES_ENV, fresh_database_url
from tests.support.lock_contention import run_contention


def main() -> None:
    """Run the contention for ``--seconds`` on a throw-away PostgreSQL database and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL server to create the throw-away database on")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    os.environ[POSTGRES_ENV] = args.database_url  # where fresh_database_url creates its database
    with tempfile.TemporaryDirectory() as tmp, fresh_database_url("postgresql", Path(tmp)) as url:
        world = build_world(url)
        world.add_channel("webhook", "http://127.0.0.1:9/volunteers", audience=["volunteer", "caregiver"])
        world.add_channel("webhook", "http://127.0.0.1:9/admins", audience=["admin"])
        try:
            report = run_contention(world, seconds=args.seconds)
        finally:
            world.close()
    print(f"Machine: {machine()}")
    print(report)


if __name__ == "__main__":
    main()
