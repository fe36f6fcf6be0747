"""Benchmark: how many simulated bands one bridge process serves at one sensor tick per second each.

For each band count it runs a fresh bridge (real PortalClient + outbox, BridgeState) against
one real portal on loopback for ``--seconds``, then stops the bands, drains the bridge and
waits for the outbox to empty. Reported per run:

- readings produced by the bands (notifications on reading characteristics) vs stored at the
  portal (rows in ``readings``) — equal means nothing was lost;
- queue lag: BLE callback -> the forwarder takes the notification (p50 / p99 / max) and the
  largest notification queue seen; outbox backlog (largest number of pending requests);
- drain: time from stopping the bands until the outbox is empty;
- CPU: this process (bridge + simulated bands + outbox sender) and the portal process, as
  percent of one core over the run.

A run "keeps up" when the queue lag p99 stays under 1 s, the outbox backlog stays small and
every produced reading is stored. Run::

    .venv/bin/python benchmarks/bridge_capacity.py [--bands 50 100 200 300] [--seconds 30] [--profile 200]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bridge_live_portal import Portal, bridge_client, live_portal, machine, own_cpu_seconds, wait_for

from caregiver_portal.client import PortalClient
from wearable import uuids
from wearable.bridge import WristbandBridge
from wearable.config import BridgeSettings
from wearable.events import EventProcessor, Notification, Output
from wearable.simulator import SimulatedWorld
from wearable.state import BridgeState

READING_CHARACTERISTICS = (uuids.HEART_RATE_MEASUREMENT, uuids.PLX_CONTINUOUS, uuids.PLX_SPOT_CHECK,
                           uuids.TEMPERATURE_MEASUREMENT, uuids.BATTERY_LEVEL)


@dataclass
class Samples:
    """What the sampler and the lag probe collect during one run."""

    lags_ms: list[float] = field(default_factory=list)
    queue_max: int = 0
    backlog_max: int = 0


def probe_lag(processor: EventProcessor, samples: Samples) -> None:
    """Wrap ``processor.handle`` to note how long each notification waited in the queue."""
    handle = processor.handle

    def timed(note: Notification, now: float) -> list[Output]:
        samples.lags_ms.append((datetime.now(UTC) - note.received_at).total_seconds() * 1000)
        return handle(note, now)

    processor.handle = timed  # type: ignore[method-assign]


async def sample(bridge: WristbandBridge, client: PortalClient, samples: Samples) -> None:
    """Note the largest notification queue and outbox backlog, twice a second."""
    while True:
        samples.queue_max = max(samples.queue_max, bridge.queue.qsize())
        samples.backlog_max = max(samples.backlog_max, await asyncio.to_thread(client.pending_count))
        await asyncio.sleep(0.5)


def quantile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def one_run(portal: Portal, work_dir: Path, bands: int, seconds: float, profile: bool) -> str:
    """Serve ``bands`` bands for ``seconds`` and return one result line."""
    client = bridge_client(portal, work_dir)
    state = BridgeState.in_dir(work_dir)
    world = SimulatedWorld(bands, reading_interval=1.0, advertise_interval=1.0, connect_latency=0.02)
    bridge = WristbandBridge(client, world.enrolments(), BridgeSettings(max_connections=bands),
                             scanner_backend=world.scanner_backend, client_backend=world.client_backend,
                             state=state, status_sink=client)
    samples = Samples()
    probe_lag(bridge.processor, samples)
    rows_before = portal.count("SELECT COUNT(*) FROM readings")
    connect_started = time.monotonic()
    await bridge.start()
    await asyncio.gather(*(band.wait_connected() for band in world.bands.values()))
    connect_s = time.monotonic() - connect_started
    sampler = asyncio.create_task(sample(bridge, client, samples))
    profiler = cProfile.Profile() if profile else None
    cpu0, portal_cpu0, wall0 = own_cpu_seconds(), portal.cpu_seconds(), time.monotonic()
    if profiler:
        profiler.enable()
    await asyncio.sleep(seconds)
    if profiler:
        profiler.disable()
    await world.close()  # the bands stop sending
    stopped = time.monotonic()
    cpu1, portal_cpu1, wall1 = own_cpu_seconds(), portal.cpu_seconds(), stopped
    sampler.cancel()
    await bridge.stop()  # drains the queue, posts the last batch
    drained = await asyncio.to_thread(wait_for, lambda: client.pending_count() == 0, 120.0)
    drain_s = time.monotonic() - stopped
    client.close()
    state.close()
    produced = sum(b.sent[c] for b in world.bands.values() for c in READING_CHARACTERISTICS)
    stored = portal.count("SELECT COUNT(*) FROM readings") - rows_before
    if profiler:
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(25)
    wall = wall1 - wall0
    lags = samples.lags_ms
    return (f"| {bands} | {connect_s:.1f} | {produced / seconds:,.0f} | {produced:,} | {stored:,} | "
            f"{statistics.median(lags) if lags else 0:.1f} / {quantile(lags, 99):.1f} / {max(lags, default=0):.0f} | "
            f"{samples.queue_max} | {samples.backlog_max} | {drain_s:.1f}{'' if drained else ' (not drained)'} | "
            f"{(cpu1 - cpu0) / wall * 100:.0f} % | {(portal_cpu1 - portal_cpu0) / wall * 100:.0f} % |")


async def run(counts: list[int], seconds: float, profile_at: int | None) -> None:
    """One portal, one fresh bridge per band count."""
    print(f"machine: {machine()}")
    print(f"{seconds:.0f} s per run, one sensor tick per band per second (heart rate every tick, SpO2 every "
          "2nd, temperature every 5th, battery every 10th, spot-check every 30th)")
    print("| bands | connect s | readings/s | produced | stored at portal | queue lag ms p50 / p99 / max "
          "| max queue | max outbox backlog | drain s | bridge CPU | portal CPU |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp, live_portal(Path(tmp), max(counts)) as portal:
        for count in counts:
            line = await one_run(portal, Path(tmp) / f"bridge-{count}", count, seconds, profile_at == count)
            print(line, flush=True)


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bands", type=int, nargs="+", default=[50, 100, 200, 300])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--profile", type=int, default=None, metavar="N", help="cProfile the run with N bands")
    args = parser.parse_args()
    asyncio.run(run(args.bands, args.seconds, args.profile))


if __name__ == "__main__":
    main()
