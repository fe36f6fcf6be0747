"""``run_kiosk`` as the ``anxin kiosk`` command runs it: its own process, real window, SIGTERM to stop."""

from __future__ import annotations

import signal

import pytest

from tests.conftest import wait_until
from tests.support.kiosk_process import anxin_kiosk, kiosk_env, log_text, while_running

pytestmark = pytest.mark.kivy


def test_run_kiosk_opens_window_and_stops_cleanly_on_sigterm(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text(
        'portal_url = "http://127.0.0.1:9"\ntoken = "kiosk-run-token"\nsite_name = "幸福社区"\n'
        'place = "社区中心大厅"\nduty_phone = "010-6512 3456"\noutbox_path = "outbox.sqlite3"\n'
        "width = 1280\nheight = 720\n",
        encoding="utf-8",
    )
    log = tmp_path / "kiosk.log"
    # `anxin kiosk --config ...` as an admin runs it: Kivy must not eat the options.
    with anxin_kiosk(config, log, kiosk_env(tmp_path)) as process:
        wait_until(while_running(process, log, lambda: "kiosk ready" in log_text(log)), timeout=120)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, log_text(log)
    text = log_text(log)
    assert "Traceback" not in text, text
    assert text.count("kiosk ready") == 1, "each log line once (Kivy must not add a second root handler)"
    assert "DEBUG" not in text, "INFO level without --verbose"
