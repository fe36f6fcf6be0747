"""SQLite under faults: a locked file and a full disk give clear errors and no corruption;
the database can be backed up while the portal writes, and the backup restores."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from fastapi.testclient import TestClient

from caregiver_portal.app import create_app
from caregiver_portal.core.settings import PortalSettings
from tests.conftest import ROOT, LivePortal, free_port, start_portal_process
from tests.reliability.conftest import tmpfs
from tests.support.seeding import seed_for_tests

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def alert_body(n: int) -> dict[str, object]:
    return {"event_id": f"fault-{n}", "kind": "sos", "wristband": "F0:00:00:00:00:01"}


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


@SQLITE_ONLY
def test_locked_database_answers_503_with_a_clear_reason(database_url: str) -> None:
    _kiosk, bridge = seed_for_tests(database_url)
    settings = PortalSettings(database_url=database_url, secret_key="fault-secret-key-0123456789abcdef",
                              password_profile="fast", sqlite_busy_timeout_ms=300)
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {bridge}"}
        # An unrelated process holds the write lock (e.g. a careless maintenance script).
        holder = sqlite3.connect(sqlite_path(database_url), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            response = client.post("/api/v1/alerts", json=alert_body(1), headers=headers)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert response.status_code == 503
        assert "数据库" in response.json()["detail"] and response.headers["retry-after"] == "5"
        assert client.post("/api/v1/alerts", json=alert_body(1), headers=headers).status_code == 201
    assert integrity(sqlite_path(database_url)) == "ok"


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs (needs root, as CI has): the portal's disk fills up for real. The migrated, seeded
    database takes most of 2 MiB now, so 4 MiB leaves room for the alerts that must be confirmed first."""
    with tmpfs(tmp_path / "tiny-disk", "4m") as mount_point:
        yield mount_point


def test_full_disk_gives_a_clear_error_and_keeps_what_was_confirmed(tiny_disk: Path) -> None:
    database_url = f"sqlite:///{tiny_disk / 'anxin.sqlite3'}"
    _kiosk, bridge = seed_for_tests(database_url)
    settings = PortalSettings(database_url=database_url, secret_key="fault-secret-key-0123456789abcdef",
                              password_profile="fast")
    confirmed: list[int] = []
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {bridge}"}
        filler = "x" * 4000
        for n in range(2000):
            response = client.post("/api/v1/alerts", headers=headers,
                                   json={**alert_body(n), "details": {"note": filler}})
            if response.status_code != 201:
                break
            confirmed.append(response.json()["id"])
        assert response.status_code == 503, response.text
        assert "存储空间已满" in response.json()["detail"]
        assert client.get("/healthz").status_code == 200
    assert len(confirmed) > 10
    assert integrity(tiny_disk / "anxin.sqlite3") == "ok"
    with sqlite3.connect(tiny_disk / "anxin.sqlite3") as db:
        stored = {row[0] for row in db.execute("SELECT id FROM alerts")}
    assert set(confirmed) <= stored


@SQLITE_ONLY
def test_backup_taken_while_portal_writes_restores_everything_confirmed_before_it(
    live_portal: LivePortal, tmp_path: Path
) -> None:
    headers = {"Authorization": f"Bearer {live_portal.bridge_token}"}
    confirmed: list[int] = []
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            response = requests.post(f"{live_portal.url}/api/v1/alerts", json=alert_body(n), headers=headers,
                                     timeout=10)
            if response.status_code == 201:
                confirmed.append(response.json()["id"])
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(confirmed) < 20:
            stop.wait(0.05)
        before_backup = list(confirmed)
        backup = tmp_path / "backup" / "anxin-backup.sqlite3"
        result = subprocess.run(
            [sys.executable, "-m", "anxin", "admin", "--database-url", live_portal.database_url,
             "--data-dir", str(live_portal.data_dir), "backup", str(backup)],
            capture_output=True, text=True, cwd=ROOT, timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert "完整性检查通过" in result.stdout
    finally:
        stop.set()
        writer.join()
    assert len(confirmed) > len(before_backup)  # the portal kept writing during the backup
    restored_url = f"http://127.0.0.1:{free_port()}"
    restored = start_portal_process(restored_url, f"sqlite:///{backup}", tmp_path / "backup")
    try:
        for alert_id in before_backup:
            answer = requests.get(f"{restored_url}/api/v1/alerts/{alert_id}", headers=headers, timeout=10)
            assert answer.status_code == 200, alert_id
    finally:
        restored.terminate()
        restored.wait(60)
