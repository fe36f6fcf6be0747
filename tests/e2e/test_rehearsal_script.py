"""A rehearsal script played through the real bridge (simulated bands behind bleak's backend seam, the real
portal client) to a live portal: an SOS, a fall and an abnormal heart rate arrive as they would from real bands."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from sqlalchemy import select

from caregiver_portal.bands.models import Wristband
from caregiver_portal.client import PortalClient
from caregiver_portal.core.db import create_db_engine, create_session_factory
from caregiver_portal.health.models import Reading
from tests.conftest import LivePortal
from wearable.config import BridgeSettings
from wearable.runner import serve
from wearable.script import parse_script
from wearable.simulator import SimulatedWorld, simulated_address

SCRIPT = "0.5s 1 heart-rate 150; 1s 2 sos; 1s 3 fall; 1s 1 battery 22"


def high_heart_rates(database_url: str, address: str) -> list[float]:
    engine = create_db_engine(database_url)
    try:
        with create_session_factory(engine)() as session:
            return list(session.scalars(select(Reading.value).join(Wristband, Wristband.id == Reading.wristband_id)
                                        .where(Wristband.address == address, Reading.kind == "heart_rate",
                                               Reading.value >= 140)))
    finally:
        engine.dispose()


async def wait_for(check, what: str, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(check):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


async def test_a_scripted_sos_fall_and_high_heart_rate_reach_the_portal(live_portal: LivePortal,
                                                                         tmp_path: Path) -> None:
    client = PortalClient(live_portal.url, live_portal.bridge_token, tmp_path / "bridge-outbox.sqlite3")
    client.start()
    world = SimulatedWorld(3, reading_interval=0.1, advertise_interval=0.05, connect_latency=0.005)
    stop = asyncio.Event()
    settings = BridgeSettings(fall_cancel_window=0.5, batch_interval=0.5, status_interval=1.0)
    bridge = asyncio.create_task(serve(client, world=world, stop=stop, install_signal_handlers=False, settings=settings,
                                       script=parse_script(SCRIPT, 3)))
    try:
        await wait_for(lambda: {"sos", "fall"} <= {a["kind"] for a in client.site_alerts()}, "the SOS and the fall")
        await wait_for(lambda: len(high_heart_rates(live_portal.database_url, simulated_address(1))) >= 3,
                       "heart rates around 150 from band 1")
        assert world.band(simulated_address(1)).battery <= 22
    finally:
        stop.set()
        await asyncio.wait_for(bridge, 30)
        client.close()
