"""Alert POST -> server-sent event latency at many connected boards (goal: p99 < 100 ms at 200).

    .venv/bin/python -m benchmarks.portal_sse                      # SQLite, 200 boards
    .venv/bin/python -m benchmarks.portal_sse --database-url postgresql://postgres@127.0.0.1:5432/postgres

A real ``anxin portal`` process serves ``/board/events`` to N signed-in boards (raw asyncio
sockets in this process, so the client costs little next to the server); a bridge POSTs SOS
alerts one at a time. The latency of one sample is from just before the POST is sent to the
moment a board has read the "raised" event, for every (alert, board) pair. Client and
server share the machine's 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from collections import defaultdict
from urllib.parse import urlsplit

import httpx

from benchmarks.portal_common import band_address, database, machine, percentile, portal_process
from tests.portal.sse_client import signed_in

RAISED = re.compile(rb'"alert_id":\s*(\d+),\s*"type":\s*"raised"')


async def follow(url: str, cookie: str, arrivals: dict[int, list[float]], ready: list[int]) -> None:
    """One board on a raw socket: read the SSE stream line by line, note each "raised" event."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(f"GET /board/events HTTP/1.1\r\nHost: {parts.netloc}\r\nCookie: {cookie}\r\n"
                 "Accept: text/event-stream\r\n\r\n".encode())
    try:
        while (await reader.readline()) not in (b"\r\n", b""):
            pass  # response headers
        while line := await reader.readline():  # chunk-size lines are skipped like any unknown line
            if line.startswith(b"event: ready"):
                ready.append(1)
            elif line.startswith(b"data:") and (match := RAISED.search(line)):
                arrivals[int(match.group(1))].append(time.perf_counter())
    finally:
        writer.close()


async def measure(url: str, token: str, *, boards: int, alerts: int, gap_s: float) -> list[float]:
    """Latencies in ms of every (alert, board) pair."""
    session = signed_in(url, "volunteer1", "anxin-demo")
    cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
    arrivals: dict[int, list[float]] = defaultdict(list)
    ready: list[int] = []
    followers = [asyncio.create_task(follow(url, cookie, arrivals, ready)) for _ in range(boards)]
    while len(ready) < boards:
        await asyncio.sleep(0.05)
    sent: dict[int, float] = {}
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as bridge:
        for number in range(alerts):
            started = time.perf_counter()
            answer = await bridge.post(f"{url}/api/v1/alerts", json={
                "event_id": f"bench-{number}", "kind": "sos", "wristband": band_address(number % 5 + 1)})
            sent[answer.json()["id"]] = started
            await asyncio.sleep(gap_s)
    deadline = time.monotonic() + 10
    while any(len(arrivals[alert_id]) < boards for alert_id in sent) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    for task in followers:
        task.cancel()
    await asyncio.gather(*followers, return_exceptions=True)
    missing = sum(boards - len(arrivals[alert_id]) for alert_id in sent)
    if missing:
        raise SystemExit(f"{missing} events never reached their board")
    return [1000 * (arrived - sent[alert_id]) for alert_id in sent for arrived in arrivals[alert_id]]


def main() -> None:
    """Command line: print one Markdown table row."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server (default: SQLite)")
    parser.add_argument("--boards", type=int, default=200)
    parser.add_argument("--alerts", type=int, default=60)
    parser.add_argument("--gap", type=float, default=0.25, help="seconds between alerts")
    parser.add_argument("--lean", action="store_true", help="serve the board with core.live.board_stream")
    args = parser.parse_args()
    with database(args.database_url) as database_url, \
            portal_process(database_url, bands=5, lean_sse=args.lean) as portal:
        cpu_before = portal.cpu_seconds()
        latencies = asyncio.run(measure(portal.url, portal.bridge_token, boards=args.boards, alerts=args.alerts,
                                        gap_s=args.gap))
        cpu_ms_per_alert = 1000 * (portal.cpu_seconds() - cpu_before) / args.alerts
    backend = "PostgreSQL" if args.database_url else "SQLite"
    stream = "board_stream (lean)" if args.lean else "alerts/web.py (ServerSentEvent)"
    print(f"# alert POST -> SSE at {args.boards} boards, {backend}, {stream}; {machine()}")
    print("| boards | samples | p50 ms | p95 ms | p99 ms | max ms | portal CPU ms per alert |\n"
          "| --- | --- | --- | --- | --- | --- | --- |")
    print(f"| {args.boards} | {len(latencies)} | {percentile(latencies, 0.5):.1f} | {percentile(latencies, 0.95):.1f} "
          f"| {percentile(latencies, 0.99):.1f} | {max(latencies):.1f} | {cpu_ms_per_alert:.0f} |")


if __name__ == "__main__":
    main()
