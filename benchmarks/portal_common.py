"""Shared helpers of the portal benchmarks: a seeded database and a real portal process."""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from anxin.demo import wait_healthy
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.security import password_hasher
from caregiver_portal.demo.seed import create_demo_devices, seed_demo
from caregiver_portal.migrate import upgrade_to_head

ROOT = Path(__file__).resolve().parent.parent


def band_address(index: int) -> str:
    """The address of benchmark wristband ``index`` (1-based)."""
    return f"B0:00:00:00:{index // 256:02X}:{index % 256:02X}"


@dataclass(frozen=True)
class Portal:
    """A running portal process."""

    url: str
    database_url: str
    bridge_token: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the portal process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> str:
    """One line describing where the numbers were taken."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {load:.1f}, Python " \
           f"{platform.python_version()}"


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile (0..1) of ``values`` (inclusive method)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[max(0, int(share * 1000) - 1)]


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """A fresh database: SQLite in a temp dir, or a throw-away database on the given PostgreSQL server."""
    if not url:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    admin_url = make_url(url)
    if admin_url.drivername == "postgresql":
        admin_url = admin_url.set(drivername="postgresql+psycopg")
    name = f"anxin_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def migrated_database(url: str | None) -> Iterator[sessionmaker[Session]]:
    """A fresh database (:func:`database`) migrated to the newest schema: its session factory."""
    with database(url) as fresh:
        engine = create_db_engine(fresh)
        try:
            upgrade_to_head(engine)
            yield create_session_factory(engine)
        finally:
            engine.dispose()


def seed(database_url: str, *, bands: int) -> str:
    """Migrate and seed the demo site with ``bands`` wristbands; returns a bridge token."""
    engine = create_db_engine(database_url)
    try:
        upgrade_to_head(engine)
        with transaction(create_session_factory(engine)) as session:
            seed_demo(session=session, hasher=password_hasher("fast"),
                      wristband_addresses=[band_address(i) for i in range(1, bands + 1)])
            return create_demo_devices(session=session, now=utcnow()).bridge_token
    finally:
        engine.dispose()


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def portal_process(database_url: str, *, bands: int) -> Iterator[Portal]:
    """Seed ``database_url`` and serve it with ``anxin portal`` (uvicorn) on loopback."""
    token = seed(database_url, bands=bands)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, ANXIN_DATABASE_URL=database_url, ANXIN_SECRET_KEY="benchmark-secret-key-0123456789")
        log = open(Path(folder) / "portal.log", "wb")  # noqa: SIM115 - owned by the process
        command = ["-m", "anxin", "portal", "--data-dir", folder, "--port", str(port)]
        process = subprocess.Popen([sys.executable, *command], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        try:
            wait_healthy(url, process)
            yield Portal(url=url, database_url=database_url, bridge_token=token, pid=process.pid)
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
