"""A fall inside its cancel window survives the bridge being killed: it reaches a real portal
after the restart (portal: ``anxin portal`` on loopback; bridge: processes killed with SIGKILL)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from caregiver_portal.client import PortalClient
from tests.conftest import LivePortal, wait_until
from wearable.state import STATE_FILE

ROOT = Path(__file__).resolve().parents[2]
WINDOW_S = 8.0  # long enough that a loaded machine still kills the bridge inside it


def held_falls(data_dir: Path) -> list[tuple[str, float]]:
    """(event id, deadline) of the falls in the bridge's state file."""
    try:
        with sqlite3.connect(data_dir / STATE_FILE, timeout=5) as db:
            return db.execute("SELECT event_id, deadline_at FROM held_falls").fetchall()
    except sqlite3.OperationalError:  # not created yet
        return []


def start(args: list[str], log: Path, token: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ANXIN_DEVICE_TOKEN": token}
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the portal's database is not the point
def test_fall_held_when_the_bridge_is_killed_reaches_the_portal_after_restart(
    live_portal: LivePortal, tmp_path: Path
) -> None:
    data_dir = tmp_path / "bridge"
    first = start(["tests/wearable/falling_bridge.py", live_portal.url, live_portal.bridge_token, str(data_dir),
                   str(WINDOW_S)], tmp_path / "first.log", live_portal.bridge_token)
    try:
        [(event_id, deadline_at)] = wait_until(lambda: held_falls(data_dir), timeout=60)
    finally:
        first.kill()  # SIGKILL inside the window: no shutdown code runs
        first.wait()
    killed_at = time.time()
    assert killed_at < deadline_at, "the window ended before the crash; the test proves nothing"
    client = PortalClient(live_portal.url, live_portal.bridge_token, tmp_path / "reader.sqlite3")
    try:
        assert client.get_alert_for_event(event_id) is None  # the first process never forwarded it
        second = start(["-m", "anxin", "bridge", "--portal", live_portal.url, "--data-dir", str(data_dir),
                        "--simulate", "1"], tmp_path / "second.log", live_portal.bridge_token)
        try:
            alert = wait_until(lambda: client.get_alert_for_event(event_id), timeout=60)
            assert alert["kind"] == "fall" and alert["emergency"] is True and alert["state"] == "open"
            assert datetime.fromisoformat(alert["created_at"]).timestamp() >= deadline_at - 0.5  # not early
            wait_until(lambda: not held_falls(data_dir), timeout=60)
        finally:
            second.terminate()
            assert second.wait(timeout=60) == 0, (tmp_path / "second.log").read_text()
    finally:
        client.close()
    assert "restored" in (tmp_path / "second.log").read_text()
