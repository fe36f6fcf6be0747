"""Readings ingested per second over HTTP, in batches, by one bridge (goal: >= 5,000/s on SQLite).

    .venv/bin/python -m benchmarks.portal_ingest                       # SQLite
    .venv/bin/python -m benchmarks.portal_ingest --database-url postgresql://postgres@127.0.0.1:5432/postgres

A real ``anxin portal`` process (uvicorn, the ticker running) takes ``POST /api/v1/readings``
batches; every batch runs the health rules on ingest. Readings are normal values, as most are.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

import requests

from benchmarks.portal_common import band_address, database, machine, portal_process

KINDS = (("heart_rate", 72.0), ("spo2", 97.0), ("temperature", 36.6), ("battery", 80.0))


def batch(number: int, size: int, bands: int, start: datetime) -> dict[str, object]:
    """Batch ``number``: ``size`` readings spread over the bands, one second apart per band."""
    readings = []
    for i in range(size):
        serial = number * size + i
        kind, value = KINDS[serial % len(KINDS)]
        readings.append({"wristband": band_address(serial % bands + 1), "kind": kind, "value": value + serial % 3,
                         "measured_at": (start + timedelta(seconds=serial // bands)).isoformat()})
    return {"batch_id": f"bench-{number}", "readings": readings}


def run(url: str | None, *, size: int, batches: int, bands: int) -> dict[str, float]:
    """Ingest ``batches`` batches of ``size`` readings; returns readings per second and batch latency."""
    with database(url) as database_url, portal_process(database_url, bands=bands) as portal:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {portal.bridge_token}"
        start = datetime.now(UTC) - timedelta(hours=1)
        bodies = [batch(n, size, bands, start) for n in range(batches + 2)]
        for body in bodies[:2]:  # warm up
            http.post(f"{portal.url}/api/v1/readings", json=body, timeout=30).raise_for_status()
        latencies = []
        began = time.perf_counter()
        for body in bodies[2:]:
            sent = time.perf_counter()
            answer = http.post(f"{portal.url}/api/v1/readings", json=body, timeout=30)
            answer.raise_for_status()
            assert answer.json()["accepted"] == size
            latencies.append(time.perf_counter() - sent)
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {"per_second": size * batches / elapsed, "batch_ms_p50": 1000 * latencies[len(latencies) // 2],
            "batch_ms_max": 1000 * latencies[-1]}


def main() -> None:
    """Command line: run the benchmark for a few batch sizes and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server (default: SQLite)")
    parser.add_argument("--sizes", default="100,500,1000")
    parser.add_argument("--readings", type=int, default=50_000, help="readings per batch size")
    parser.add_argument("--bands", type=int, default=50)
    args = parser.parse_args()
    print(f"# ingest over HTTP, {'PostgreSQL' if args.database_url else 'SQLite'}; {machine()}")
    print("| batch size | readings/s | batch p50 ms | batch max ms |\n| --- | --- | --- | --- |")
    for size in (int(s) for s in args.sizes.split(",")):
        result = run(args.database_url, size=size, batches=max(1, args.readings // size), bands=args.bands)
        print(f"| {size} | {result['per_second']:,.0f} | {result['batch_ms_p50']:.1f} | {result['batch_ms_max']:.1f} |",
              flush=True)


if __name__ == "__main__":
    main()
