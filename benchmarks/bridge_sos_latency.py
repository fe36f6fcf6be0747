"""Benchmark: SOS press on a simulated band -> alert stored at a real portal on loopback.

For each press it records three moments (wall clock, one machine):

- ``pressed``: the simulated band sends the SOS indication (bleak notify callback scheduled);
- ``queued``: ``PortalClient.raise_alert`` returned, i.e. the alert is committed to the outbox;
- ``acked``: the portal answered 2xx, i.e. it committed the alert (``on_delivered`` callback).

``pressed -> acked`` is the figure that matters (goal p99 < 200 ms). The bands stream
readings meanwhile (one sensor tick per second each), so the portal also ingests reading
batches. The bridge is wired as ``anxin bridge`` wires it: one portal client. The experiment
``--two-clients`` sends readings through a second client (own outbox, own sender thread);
``--batch`` sets the readings per request. Run::

    .venv/bin/python benchmarks/bridge_sos_latency.py [--bands 10] [--presses 120] [--gap 0.25]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bridge_live_portal import bridge_client, live_portal, machine, wait_for

from caregiver_portal.client import AlertCreate, BandStatusIn, PortalClient, ReadingIn
from wearable import forwarder
from wearable.bridge import WristbandBridge
from wearable.config import BridgeSettings
from wearable.events import event_id_for
from wearable.simulator import SimulatedWorld
from wearable.state import BridgeState


class TimedClient:
    """The real portal client, noting when each alert was committed to the outbox.

    With ``readings`` (the ``--two-clients`` experiment) reading batches go to that second client.
    """

    def __init__(self, client: PortalClient, readings: PortalClient | None = None) -> None:
        self.client = client
        self.readings = readings or client
        self.queued: dict[str, float] = {}

    def raise_alert(self, alert: AlertCreate) -> str:
        """Queue the alert and note the time."""
        event_id = self.client.raise_alert(alert)
        self.queued[event_id] = time.time()
        return event_id

    def cancel_alert(self, event_id: str, *, reason: str = "") -> str:
        """Pass through."""
        return self.client.cancel_alert(event_id, reason=reason)

    def post_readings(self, readings: Sequence[ReadingIn]) -> str:
        """Pass through (to the readings client)."""
        return self.readings.post_readings(readings)

    def report_band_status(self, bands: Sequence[BandStatusIn]) -> dict[str, Any]:
        """Pass through."""
        return self.client.report_band_status(bands)


def percentiles(values: list[float]) -> str:
    """p50 / p90 / p99 / max of ``values`` (ms), nearest-rank."""
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]

    return (f"p50 {statistics.median(ordered):6.1f}  p90 {rank(90):6.1f}  p99 {rank(99):6.1f}  "
            f"max {ordered[-1]:6.1f}")


async def press_all(world: SimulatedWorld, presses: int, gap: float, seed: int) -> dict[str, float]:
    """Press SOS ``presses`` times round-robin over the bands; returns event id -> press time."""
    rng = random.Random(seed)
    bands = list(world.bands.values())
    pressed: dict[str, float] = {}
    for i in range(presses):
        band = bands[i % len(bands)]
        pressed_at = time.time()
        band.press_sos()
        assert band.last_event is not None
        pressed[event_id_for(band.address, band.last_event)] = pressed_at
        await asyncio.sleep(gap * rng.uniform(0.5, 1.5))
    return pressed


async def run(bands: int, presses: int, gap: float, warmup: int, two_clients: bool) -> None:
    """Start a portal, connect the bands, press, and print the latency distribution."""
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp, live_portal(Path(tmp), bands) as portal:
        acked: dict[str, float] = {}
        client = bridge_client(portal, Path(tmp) / "bridge",
                               on_delivered=lambda event_id, _answer: acked.setdefault(event_id, time.time()))
        second = bridge_client(portal, Path(tmp) / "readings") if two_clients else None
        timed = TimedClient(client, second)
        world = SimulatedWorld(bands, reading_interval=1.0, advertise_interval=1.0, connect_latency=0.02)
        state = BridgeState.in_dir(Path(tmp) / "bridge")
        bridge = WristbandBridge(timed, world.enrolments(), BridgeSettings(max_connections=bands),
                                 scanner_backend=world.scanner_backend, client_backend=world.client_backend,
                                 state=state, status_sink=timed)
        await bridge.start()
        await asyncio.gather(*(band.wait_connected() for band in world.bands.values()))
        await press_all(world, warmup, gap, seed=1)
        await asyncio.sleep(6)  # at least one reading batch is in flight too
        pressed = await press_all(world, presses, gap, seed=2)
        await asyncio.to_thread(wait_for, lambda: set(pressed) <= set(acked), 60.0)
        await bridge.stop()
        await world.close()
        client.close()
        if second is not None:
            second.close()
        state.close()
        stored = portal.count("SELECT COUNT(*) FROM alerts WHERE kind = 'sos'")
    missing = [e for e in pressed if e not in acked]
    total = [(acked[e] - pressed[e]) * 1000 for e in pressed if e in acked]
    bridge_part = [(timed.queued[e] - pressed[e]) * 1000 for e in pressed if e in timed.queued]
    http_part = [(acked[e] - timed.queued[e]) * 1000 for e in pressed if e in acked and e in timed.queued]
    wiring = "readings on a second client" if two_clients else "one client"
    print(f"{bands} bands streaming readings, {presses} SOS presses (+{warmup} warm-up), gap ~{gap} s, "
          f"{wiring}, {forwarder.MAX_BATCH_READINGS} readings a batch at most")
    print(f"press -> stored at portal (ms): {percentiles(total)}   n={len(total)}, missing {len(missing)}")
    print(f"  press -> in outbox      (ms): {percentiles(bridge_part)}")
    print(f"  outbox -> portal ack    (ms): {percentiles(http_part)}")
    print(f"sos alerts in the portal database: {stored} (expected {presses + warmup})")


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bands", type=int, default=10)
    parser.add_argument("--presses", type=int, default=120)
    parser.add_argument("--gap", type=float, default=0.25, help="mean seconds between presses")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--two-clients", action="store_true", help="experiment: readings through a second client")
    parser.add_argument("--batch", type=int, default=forwarder.MAX_BATCH_READINGS, help="readings per request")
    args = parser.parse_args()
    forwarder.MAX_BATCH_READINGS = args.batch
    asyncio.run(run(args.bands, args.presses, args.gap, args.warmup, args.two_clients))


if __name__ == "__main__":
    main()
