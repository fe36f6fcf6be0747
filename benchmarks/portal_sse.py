"""Alert POST -> server-sent event at many live boards: the portal against a bare server, in the same run.

    .venv/bin/python -m benchmarks.portal_sse                             # SQLite, 200 boards
    .venv/bin/python -m benchmarks.portal_sse --boards 1000 --rounds 4
    .venv/bin/python -m benchmarks.portal_sse --boards 1000 --database-url postgresql://postgres@127.0.0.1:5432/postgres

Two servers run side by side: a real ``anxin portal`` (SQLite, or a throw-away database on the
given PostgreSQL server) and the bare baseline :mod:`benchmarks.portal_sse_lean` (Starlette,
a token check, one SQLite insert with a commit, an SSE push). Each round measures both, in
alternating order (the machine is shared and its load drifts): N boards connect from a separate
process (:mod:`benchmarks.sse_boards`), then this process POSTs SOS alerts one at a time. A sample
is the time from just before a POST is sent to the moment one board has read that alert's
"raised" event, for every (alert, board) pair. Goal (issue 21): the portal's p99 within 1.5x of
the baseline's at 1,000 boards.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from anxin.demo import wait_healthy
from benchmarks.portal_common import ROOT, band_address, database, free_port, machine, percentile, portal_process
from tests.portal.sse_client import signed_in

GOAL_RATIO = 1.5


@dataclass(frozen=True)
class Target:
    """A server under test: where it is, how boards and the bridge prove who they are, its process."""

    name: str
    url: str
    cookie: str
    bridge_token: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Phase:
    """One server's share of one round."""

    target: str
    latencies: list[float]
    """Every (alert, board) pair, ms."""
    per_alert: list[tuple[float, float, float]]
    """Per alert, ms: the POST answered, the first board, the last board."""
    cpu_ms_per_alert: float
    client_cpu_ms_per_alert: float
    load: float


@dataclass
class Results:
    """Every phase of the run."""

    phases: list[Phase] = field(default_factory=list)

    def pooled(self, target: str) -> list[float]:
        """All samples of ``target`` across rounds."""
        return [value for phase in self.phases if phase.target == target for value in phase.latencies]


@contextmanager
def baseline_process() -> Iterator[Target]:
    """The bare server on a fresh SQLite file."""
    token = "baseline-token-0123456789"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        with open(Path(folder) / "baseline.log", "wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "benchmarks.portal_sse_lean", "--port", str(port),
                                        "--database", f"{folder}/baseline.sqlite3", "--token", token],
                                       stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
            try:
                wait_healthy(url, process)
                yield Target("baseline", url, f"anxin_session={token}", token, process.pid)
            finally:
                process.terminate()
                process.wait(15)


def measure(target: Target, *, boards: int, alerts: int, gap_s: float, label: str) -> Phase:
    """Connect ``boards`` boards to ``target`` from a separate process, POST ``alerts`` alerts, collect samples."""
    client = subprocess.Popen([sys.executable, "-m", "benchmarks.sse_boards", "--url", target.url,
                               "--cookie", target.cookie, "--boards", str(boards)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert client.stdin is not None and client.stdout is not None
    try:
        ready = json.loads(client.stdout.readline() or "{}")
        if ready.get("ready") != boards:
            raise SystemExit(f"{target.name}: the boards did not connect ({ready})")
        client.stdin.write(json.dumps({"expect": []}) + "\n")  # its CPU time before the alerts
        client.stdin.flush()
        client_cpu_before = json.loads(client.stdout.readline())["cpu_s"]
        time.sleep(1.0)  # let the connection burst settle
        sent: dict[int, float] = {}
        answered: dict[int, float] = {}
        cpu_before = target.cpu_seconds()
        with httpx.Client(headers={"Authorization": f"Bearer {target.bridge_token}"}, timeout=30) as bridge:
            for number in range(alerts):
                started = time.monotonic()
                answer = bridge.post(f"{target.url}/api/v1/alerts", json={
                    "event_id": f"bench-{label}-{number}", "kind": "sos", "wristband": band_address(number % 5 + 1)})
                answer.raise_for_status()
                sent[int(answer.json()["id"])] = started
                answered[int(answer.json()["id"])] = 1000 * (time.monotonic() - started)
                time.sleep(gap_s)
        cpu_ms_per_alert = 1000 * (target.cpu_seconds() - cpu_before) / alerts
        client.stdin.write(json.dumps({"expect": list(sent)}) + "\n")
        client.stdin.flush()
        seen = json.loads(client.stdout.readline())
        client.stdin.write(json.dumps({"stop": True}) + "\n")
        client.stdin.flush()
    finally:
        try:
            client.wait(30)
        except subprocess.TimeoutExpired:
            client.kill()
    if seen["lost"] or seen["stray"] or seen["problem"]:
        raise SystemExit(f"{target.name}: {seen['lost']} events never reached their board, {seen['stray']} stray, "
                         f"problem: {seen['problem']}")
    latencies = [1000 * (arrived - sent[int(alert_id)]) for alert_id, times in seen["arrivals"].items()
                 for arrived in times]
    per_alert = [(answered[int(alert_id)], 1000 * (min(times) - sent[int(alert_id)]),
                  1000 * (max(times) - sent[int(alert_id)])) for alert_id, times in seen["arrivals"].items()]
    client_cpu_ms_per_alert = 1000 * (seen["cpu_s"] - client_cpu_before) / alerts
    return Phase(target.name, latencies, per_alert, cpu_ms_per_alert, client_cpu_ms_per_alert, os.getloadavg()[0])


def row(name: str, latencies: list[float], cpu: str, load: str) -> str:
    """One Markdown table row (``cpu``: the server's and the boards' CPU ms per alert)."""
    return (f"| {name} | {len(latencies)} | {percentile(latencies, 0.5):.1f} | {percentile(latencies, 0.95):.1f} "
            f"| {percentile(latencies, 0.99):.1f} | {max(latencies):.1f} | {cpu} | {load} |")


def report(results: Results, *, boards: int, backend: str) -> None:
    """Print every phase, the pooled figures and the p99 ratio."""
    print(f"# alert POST -> SSE at {boards} boards: portal ({backend}) against the bare baseline; {machine()}")
    print("| server (round) | samples | p50 ms | p95 ms | p99 ms | max ms | CPU ms per alert: server / boards "
          "| load |\n| --- | --- | --- | --- | --- | --- | --- | --- |")
    for number, phase in enumerate(results.phases):
        print(row(f"{phase.target} ({number // 2 + 1})", phase.latencies,
                  f"{phase.cpu_ms_per_alert:.1f} / {phase.client_cpu_ms_per_alert:.1f}", f"{phase.load:.1f}"))
    for target in ("baseline", "portal"):
        phases = [p for p in results.phases if p.target == target]
        server, boards = (sum(cpu) / len(phases) for cpu in zip(*((p.cpu_ms_per_alert, p.client_cpu_ms_per_alert)
                                                                  for p in phases), strict=True))
        print(row(f"**{target}, all rounds**", results.pooled(target), f"{server:.1f} / {boards:.1f}", ""))
    print("\nWhere the time goes (medians over alerts, ms): the POST answered / the first board / the last board")
    for target in ("baseline", "portal"):
        per_alert = [times for phase in results.phases if phase.target == target for times in phase.per_alert]
        print(f"- {target}: " + " / ".join(f"{statistics.median(column):.1f}" for column in zip(*per_alert,
                                                                                                strict=True)))
    base, portal = (percentile(results.pooled(t), 0.99) for t in ("baseline", "portal"))
    pairs = [sorted(results.phases[i:i + 2], key=lambda phase: phase.target)  # (baseline, portal)
             for i in range(0, len(results.phases), 2)]
    ratios = [percentile(p.latencies, 0.99) / percentile(b.latencies, 0.99) for b, p in pairs]
    print(f"\np99 portal / baseline: {portal / base:.2f} (pooled), per round {', '.join(f'{r:.2f}' for r in ratios)}; "
          f"goal <= {GOAL_RATIO}: {'met' if portal / base <= GOAL_RATIO else 'missed'}")


def main() -> None:
    """Command line: run the rounds, print Markdown."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server for the portal (default: SQLite)")
    parser.add_argument("--boards", type=int, default=200)
    parser.add_argument("--alerts", type=int, default=40, help="alerts per server per round")
    parser.add_argument("--gap", type=float, default=0.25, help="seconds between alerts")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (each measures both servers, order alternating)")
    args = parser.parse_args()
    results = Results()
    with database(args.database_url) as database_url, portal_process(database_url, bands=5) as portal, \
            baseline_process() as baseline:
        session = signed_in(portal.url, "volunteer1", "anxin-demo")
        cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
        targets = [baseline, Target("portal", portal.url, cookie, portal.bridge_token, portal.pid)]
        for number in range(args.rounds):
            for target in targets if number % 2 == 0 else targets[::-1]:
                results.phases.append(measure(target, boards=args.boards, alerts=args.alerts, gap_s=args.gap,
                                              label=f"{number}"))
    report(results, boards=args.boards, backend="PostgreSQL" if args.database_url else "SQLite")


if __name__ == "__main__":
    main()
