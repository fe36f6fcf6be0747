"""Benchmark: the whole bridge against N simulated wristbands through bleak's backend seam.

Measures connect time of all bands, notification throughput and SOS latency
(band button press -> ``raise_alert`` called). Run:
``python benchmarks/bridge_simulated.py [--bands 20] [--seconds 5] [--interval 0.05]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Sequence

from caregiver_portal.client import AlertCreate, ReadingIn
from wearable.bridge import WristbandBridge
from wearable.config import BridgeSettings
from wearable.simulator import SimulatedWorld


class TimingPortal:
    """Records when each alert reached the portal client."""

    def __init__(self) -> None:
        self.alert_times: dict[str, float] = {}
        self.readings = 0

    def raise_alert(self, alert: AlertCreate) -> str:
        self.alert_times[str(alert.wristband)] = time.perf_counter()
        return alert.event_id

    def cancel_alert(self, event_id: str, *, reason: str = "") -> str:
        return event_id

    def post_readings(self, readings: Sequence[ReadingIn]) -> str:
        self.readings += len(readings)
        return "batch"


async def run(bands: int, seconds: float, interval: float) -> None:
    """Connect ``bands`` bands, stream for ``seconds``, then press SOS on each and time it."""
    world = SimulatedWorld(bands, reading_interval=interval, advertise_interval=0.1, connect_latency=0.01)
    portal = TimingPortal()
    settings = BridgeSettings(batch_interval=1.0, max_connections=bands, fall_cancel_window=0)
    bridge = WristbandBridge(portal, world.enrolments(), settings,
                             scanner_backend=world.scanner_backend, client_backend=world.client_backend)
    started = time.perf_counter()
    await bridge.start()
    await asyncio.gather(*(band.wait_connected() for band in world.bands.values()))
    print(f"{bands} bands connected in {time.perf_counter() - started:.2f} s")
    await asyncio.sleep(seconds)
    notifications = sum(bridge.stats(a).notifications for a in world.addresses)
    print(f"{notifications / seconds:,.0f} notifications/s processed, {portal.readings:,} readings posted")
    pressed: dict[str, float] = {}
    for address, band in world.bands.items():
        pressed[address] = time.perf_counter()
        band.press_sos()
    while len(portal.alert_times) < bands:
        await asyncio.sleep(0.001)
    latencies = sorted((portal.alert_times[a] - pressed[a]) * 1000 for a in world.addresses)
    print(f"SOS latency ms: median {statistics.median(latencies):.1f}, max {latencies[-1]:.1f}")
    await bridge.stop()
    await world.close()


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bands", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--interval", type=float, default=0.05, help="sensor tick of each band (s)")
    args = parser.parse_args()
    asyncio.run(run(args.bands, args.seconds, args.interval))


if __name__ == "__main__":
    main()
