"""`anxin demo --headless` as a newcomer runs it: seeds, starts portal and bridge, shows the
simulated SOS on the board, and stops everything cleanly on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import ROOT, free_port, wait_until


def _board_with_alert(session: requests.Session, url: str) -> str | None:
    """The board's HTML once it shows an alert card."""
    html = session.get(f"{url}/board", timeout=10).text
    return html if "data-alert-id" in html else None


def test_demo_runs_the_system_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANXIN_")}
    log_path = tmp_path / "demo.log"
    log = log_path.open("w")
    demo = subprocess.Popen(
        [sys.executable, "-m", "anxin", "demo", "--headless", "--port", str(port), "--data-dir",
         str(tmp_path / "data"), "--wristbands", "2", "--sos-after", "1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_until(lambda: _healthy(url), timeout=60)
        session = requests.Session()
        login_page = session.get(f"{url}/login", timeout=10).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)  # type: ignore[union-attr]
        session.post(f"{url}/login", data={"username": "volunteer1", "password": "anxin-demo",
                                           "csrf_token": csrf, "next": "/board"}, timeout=10)
        html = wait_until(lambda: _board_with_alert(session, url), timeout=60)
        assert "紧急呼叫" in html
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=120)  # a loaded machine stops the portal, bridge and kiosk slowly
        log.close()
    text = log_path.read_text()
    assert demo.returncode == 0, text
    assert "volunteer1 / anxin-demo" in text and f"{url}/board" in text
    assert not _port_open(port), "the portal is still listening after Ctrl-C"


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def _port_open(port: int) -> bool:
    time.sleep(0.5)
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
