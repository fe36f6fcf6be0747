"""Shared by the bridge benchmarks: a real ``anxin portal`` process on loopback and an in-process bridge.

The portal runs on SQLite in a temporary directory, seeded by ``tests/support/seeding.py``
with wristbands at the simulated addresses; the bridge runs in this process with the real
``PortalClient`` (durable outbox), ``BridgeState`` and simulated bands behind bleak's
backend seam. Not a benchmark itself.
"""

from __future__ import annotations

import os
import platform
import resource
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from anxin.demo import wait_healthy  # noqa: E402
from caregiver_portal.client import PortalClient  # noqa: E402
from tests.support.seeding import seed_for_tests  # noqa: E402
from wearable.runner import OUTBOX_FILE  # noqa: E402
from wearable.simulator import simulated_address  # noqa: E402


@dataclass
class Portal:
    """A portal process and what the bridge needs to talk to it."""

    url: str
    bridge_token: str
    database: Path
    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        """User + system CPU time of the portal process so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def count(self, sql: str) -> int:
        """Run a counting query on the portal's SQLite database (read-only)."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30) as db:
            return int(db.execute(sql).fetchone()[0])


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_portal(work_dir: Path, bands: int, timings: Path | None = None) -> Iterator[Portal]:
    """Seed a SQLite portal with ``bands`` wristbands at the simulated addresses and serve it (``timings``: through
    ``timed_portal.py``, which notes the moments of each device request in that file)."""
    database = work_dir / "portal" / "anxin.sqlite3"
    database.parent.mkdir(parents=True)
    url_db = f"sqlite:///{database}"
    _, bridge_token = seed_for_tests(url_db, wristbands=[simulated_address(i) for i in range(1, bands + 1)])
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, ANXIN_DATABASE_URL=url_db, ANXIN_SECRET_KEY="benchmark-secret-key-0123456789")
    log = (work_dir / "portal.log").open("wb")
    entry = ["-m", "anxin", "portal"]
    if timings is not None:
        env["ANXIN_BENCH_TIMINGS"] = str(timings)
        entry = [str(Path(__file__).with_name("timed_portal.py"))]
    process = subprocess.Popen([sys.executable, *entry, "--data-dir", str(database.parent), "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    try:
        wait_healthy(url, process)
        yield Portal(url, bridge_token, database, process)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def bridge_client(portal: Portal, data_dir: Path,
                  on_delivered: Callable[[str, dict[str, Any]], None] | None = None) -> PortalClient:
    """A started portal client with its outbox in ``data_dir``, as ``wearable.runner.run_bridge`` builds it."""
    client = PortalClient(portal.url, portal.bridge_token, data_dir / OUTBOX_FILE, on_delivered=on_delivered)
    client.start()
    return client


def own_cpu_seconds() -> float:
    """User + system CPU time of this process (bridge, simulated bands and the outbox sender)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine() -> str:
    """One line describing where the benchmark ran, with the load at the start."""
    memory_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores, {memory_kib / 2**20:.0f} GiB, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average at start {load}")


def wait_for(predicate, timeout: float, interval: float = 0.05) -> bool:  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until true (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
