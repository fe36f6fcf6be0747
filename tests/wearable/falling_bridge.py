"""A bridge process whose simulated band 1 falls once connected (used by the crash test).

Run: ``python tests/wearable/falling_bridge.py URL TOKEN DATA_DIR WINDOW_S``. It runs the
real runner pieces (PortalClient with its outbox, BridgeState in DATA_DIR, ``serve``)
until it is killed.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

from caregiver_portal.client import PortalClient
from wearable.config import BridgeSettings
from wearable.runner import OUTBOX_FILE, serve
from wearable.simulator import SimulatedWorld, simulated_address
from wearable.state import BridgeState


async def fall_when_connected(world: SimulatedWorld) -> None:
    """Band 1 detects a fall as soon as the bridge is subscribed to it."""
    band = world.band(simulated_address(1))
    await band.wait_connected()
    band.fall()


async def main(url: str, token: str, data_dir: Path, window_s: float) -> None:
    """Serve until killed."""
    client = PortalClient(base_url=url, token=token, outbox_path=data_dir / OUTBOX_FILE)
    client.start()
    world = SimulatedWorld(1, reading_interval=0.2, advertise_interval=0.1, connect_latency=0.01)
    falling = asyncio.create_task(fall_when_connected(world))
    await serve(client, world=world, settings=BridgeSettings(fall_cancel_window=window_s),
                state=BridgeState.in_dir(data_dir))
    await falling


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), float(sys.argv[4])))
