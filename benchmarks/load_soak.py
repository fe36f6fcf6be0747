"""Load and soak on loopback: simulated wristbands posting readings through the real client,
SOS alerts, and live boards following the server-sent event stream.

    .venv/bin/python benchmarks/load_soak.py --database sqlite --minutes 10
    .venv/bin/python benchmarks/load_soak.py --database postgresql --minutes 10

Reports events sent / stored / lost / duplicated, board latency (SOS POST -> SSE event at
every board) percentiles, and the portal's memory over time, and appends them to
docs/reliability.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from caregiver_portal.alerts.models import Alert  # noqa: E402
from caregiver_portal.client import PortalClient, ReadingIn  # noqa: E402
from caregiver_portal.health.models import Reading  # noqa: E402
from tests.conftest import free_port, start_portal_process  # noqa: E402
from tests.support.databases import fresh_database_url  # noqa: E402
from tests.support.seeding import create_test_devices, seed_for_tests  # noqa: E402

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class Board:
    """One live board: an SSE connection recording when each alert's "raised" event arrived."""

    received: dict[int, float] = field(default_factory=dict)
    connected: threading.Event = field(default_factory=threading.Event)


def follow_board(url: str, cookies: dict[str, str], board: Board, stop: threading.Event) -> None:
    """Read the board's event stream until ``stop``; reconnects with Last-Event-ID."""
    last_id = None
    while not stop.is_set():
        headers = {"Last-Event-ID": last_id} if last_id else {}
        try:
            with requests.get(f"{url}/board/events", cookies=cookies, headers=headers, stream=True,
                              timeout=(5, 30)) as response:
                event, data = None, None
                for raw in response.iter_lines(decode_unicode=True):
                    if stop.is_set():
                        return
                    if raw.startswith("event:"):
                        event = raw[6:].strip()
                    elif raw.startswith("data:"):
                        data = raw[5:].strip()
                    elif raw.startswith("id:"):
                        last_id = raw[3:].strip()
                    elif raw == "":
                        if event == "ready":
                            board.connected.set()
                        elif event == "alert" and data:
                            payload = json.loads(data)
                            if payload.get("type") == "raised":
                                board.received.setdefault(payload["alert_id"], time.monotonic())
                        event, data = None, None
        except requests.RequestException:
            time.sleep(0.5)


def sign_in(url: str) -> dict[str, str]:
    """Cookies of a volunteer's signed-in session."""
    session = requests.Session()
    page = session.get(f"{url}/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    session.post(f"{url}/login", data={"username": "volunteer1", "password": "anxin-demo", "csrf_token": csrf,
                                       "next": "/board"}, timeout=10)
    return session.cookies.get_dict()


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def run(database: str, minutes: float, bands: int, bridges: int, boards: int, sos_per_minute: int) -> str:
    """Run the load; returns a markdown report."""
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="anxin-load-")))
        if database == "postgresql":
            os.environ.setdefault("ANXIN_TEST_DATABASE_URL", POSTGRES_URL)
        database_url = stack.enter_context(fresh_database_url(database, tmp))
        addresses = [f"F1:00:00:00:{i >> 8:02X}:{i & 0xFF:02X}" for i in range(bands)]
        _kiosk, bridge_token = seed_for_tests(database_url, wristbands=addresses)
        tokens = create_test_devices(database_url, count=bridges, kind="bridge")
        url = f"http://127.0.0.1:{free_port()}"
        portal = start_portal_process(url, database_url, tmp)
        stack.callback(portal.terminate)
        cookies = sign_in(url)
        stop = threading.Event()
        board_list = [Board() for _ in range(boards)]
        for board in board_list:
            threading.Thread(target=follow_board, args=(url, cookies, board, stop), daemon=True).start()
        for board in board_list:
            board.connected.wait(30)
        clients = [PortalClient(url, token, tmp / f"bridge-{i}.sqlite3") for i, token in enumerate(tokens)]
        for client in clients:
            client.start()
        sent_readings, sos_sent = 0, {}
        memory = [(0.0, rss_mb(portal.pid))]
        started = time.monotonic()
        next_sos = started
        second = 0
        while time.monotonic() - started < minutes * 60:
            now = datetime.now(UTC)
            for index, client in enumerate(clients):
                mine = addresses[index::bridges]
                client.post_readings([ReadingIn(wristband=a, kind="heart_rate", value=70.0, measured_at=now)
                                      for a in mine])
                sent_readings += len(mine)
            while time.monotonic() >= next_sos:
                posted = time.monotonic()
                answer = requests.post(f"{url}/api/v1/alerts", timeout=10, headers={
                    "Authorization": f"Bearer {bridge_token}"}, json={
                    "event_id": f"load-sos-{len(sos_sent)}", "kind": "sos", "wristband": addresses[0]})
                sos_sent[answer.json()["id"]] = posted
                next_sos += 60 / sos_per_minute
            second += 1
            if second % 10 == 0:
                memory.append((time.monotonic() - started, rss_mb(portal.pid)))
            time.sleep(max(0.0, started + second - time.monotonic()))
        deadline = time.monotonic() + 120
        while any(c.pending_count() for c in clients) and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)
        stop.set()
        pending = sum(c.pending_count() for c in clients)
        for client in clients:
            client.close()
        engine = create_engine(database_url)
        with engine.connect() as db:
            stored_readings = db.scalar(select(func.count()).select_from(Reading))
            distinct_readings = db.scalar(select(func.count()).select_from(
                select(Reading.wristband_id, Reading.measured_at).distinct().subquery()))
            stored_sos = db.scalar(select(func.count()).select_from(Alert).where(Alert.kind == "sos"))
        engine.dispose()
        latencies = [(board.received[aid] - t) * 1000 for board in board_list for aid, t in sos_sent.items()
                     if aid in board.received]
        missing = sum(1 for board in board_list for aid in sos_sent if aid not in board.received)
    return report(database, minutes, bands, boards, sos_per_minute, sent_readings, stored_readings,
                  distinct_readings, pending, len(sos_sent), stored_sos, latencies, missing, memory)


def report(database: str, minutes: float, bands: int, boards: int, sos_per_minute: int, sent_readings: int,
           stored_readings: int, distinct_readings: int, pending: int, sos_sent: int, stored_sos: int,
           latencies: list[float], missing: int, memory: list[tuple[float, float]]) -> str:
    """The markdown section for docs/reliability.md.

    Every band sends one reading per second, so (wristband, measured_at) names a reading:
    stored rows beyond the distinct pairs are duplicates, sent ones not among them are lost.
    """
    lat = (f"p50 {statistics.median(latencies):.0f} ms, p99 {percentile(latencies, 99):.0f} ms, "
           f"max {max(latencies):.0f} ms over {len(latencies)} deliveries") if latencies else "no deliveries"
    lost = sent_readings - distinct_readings - pending
    duplicated = stored_readings - distinct_readings
    mem = ", ".join(f"{t / 60:.1f} min: {m:.0f} MB" for t, m in memory[:: max(1, len(memory) // 6)])
    return f"""
### Load and soak, {database}, {minutes:g} min — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC

Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; portal, bridges and
boards all on this machine over loopback. Load: {bands} wristbands at one reading a second (through
the real client and its outbox), {sos_per_minute} SOS a minute, {boards} live boards.

| measure | value |
| --- | --- |
| readings sent / stored / still pending | {sent_readings} / {stored_readings} / {pending} |
| readings lost / duplicated | {lost} / {duplicated} |
| SOS sent / stored | {sos_sent} / {stored_sos} |
| board latency, SOS POST -> event at each board | {lat} |
| board deliveries missing | {missing} |
| portal memory (RSS) | {mem} |
"""


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--bands", type=int, default=500)
    parser.add_argument("--bridges", type=int, default=5)
    parser.add_argument("--boards", type=int, default=50)
    parser.add_argument("--sos-per-minute", type=int, default=20)
    parser.add_argument("--write", action="store_true", help="append the report to docs/reliability.md")
    args = parser.parse_args()
    text = run(args.database, args.minutes, args.bands, args.bridges, args.boards, args.sos_per_minute)
    print(text)
    if args.write:
        with (ROOT / "docs" / "reliability.md").open("a", encoding="utf-8") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
