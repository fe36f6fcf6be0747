"""``wearable.runner``: serve() in process, run_bridge() as a process with the real PortalClient."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.wearable.fakes import RecordingPortal, wait_until
from wearable.config import BridgeSettings
from wearable.keys import Enrolment, Scheme
from wearable.runner import OUTBOX_FILE, serve
from wearable.simulator import SimulatedWorld, simulated_address, simulated_key
from wearable.state import BridgeState

BAND1, BAND2 = simulated_address(1), simulated_address(2)


def fast_world(count: int) -> SimulatedWorld:
    return SimulatedWorld(count, reading_interval=0.02, advertise_interval=0.02, connect_latency=0.005)


async def test_serve_falls_back_to_simulated_bands_and_presses_sos_after_delay(
    portal: RecordingPortal, fast_settings: BridgeSettings
) -> None:
    portal.band_list = ConnectionError("portal down")
    stop = asyncio.Event()
    task = asyncio.create_task(serve(portal, simulate=2, sos_after=0.1, settings=fast_settings, stop=stop,
                                     world=fast_world(2), install_signal_handlers=False))
    await wait_until(lambda: portal.alerts_of("sos"), what="scripted sos")
    assert portal.alerts_of("sos")[0]["wristband"] == BAND1
    stop.set()
    await asyncio.wait_for(task, 60)


async def test_serve_serves_only_the_bands_the_portal_lists_with_their_keys(
    portal: RecordingPortal, fast_settings: BridgeSettings, tmp_path: Path
) -> None:
    portal.band_list = [{"address": BAND2.lower(), "scheme": "anxin", "key": simulated_key(BAND2).hex()}]
    world = fast_world(2)
    state = BridgeState(tmp_path / "state.sqlite3")
    stop = asyncio.Event()
    task = asyncio.create_task(serve(portal, simulate=2, settings=fast_settings, stop=stop, world=world,
                                     install_signal_handlers=False, state=state, secret=b"token"))
    await world.band(BAND2).wait_connected()
    world.band(BAND2).press_sos()
    await wait_until(lambda: portal.readings and portal.alerts_of("sos"), what="readings and the SOS")
    assert {r["wristband"] for r in portal.readings} == {BAND2}
    assert portal.alerts_of("sos")[0]["details"]["authenticated"] is True
    assert not world.band(BAND1).is_connected
    stop.set()
    await asyncio.wait_for(task, 60)
    assert state.enrolments(secret=b"token") == [Enrolment(BAND2, Scheme.ANXIN, simulated_key(BAND2))]


async def test_serve_uses_the_cached_keys_when_the_portal_is_down(
    portal: RecordingPortal, fast_settings: BridgeSettings, tmp_path: Path
) -> None:
    state = BridgeState(tmp_path / "state.sqlite3")
    state.store_enrolments([Enrolment(BAND2, Scheme.ANXIN, simulated_key(BAND2))], secret=b"token")
    portal.band_list = ConnectionError("portal down")
    world = fast_world(2)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(portal, settings=fast_settings, stop=stop, world=world,
                                     install_signal_handlers=False, state=state, secret=b"token"))
    await world.band(BAND2).wait_connected()
    world.band(BAND2).press_sos()
    await wait_until(lambda: portal.alerts_of("sos"), what="the SOS, authenticated with the cached key")
    assert not world.band(BAND1).is_connected
    stop.set()
    await asyncio.wait_for(task, 60)


def _bodies(outbox: Path, path: str = "/api/v1/alerts") -> list[dict[str, object]]:
    if not outbox.exists():
        return []
    try:
        with sqlite3.connect(outbox, timeout=5) as db:
            rows = db.execute("SELECT body FROM outbox WHERE path = ?", (path,)).fetchall()
    except sqlite3.OperationalError:  # table not created yet
        return []
    return [json.loads(body) for (body,) in rows]


def test_run_bridge_queues_sos_in_outbox_while_portal_is_down_and_stops_on_sigterm(tmp_path: Path) -> None:
    code = (
        "import logging; from pathlib import Path; from wearable.runner import run_bridge; "
        "logging.basicConfig(level=logging.INFO); "
        f"run_bridge(portal_url='http://127.0.0.1:9', token='t', data_dir=Path({str(tmp_path)!r}), "
        "simulate=2, sos_after=0.2)"
    )
    process = subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parents[2],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ})
    try:
        deadline = time.monotonic() + 60
        while not _bodies(tmp_path / OUTBOX_FILE):
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "no SOS reached the outbox"
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=60)[0].decode()
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    [sos] = _bodies(tmp_path / OUTBOX_FILE)
    assert sos["kind"] == "sos" and sos["wristband"] == BAND1
    assert "fallback band" in output and "bridge stopped" in output
    assert _bodies(tmp_path / OUTBOX_FILE, "/api/v1/readings")  # the last readings were flushed at SIGTERM
