"""A power cut at the kiosk loses nothing and doubles nothing (issue 9, kiosk side).

The real kiosk app, offscreen, in processes that are SIGKILLed:

1. The portal is down. A senior presses 呼叫帮助 and 是，呼叫 (simulated touches on the real
   widgets); the kiosk's own code stores the call in its durable outbox, the sender fails to
   reach the portal, the screen says so — and the power goes (SIGKILL, nothing shut down).
2. The kiosk starts again as ``anxin kiosk`` runs it, now able to reach a real portal, with
   the same outbox. It sends the stored call; the moment the portal has the alert the power
   goes again (SIGKILL: the outbox may not have noted the delivery yet).
3. It starts once more and is stopped cleanly (SIGTERM).

Afterwards the portal holds the call exactly once, from the kiosk's device, and the outbox
has nothing pending. The bridge side of issue 9 is tests/wearable/test_fall_crash.py.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select

from caregiver_portal.accounts.models import Device
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.security import hash_device_token
from tests.conftest import ROOT, LivePortal, free_port, wait_until
from tests.support.kiosk_process import anxin_kiosk, kiosk_env, log_text, while_running

pytestmark = pytest.mark.kivy

PLACE = "社区中心大厅"
OFFLINE_TEXT = "暂时联系不上服务中心"

PRESS_HELP_THEN_POWER_CUT = textwrap.dedent(f"""
    import os, signal, sys
    from pathlib import Path

    from tests.kiosk.harness import KioskHarness  # prepares headless Kivy before kivy is imported
    from kiosk.config import load_config

    config = load_config(Path(sys.argv[1]))
    h = KioskHarness(config)
    h.tap("home.help")  # the big 呼叫帮助 button…
    h.tap("confirm_help.yes")  # …and 是，呼叫 on the confirmation screen

    def stored():
        call = h.app.state.data.help
        return (call is not None and call.event_id is not None
                and config.active_call_path.is_file() and h.has_text({OFFLINE_TEXT!r}))

    if not h.wait_until(stored, timeout=60):
        sys.exit(f"help call not stored: screen {{h.screen}}, texts {{h.texts()}}")
    print("stored", h.app.state.data.help.event_id, h.app.client.pending_count(), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # the power cut: no on_stop, no client.stop(), nothing flushed
""")


def write_kiosk_config(path: Path, *, portal_url: str, token: str) -> Path:
    """A kiosk TOML with fast ticks; its outbox is ``outbox.sqlite3`` next to it (shared by every config there)."""
    values: dict[str, object] = {
        "portal_url": portal_url, "token": token, "site_name": "幸福社区", "place": PLACE,
        "duty_phone": "010-6512 3456", "outbox_path": "outbox.sqlite3", "width": 1280, "height": 720,
        "poll_interval_s": 0.3, "site_poll_interval_s": 1.0, "offline_after_s": 1.0, "tap_guard_s": 0.05,
        "voice_models_dir": "no-voice-models",  # no model: the kiosk never loads Vosk here
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    # JSON strings, numbers and booleans are valid TOML values.
    path.write_text("".join(f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in values.items()),
                    encoding="utf-8")
    return path


def outbox_rows(outbox: Path) -> list[tuple[str, str, str, int]]:
    """(event id, path, state, attempts) of every request in the kiosk's outbox file, in storing order."""
    with closing(sqlite3.connect(outbox, timeout=5)) as db:
        return db.execute("SELECT event_id, path, state, attempts FROM outbox ORDER BY seq").fetchall()


def help_alerts(engine: Engine) -> list[tuple[str | None, int | None, str]]:
    """(client event id, source device id, place) of every help alert the portal holds."""
    with engine.connect() as db:
        rows = db.execute(select(Alert.client_event_id, Alert.source_device_id, Alert.place)
                          .where(Alert.kind == "help").order_by(Alert.id)).all()
    return [(event_id, device_id, place) for event_id, device_id, place in rows]


@pytest.fixture
def portal_db(live_portal: LivePortal) -> Iterator[Engine]:
    """A connection pool to the live portal's database, for looking at what it stored."""
    engine = create_engine(live_portal.database_url)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the portal's database is not the point
def test_help_call_pressed_before_a_power_cut_reaches_the_portal_exactly_once_after_restarts(
    live_portal: LivePortal, portal_db: Engine, tmp_path: Path
) -> None:
    """The kiosk killed between "stored locally" and "sent", and again between "sent" and "noted as
    delivered": the senior's one press becomes exactly one help alert from this kiosk."""
    env = kiosk_env(tmp_path)
    kiosk_dir = tmp_path / "kiosk"
    outbox = kiosk_dir / "outbox.sqlite3"
    offline = write_kiosk_config(kiosk_dir / "offline.toml", portal_url=f"http://127.0.0.1:{free_port()}",
                                 token=live_portal.kiosk_token)
    online = write_kiosk_config(kiosk_dir / "kiosk.toml", portal_url=live_portal.url, token=live_portal.kiosk_token)
    with portal_db.connect() as db:
        kiosk_device = db.execute(select(Device.id).where(
            Device.token_hash == hash_device_token(live_portal.kiosk_token))).scalar_one()

    # 1. Portal unreachable: the press is stored, the sender tries and fails, then the power goes.
    first = subprocess.run([sys.executable, "-c", PRESS_HELP_THEN_POWER_CUT, str(offline)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=90)
    assert first.returncode == -signal.SIGKILL, f"rc {first.returncode}\n{first.stdout}\n{first.stderr[-4000:]}"
    marker = re.search(r"^stored (\S+) (\d+)$", first.stdout, re.MULTILINE)
    assert marker is not None, first.stdout
    event_id, pending_before_cut = marker.group(1), int(marker.group(2))
    assert pending_before_cut == 1
    [(stored_id, path, state, attempts)] = outbox_rows(outbox)
    assert (stored_id, path, state) == (event_id, "/api/v1/alerts", "pending")
    assert attempts >= 1, "the sender never tried: the cut did not fall between storing and sending"
    assert help_alerts(portal_db) == []  # nothing reached the portal before the restart

    # 2. Power back, portal reachable: the stored call goes out; power cut again as soon as it is in.
    with anxin_kiosk(online, tmp_path / "kiosk-2.log", env) as second:
        alerts = wait_until(while_running(second, tmp_path / "kiosk-2.log", lambda: help_alerts(portal_db)),
                            timeout=60, interval=0.01)
        second.kill()
        assert second.wait(timeout=60) == -signal.SIGKILL
    assert alerts == [(event_id, kiosk_device, PLACE)]
    state_at_second_cut = outbox_rows(outbox)[0][2]  # "pending" if the cut beat the delivery note

    # 3. Power back once more; this time the kiosk is shut down properly.
    log = tmp_path / "kiosk-3.log"

    def resumed_and_delivered() -> bool:
        text = log_text(log)
        return ("kiosk ready" in text and f"following help call {event_id}" in text
                and [row[:3] for row in outbox_rows(outbox)] == [(event_id, "/api/v1/alerts", "delivered")])

    with anxin_kiosk(online, log, env) as third:
        wait_until(while_running(third, log, resumed_and_delivered), timeout=60)
        third.send_signal(signal.SIGTERM)
        assert third.wait(timeout=60) == 0, log_text(log)[-4000:]
    assert "Traceback" not in log_text(log), log_text(log)

    assert help_alerts(portal_db) == [(event_id, kiosk_device, PLACE)], (
        f"not exactly once (outbox was {state_at_second_cut!r} at the second cut)")
    assert [row[:3] for row in outbox_rows(outbox)] == [(event_id, "/api/v1/alerts", "delivered")]
