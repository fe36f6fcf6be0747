"""``run_kiosk`` as the ``anxin kiosk`` command runs it: its own process, real window, SIGTERM to stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.kivy

ROOT = Path(__file__).resolve().parents[2]


def test_run_kiosk_opens_window_and_stops_cleanly_on_sigterm(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text(
        'portal_url = "http://127.0.0.1:9"\ntoken = "kiosk-run-token"\nsite_name = "幸福社区"\n'
        'place = "社区中心大厅"\nduty_phone = "010-6512 3456"\noutbox_path = "outbox.sqlite3"\n'
        "width = 1280\nheight = 720\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "KIVY_NO_ARGS")}
    env.update(KIVY_HOME=str(tmp_path / "kivy-home"), KIVY_NO_FILELOG="1", SDL_AUDIODRIVER="dummy")
    log = tmp_path / "kiosk.log"
    with log.open("wb") as out:
        # `anxin kiosk --config ...` as an admin runs it: Kivy must not eat the options.
        process = subprocess.Popen([sys.executable, "-m", "anxin", "kiosk", "--config", str(config)], cwd=ROOT,
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 20
            while "kiosk ready" not in log.read_text(encoding="utf-8", errors="replace"):
                assert process.poll() is None, log.read_text(encoding="utf-8", errors="replace")
                assert time.monotonic() < deadline, "kiosk did not show its home screen"
                time.sleep(0.1)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0, log.read_text(encoding="utf-8", errors="replace")
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text, text
    assert text.count("kiosk ready") == 1, "each log line once (Kivy must not add a second root handler)"
    assert "DEBUG" not in text, "INFO level without --verbose"
