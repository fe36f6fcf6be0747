"""A whole district on one PostgreSQL: 4 portal instances behind nginx (TLS), 20 sites, 20,000 bands at one
reading a minute, 1 SOS a second across the district, 2,000 live boards; then the same with one instance
SIGKILLed half way (issue 21 points 2, 4 and 5).

    .venv/bin/python -m benchmarks.district                                   # 10 min steady + 10 min with a kill
    .venv/bin/python -m benchmarks.district --minutes 1 --bands 2000 --boards 200 --phases steady   # a short run

Everything runs on this machine: PostgreSQL (a throw-away database on ``--database-url``), ``anxin cluster``
(the instances and nginx), and the load generator: bridges (each posts its bands' readings every 10 s as one
batch and keeps a batch until the portal answered 2xx, re-sending it under the same batch id, as the device
outbox does) and SOS presses through one httpx client, plus the boards in a process of their own
(:mod:`benchmarks.district_boards`). Measured:

- readings sent / stored / lost / duplicated (a band and a minute name a reading);
- alert -> board: from just before the SOS POST to its "raised" event at every board of its site, through
  nginx; every board checks it hears only its own site's alerts;
- one site's burst (``--burst-sos`` SOS in a minute at site 1): the other sites' alert -> board p99 during the
  burst against the rest of the run;
- escalation steps fired more than 2 s after they were due (default emergency ladder: 0 s, 60 s, 180 s,
  then every 2 min; nobody accepts);
- portal, nginx and PostgreSQL memory over time (PostgreSQL: the PSS of all its processes, the shared
  server's other databases included), CPU of each part; after the kill, how long the cut boards took to
  be back (a cut to their next "ready").
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import resource
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from anxin.cluster import Cluster, ClusterOptions
from benchmarks.district_boards import FleetSpec, fleet_main
from benchmarks.district_report import Outcome, escalation_lateness, render, stored_readings
from benchmarks.district_seed import PASSWORD, SiteSeed, seed_district
from benchmarks.portal_common import ROOT, database
from tests.portal.sse_client import signed_in

BATCH_EVERY_S = 10
DRAIN_S = 60  # after the load, what devices still hold may take this long to deliver; the rest counts as pending
READ_EVERY_S = 60
KILLED = 1  # the instance killed in the second phase


@dataclass(frozen=True)
class Load:
    """The load of one phase."""

    sites: int
    bands: int
    boards: int
    bridges_per_site: int
    seconds: float
    sos_per_s: float
    burst_at_s: float
    burst_sos: int
    kill_at_s: float | None
    instances: int
    nginx_workers: int | str
    fetch_cards: bool


@dataclass
class Sent:
    """What the load generator handed to the portal, and when."""

    readings: int = 0
    delivered: int = 0
    pending_batches: int = 0
    sos: dict[int, tuple[int, float]] = field(default_factory=dict)
    """alert id -> (site number, time.monotonic() just before the first POST)."""
    sos_failed: int = 0
    retries: int = 0
    killed_at: float | None = None
    give_up_at: float = float("inf")
    """No re-sending after this (the end of the load plus DRAIN_S)."""


class Control:
    """Shared with the boards process: how many boards are connected, and when to stop."""

    def __init__(self, context: Any) -> None:
        self.ready = context.Value("i", 0)
        self.stop = context.Event()


async def post_until_stored(client: httpx.AsyncClient, path: str, body: dict[str, Any], token: str, sent: Sent,
                            give_up_at: float) -> httpx.Response | None:
    """POST until a 2xx (the same body: the portal stores it once), backing off like the device outbox."""
    delay = 0.25
    while time.monotonic() < min(give_up_at, sent.give_up_at):
        try:
            answer = await client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
            if answer.is_success:
                return answer
        except httpx.HTTPError:
            pass
        sent.retries += 1
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)
    return None


async def bridge(client: httpx.AsyncClient, token: str, bands: list[str], sent: Sent, start: float,
                 wall_start: datetime, load: Load, tag: str) -> None:
    """Every 10 s, the readings of the bands due in that window as one batch (each band once a minute)."""
    windows = READ_EVERY_S // BATCH_EVERY_S
    queue: deque[dict[str, Any]] = deque()
    tick = 0
    while (due := start + tick * BATCH_EVERY_S) < start + load.seconds:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        measured = (wall_start + timedelta(seconds=tick * BATCH_EVERY_S)).isoformat()
        readings = [{"wristband": band, "kind": "heart_rate", "value": 72.0, "measured_at": measured}
                    for number, band in enumerate(bands) if number % windows == tick % windows]
        queue.append({"batch_id": f"{tag}-{tick}", "readings": readings})
        sent.readings += len(readings)
        sent.pending_batches += 1
        while queue:
            body = queue[0]
            if not await post_until_stored(client, "/api/v1/readings", body, token, sent, time.monotonic() + 120):
                return  # the rest stays pending
            sent.delivered += len(body["readings"])
            sent.pending_batches -= 1
            queue.popleft()
        tick += 1


async def press(client: httpx.AsyncClient, site: SiteSeed, band: str, event_id: str, sent: Sent) -> None:
    """One SOS; its alert id is noted with the time just before the first POST."""
    posted = time.monotonic()
    body = {"event_id": event_id, "kind": "sos", "wristband": band, "occurred_at": datetime.now(UTC).isoformat()}
    answer = await post_until_stored(client, "/api/v1/alerts", body, site.bridge_tokens[0], sent, posted + 120)
    if answer is None:
        sent.sos_failed += 1
    else:
        sent.sos[answer.json()["id"]] = (site.number, posted)


def sos_schedule(load: Load, seed: int = 21) -> list[tuple[float, int]]:
    """(seconds from start, site number) of every SOS: the district's steady rate plus site 0's burst."""
    rng = random.Random(seed)
    steady = [(i / load.sos_per_s, rng.randrange(load.sites)) for i in range(int(load.seconds * load.sos_per_s))]
    burst = [(load.burst_at_s + i * 60 / load.burst_sos, 0) for i in range(load.burst_sos)]
    return sorted(steady + burst)


async def drive(cluster: Cluster, sites: list[SiteSeed], load: Load, sent: Sent, tag: str) -> None:
    """The whole phase's device load; kills an instance at ``load.kill_at_s``."""
    context = cluster.ssl_context()
    limits = httpx.Limits(max_connections=300, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=cluster.url, verify=context, limits=limits, timeout=10) as client:
        start, wall = time.monotonic(), datetime.now(UTC)
        sent.give_up_at = start + load.seconds + DRAIN_S
        tasks = []
        for site in sites:
            share = len(site.bands) // len(site.bridge_tokens)
            for number, token in enumerate(site.bridge_tokens):
                tasks.append(asyncio.create_task(bridge(client, token, list(site.bands[number * share:(number + 1)
                                                                                       * share]),
                                                        sent, start, wall, load, f"{tag}-{site.number}-{number}")))
        unused = {site.number: deque(random.Random(site.number).sample(site.bands, len(site.bands))) for site in sites}
        for number, (at, site_number) in enumerate(sos_schedule(load)):
            await asyncio.sleep(max(0.0, start + at - time.monotonic()))
            if load.kill_at_s is not None and sent.killed_at is None and at >= load.kill_at_s:
                sent.killed_at = time.monotonic()
                await asyncio.to_thread(cluster.kill, KILLED)
            tasks.append(asyncio.create_task(press(client, sites[site_number], unused[site_number].popleft(),
                                                   f"{tag}-sos-{number}", sent)))
        await asyncio.gather(*tasks)


def sample_memory(cluster: Cluster, stop: threading.Event, samples: list[dict[str, float]], start: float) -> None:
    """Every 15 s: each instance's RSS, nginx's RSS and PostgreSQL's PSS, in MB."""
    while True:
        row = {"t": time.monotonic() - start}
        for number, instance in enumerate(cluster.instances):
            row[f"portal{number + 1}"] = memory_mb(instance.process.pid, "VmRSS") if instance.alive else 0.0
        nginx = cluster.nginx.pid if cluster.nginx is not None else 0
        table = process_table()
        row["nginx"] = sum(memory_mb(pid, "VmRSS") for pid, _comm, parent in table if nginx in (pid, parent))
        row["postgres"] = sum(memory_mb(pid, "Pss", rollup=True) for pid, comm, _p in table if comm == "postgres")
        samples.append(row)
        if stop.wait(15):
            return


def process_table() -> list[tuple[int, str, int]]:
    """(pid, command name, parent pid) of every process."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            found.append((int(entry.name), comm, ppid))
    return found


def memory_mb(pid: int, key: str, *, rollup: bool = False) -> float:
    """A memory figure of ``/proc/PID/status`` (or ``smaps_rollup``) in MB; 0 when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/{'smaps_rollup' if rollup else 'status'}").read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_phase(server_url: str, load: Load, tag: str) -> Outcome:
    """One phase on a fresh database and a fresh cluster."""
    with database(server_url) as database_url, tempfile.TemporaryDirectory(prefix="anxin-district-") as folder:
        sites = seed_district(database_url, sites=load.sites, bands=load.bands,
                              bridges_per_site=load.bridges_per_site)
        options = ClusterOptions(database_url=database_url, data_dir=Path(folder), instances=load.instances,
                                 nginx_workers=load.nginx_workers)
        with Cluster(options) as cluster:
            os.environ["REQUESTS_CA_BUNDLE"] = cluster.ca_file
            cookies = tuple("; ".join(f"{c.name}={c.value}" for c in signed_in(cluster.url, s.volunteer, PASSWORD)
                                      .cookies) for s in sites)
            spec = FleetSpec(host="127.0.0.1", port=cluster.port, server_name=cluster.options.server_name,
                             ca_file=cluster.ca_file, boards_per_site=load.boards // load.sites, cookies=cookies,
                             fetch_cards=load.fetch_cards)
            mp = multiprocessing.get_context("spawn")
            control, results = Control(mp), mp.Queue()
            fleet = mp.Process(target=fleet_main, args=(spec, control, results), name="district-boards", daemon=True)
            fleet.start()
            deadline = time.monotonic() + 300
            while control.ready.value < spec.boards_per_site * load.sites and time.monotonic() < deadline:
                time.sleep(0.5)
            boards_ready = control.ready.value
            pids = [instance.process.pid for instance in cluster.instances]
            cpu_before = {pid: cpu_seconds(pid) for pid in pids}
            me_before = resource.getrusage(resource.RUSAGE_SELF)
            samples: list[dict[str, float]] = []
            stop = threading.Event()
            start = time.monotonic()
            sampler = threading.Thread(target=sample_memory, args=(cluster, stop, samples, start), daemon=True)
            sampler.start()
            sent = Sent()
            last_cpu = dict(cpu_before)
            watcher = threading.Thread(target=_watch_cpu, args=(pids, last_cpu, stop), daemon=True)
            watcher.start()
            asyncio.run(drive(cluster, sites, load, sent, tag))
            time.sleep(5)  # the last events reach the boards
            control.stop.set()
            fleet_result = results.get(timeout=120)
            fleet.join(60)
            stop.set()
            sampler.join()
            watcher.join()
            me_after = resource.getrusage(resource.RUSAGE_SELF)
            portal_cpu = sum(last_cpu[pid] - cpu_before[pid] for pid in pids)
            stored, distinct, alert_sites = stored_readings(database_url)
            late, steps, twice = escalation_lateness(database_url)
            nginx_errors = cluster_errors(cluster)
        return Outcome(load=load, sent=sent, fleet=fleet_result, boards_ready=boards_ready, start=start,
                       stored=stored, distinct=distinct, alert_sites=alert_sites, site_ids=[s.id for s in sites],
                       late_steps=late, steps=steps, steps_twice=twice,
                       memory=samples, portal_cpu_s=portal_cpu,
                       generator_cpu_s=(me_after.ru_utime + me_after.ru_stime - me_before.ru_utime
                                        - me_before.ru_stime),
                       nginx_errors=nginx_errors)


def _watch_cpu(pids: list[int], last: dict[int, float], stop: threading.Event) -> None:
    """Keep the newest CPU figure of every instance (a killed one keeps its last)."""
    while not stop.wait(1):
        for pid in pids:
            if (now := cpu_seconds(pid)) > 0:
                last[pid] = now


def cluster_errors(cluster: Cluster) -> int:
    """How many lines nginx's error log has (upstream failures after the kill show there)."""
    return len([line for line in cluster.nginx_errors().splitlines() if "[error]" in line])


def main() -> None:
    """Command line: run the phases, print the report, optionally append it to docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server; a throw-away database is created on it per phase")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--bands", type=int, default=20_000)
    parser.add_argument("--boards", type=int, default=2_000)
    parser.add_argument("--bridges-per-site", type=int, default=5)
    parser.add_argument("--sos-per-s", type=float, default=1.0)
    parser.add_argument("--burst-sos", type=int, default=100, help="SOS at site 1 within one minute")
    parser.add_argument("--burst-at", type=float, default=None, help="minute of the burst (default: 30%% in)")
    parser.add_argument("--instances", type=int, default=4)
    parser.add_argument("--nginx-workers", default="2")
    parser.add_argument("--phases", choices=("both", "steady", "kill"), default="both")
    parser.add_argument("--fetch-cards", action="store_true",
                        help="every board also GETs the alert's card on each event, as board.js does")
    parser.add_argument("--write", action="store_true", help="append the report to docs/benchmarks.md")
    args = parser.parse_args()
    seconds = args.minutes * 60
    load_before = os.getloadavg()
    reports = []
    for phase in (("steady", "kill") if args.phases == "both" else (args.phases,)):
        load = Load(sites=args.sites, bands=args.bands, boards=args.boards, bridges_per_site=args.bridges_per_site,
                    seconds=seconds, sos_per_s=args.sos_per_s,
                    burst_at_s=60 * args.burst_at if args.burst_at is not None else 0.3 * seconds,
                    burst_sos=args.burst_sos, kill_at_s=seconds / 2 if phase == "kill" else None,
                    instances=args.instances, fetch_cards=args.fetch_cards,
                    nginx_workers=int(args.nginx_workers) if args.nginx_workers.isdigit() else args.nginx_workers)
        outcome = run_phase(args.database_url, load, f"{phase}-{int(time.time())}")
        reports.append(render(outcome, phase, load_before=load_before, load_after=os.getloadavg()))
        print(reports[-1], flush=True)
    if args.write:
        with (ROOT / "docs" / "benchmarks.md").open("a", encoding="utf-8") as handle:
            handle.write("".join(reports))


if __name__ == "__main__":
    main()
