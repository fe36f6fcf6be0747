"""Benchmark: one bridge process, 50 ESPHome proxies, 2,000 bands at 10 adverts/s each: SOS press -> portal.

Three processes on this machine:

- **portal**: ``anxin portal`` on loopback (SQLite), seeded with the 2,000 wristbands;
- **generator** (this script with ``--generator``): 50 fake ESPHome proxies
  (:mod:`wearable.sim_proxy`, the native API on loopback ports) and 2,000 simulated Anxin bands,
  40 per home, each advertising its current encrypted frame ``--rate`` times a second (a burst
  rate, all the time). Each band seals a new status frame every ``--status-every`` seconds; SOS
  presses hit random bands ``--presses`` times a second, each written with its press time to a
  file;
- **bridge** (this process): :class:`wearable.bridge.WristbandBridge` connected to the 50 proxies
  through bleak-esphome / habluetooth, with the 2,000 enrolments (keys), the real
  ``PortalClient`` (durable outbox) and ``BridgeState``; it notes when the portal acknowledged
  each SOS.

Reported: press -> in the outbox and press -> stored at the portal (p50 / p90 / p99 / max, ms),
CPU of each process as percent of one core over the measured window, advertisements the
proxies sent per second, frames refused by the bridge (should be 0) and SOS alerts stored.
Run::

    .venv/bin/python benchmarks/bridge_proxies.py [--proxies 50] [--bands 2000] [--rate 10] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge_live_portal import bridge_client, live_portal, machine, own_cpu_seconds, wait_for
from bridge_sos_latency import TimedClient, percentiles

from wearable.bridge import WristbandBridge
from wearable.config import BridgeSettings
from wearable.events import AlertOut, event_id_for
from wearable.frames import BTHOME_UUID, seal_anxin_event
from wearable.keys import Enrolment, Scheme
from wearable.proxies import ProxyConfig
from wearable.sim_proxy import SimulatedProxy, ad_structures
from wearable.simulator import SimulatedWorld, simulated_address, simulated_key
from wearable.state import BridgeState
from wearable.vendor import WristbandEvent, WristbandEventKind

MIRROR_S = 30.0


@dataclass
class Band:
    """One simulated Anxin band in the generator."""

    address: str
    key: bytes
    counter: int = 0
    sequence: int = 0
    data: bytes = b""
    next_status: float = 0.0
    mirror_until: float = 0.0

    def seal(self, kind: WristbandEventKind) -> WristbandEvent:
        """A new event in a new frame; the frame becomes what the band advertises."""
        self.counter += 1
        self.sequence = (self.sequence + 1) & 0xFFFF
        event = WristbandEvent(kind, self.sequence, int(time.time()), 80, worn=True)
        frame = seal_anxin_event(event, address=self.address, key=self.key, counter=self.counter)
        self.data = ad_structures({BTHOME_UUID: frame})
        return event


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ----- generator process ---------------------------------------------------------------------------------


async def advertise(proxy: SimulatedProxy, bands: list[Band], rate: float, status_every: float,
                    stop: asyncio.Event, offset: float) -> None:
    """Every 1/rate s: each band's current frame, as the proxy heard it."""
    rng = random.Random(proxy.name)
    await asyncio.sleep(offset)
    period = 1.0 / rate
    next_tick = time.monotonic()
    while not stop.is_set():
        now = time.monotonic()
        for band in bands:
            if now >= band.next_status and now >= band.mirror_until:
                band.seal(WristbandEventKind.STATUS)
                band.next_status = now + status_every
            proxy.advertise(band.address, -60 - rng.randrange(25), band.data)
        proxy.flush()
        next_tick += period
        await asyncio.sleep(max(0.0, next_tick - time.monotonic()))


async def press(bands: list[Band], homes: dict[str, SimulatedProxy], presses: float, pressed_log: Path,
                stop: asyncio.Event) -> None:
    """SOS on random bands, ``presses`` a second; each press time goes to ``pressed_log``. A band
    advertises a new event at once (then at its usual rate), as a band starts an advertising burst."""
    rng = random.Random(7)
    with pressed_log.open("a") as log:
        while not stop.is_set():
            band = rng.choice(bands)
            if time.monotonic() < band.mirror_until:
                continue  # one SOS at a time per band (its mirror holds the frame 30 s)
            pressed_at = time.time()
            event = band.seal(WristbandEventKind.SOS)
            band.mirror_until = time.monotonic() + MIRROR_S
            home = homes[band.address]
            home.advertise(band.address, -60, band.data)
            home.flush()
            log.write(json.dumps({"event_id": event_id_for(band.address, event), "pressed_at": pressed_at}) + "\n")
            log.flush()
            await asyncio.sleep(rng.expovariate(presses))


async def generate(args: argparse.Namespace) -> None:
    """Run the proxies and bands until the seconds are over; report ports, then what was sent."""
    bands = [Band(simulated_address(i), simulated_key(simulated_address(i))) for i in range(1, args.bands + 1)]
    for band in bands:
        band.seal(WristbandEventKind.STATUS)
        band.next_status = time.monotonic() + random.uniform(0, args.status_every)
    proxies = [SimulatedProxy(f"home-{i:02d}", mac=f"A4:CF:12:00:00:{i:02X}") for i in range(args.proxies)]
    for proxy in proxies:
        await proxy.start()
    print(json.dumps({"ports": [p.port for p in proxies]}), flush=True)
    await wait_subscribed(proxies)
    print(json.dumps({"subscribed": True}), flush=True)
    stop = asyncio.Event()
    per_proxy = [bands[i::args.proxies] for i in range(args.proxies)]
    tasks = [asyncio.create_task(advertise(p, b, args.rate, args.status_every, stop, i / args.proxies / args.rate))
             for i, (p, b) in enumerate(zip(proxies, per_proxy, strict=True))]
    homes = {band.address: proxy for proxy, group in zip(proxies, per_proxy, strict=True) for band in group}
    await asyncio.sleep(args.warmup)
    tasks.append(asyncio.create_task(press(bands, homes, args.presses, Path(args.pressed), stop)))
    await asyncio.sleep(args.seconds)
    stop.set()
    await asyncio.gather(*tasks)
    print(json.dumps({"sent": sum(p.sent for p in proxies), "seconds": args.seconds + args.warmup}), flush=True)
    for proxy in proxies:
        await proxy.stop()


async def wait_subscribed(proxies: list[SimulatedProxy]) -> None:
    """Until the bridge has subscribed to every proxy's advertisements."""
    while not all(p.subscribed for p in proxies):
        await asyncio.sleep(0.1)


# ----- bridge process ------------------------------------------------------------------------------------


def start_generator(args: argparse.Namespace, pressed: Path) -> tuple[subprocess.Popen[str], list[int]]:
    """Start the generator; returns it and the proxies' ports."""
    argv = [sys.executable, __file__, "--generator", "--pressed", str(pressed)]
    for name in ("proxies", "bands", "rate", "seconds", "warmup", "presses", "status_every"):
        argv += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    generator = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent)
    assert generator.stdout is not None
    return generator, json.loads(generator.stdout.readline())["ports"]


async def run(args: argparse.Namespace) -> None:
    """Portal, generator and bridge; print the figures."""
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp, \
            live_portal(Path(tmp), args.bands, timings=Path(tmp) / "portal-timings.jsonl") as portal:
        acked: dict[str, float] = {}
        client = bridge_client(portal, Path(tmp) / "bridge",
                               on_delivered=lambda event_id, _answer: acked.setdefault(event_id, time.time()))
        timed = TimedClient(client)
        sender_hops = probe_sender(client)
        pressed_log = Path(tmp) / "pressed.jsonl"
        generator, ports = start_generator(args, pressed_log)
        proxies = [ProxyConfig("127.0.0.1", port, f"home-{i:02d}") for i, port in enumerate(ports)]
        enrolments = [Enrolment(simulated_address(i), Scheme.ANXIN, simulated_key(simulated_address(i)))
                      for i in range(1, args.bands + 1)]
        no_adapter = SimulatedWorld(0)  # the bridge's own adapter hears nothing: everything comes by proxy
        state = BridgeState.in_dir(Path(tmp) / "bridge")
        bridge = WristbandBridge(timed, enrolments, BridgeSettings(fall_cancel_window=0),
                                 scanner_backend=no_adapter.scanner_backend, client_backend=no_adapter.client_backend,
                                 proxies=proxies, state=state, status_sink=timed)
        received, handled = probe(bridge)
        await bridge.start()
        assert generator.stdout is not None
        await asyncio.to_thread(generator.stdout.readline)  # every proxy subscribed
        started, cpu0, gen0, portal0 = time.monotonic(), own_cpu_seconds(), cpu_seconds(generator.pid), \
            portal.cpu_seconds()
        gen_cpu = await asyncio.to_thread(lambda: _wait_generator(generator, gen0))
        elapsed, cpu1, portal1 = time.monotonic() - started, own_cpu_seconds(), portal.cpu_seconds()
        sent = json.loads(generator.stdout.readline())
        presses = [json.loads(line) for line in pressed_log.read_text().splitlines()]
        pressed = {p["event_id"]: p["pressed_at"] for p in presses}
        await asyncio.to_thread(wait_for, lambda: set(pressed) <= set(acked), 60.0)
        refused = sum(sum(bridge.stats(e.address).refused.values()) for e in enrolments)
        await bridge.stop()
        client.close()
        state.close()
        stored = portal.count("SELECT COUNT(*) FROM alerts WHERE kind = 'sos'")
        timings = (Path(tmp) / "portal-timings.jsonl").read_text()
        if args.keep_timings:
            Path(args.keep_timings).write_text(timings)
        portal_requests = [json.loads(line) for line in timings.splitlines()]
    report(args, pressed, acked, timed.queued, elapsed, sent, refused, stored,
           cpu={"bridge": cpu1 - cpu0, "generator": gen_cpu, "portal": portal1 - portal0})
    print(f"  press -> heard by the bridge  (ms): {percentiles(_part(pressed, received))}")
    print(f"  heard -> decoded              (ms): {percentiles(_part(received, handled))}")
    print(f"  decoded -> in outbox          (ms): {percentiles(_part(handled, timed.queued))}")
    hops(pressed, timed.queued, sender_hops, portal_requests, acked)


HOPS = ("pressed", "queued", "woke", "sent", "portal_start", "lock_wait", "locked", "commit", "portal_end", "answered",
        "acked")
"""The moments of an SOS, in order: press (generator), in the outbox, the emergency sender's pass began, its HTTP
request began, the portal's handler stack took it, asked for / got SQLite's write lock, began its commit, sent
the response, the sender had the answer, the delivery callback ran."""


def probe_sender(client: Any) -> dict[str, dict[str, float]]:
    """Note, per alert event id, when the emergency sender's pass began (``woke``), when its request went out
    (``sent``) and when the answer came (``answered``)."""
    sender = client._senders["emergency"]  # noqa: SLF001 (benchmark probe)
    moments: dict[str, dict[str, float]] = {}
    pass_started = [0.0]
    deliver_due, send = sender.deliver_due, sender.send

    def timed_deliver_due(**kwargs: Any) -> int:
        pass_started[0] = time.time()
        return int(deliver_due(**kwargs))

    def timed_send(item: Any) -> int:
        noted = moments.setdefault(item.event_id, {"woke": pass_started[0], "sent": time.time()})
        settled = int(send(item))
        noted.setdefault("answered", time.time())
        return settled

    sender.deliver_due, sender.send = timed_deliver_due, timed_send
    return moments


def hops(pressed: dict[str, float], queued: dict[str, float], sender: dict[str, dict[str, float]],
         portal: list[dict[str, Any]], acked: dict[str, float]) -> None:
    """Per-hop percentiles of the SOS path, and the slowest presses hop by hop with what the portal was doing."""
    by_event = {r["event_id"]: r for r in portal if r.get("event_id")}
    rows: dict[str, dict[str, float]] = {}
    for event_id, at in pressed.items():
        row = {"pressed": at, "queued": queued.get(event_id), "acked": acked.get(event_id),
               **sender.get(event_id, {})}
        request = by_event.get(event_id, {})
        row |= {"portal_start": request.get("start"), "lock_wait": request.get("lock_wait"),
                "locked": request.get("locked"), "commit": request.get("commit"), "portal_end": request.get("end")}
        rows[event_id] = {k: v for k, v in row.items() if v is not None}
    print("per hop (ms):")
    for first, second in zip(HOPS, HOPS[1:], strict=False):
        values = [(r[second] - r[first]) * 1000 for r in rows.values() if first in r and second in r]
        if values:
            print(f"  {first:>12} -> {second:<12} {percentiles(values)}")
    for first, second in (("queued", "acked"), ("sent", "answered"), ("portal_start", "portal_end")):
        values = [(r[second] - r[first]) * 1000 for r in rows.values() if first in r and second in r]
        if values:
            print(f"  {first:>12} => {second:<12} {percentiles(values)}")
    slowest = sorted((r for r in rows.values() if "acked" in r), key=lambda r: r["acked"] - r["pressed"])[-4:]
    for row in slowest:
        steps = [f"{b}+{(row[b] - row[a]) * 1000:.0f}" for a, b in zip(HOPS, HOPS[1:], strict=False)
                 if a in row and b in row]
        print(f"slow press: total {(row['acked'] - row['pressed']) * 1000:.0f} ms; " + ", ".join(steps))
        for other in portal:
            if other.get("event_id") is None and other.get("start", 0) < row.get("portal_end", 0) \
                    and other.get("end", 0) > row.get("sent", 0):
                moments = [f"{k} {(other[k] - row['sent']) * 1000:+.0f}"
                           for k in ("start", "lock_wait", "locked", "commit", "end") if k in other]
                print(f"    overlapping {other['path']}: " + ", ".join(moments))


def probe(bridge: WristbandBridge) -> tuple[dict[str, float], dict[str, float]]:
    """Note, per SOS event id, when its advertisement reached the bridge and when it was decoded."""
    received: dict[str, float] = {}
    handled: dict[str, float] = {}
    handle = bridge.processor.handle

    def timed_handle(item: Any, now: float) -> list[Any]:
        outputs = handle(item, now)
        for output in outputs:
            if isinstance(output, AlertOut):
                received[output.event_id] = item.received_at.timestamp()
                handled[output.event_id] = time.time()
        return outputs

    bridge.processor.handle = timed_handle  # type: ignore[method-assign]
    return received, handled


def _part(start: dict[str, float], end: dict[str, float]) -> list[float]:
    return [(end[e] - start[e]) * 1000 for e in start if e in end]


def _wait_generator(generator: subprocess.Popen[str], cpu0: float) -> float:
    """Wait until the generator exits; its CPU seconds since ``cpu0`` (sampled every half second)."""
    last = cpu0
    while generator.poll() is None:
        try:
            last = cpu_seconds(generator.pid)
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.5)
    return last - cpu0


def report(args: argparse.Namespace, pressed: dict[str, float], acked: dict[str, float],
           queued: dict[str, float], elapsed: float, sent: dict[str, Any], refused: int, stored: int,
           cpu: dict[str, float]) -> None:
    """Print the figures."""
    total = [(acked[e] - pressed[e]) * 1000 for e in pressed if e in acked]
    bridge_part = [(queued[e] - pressed[e]) * 1000 for e in pressed if e in queued]
    missing = [e for e in pressed if e not in acked]
    print(f"{args.proxies} proxies, {args.bands} bands, {args.rate:g} adverts/s each, a status frame per band every "
          f"{args.status_every:g} s, {len(pressed)} SOS presses over {args.seconds:g} s (+{args.warmup:g} s warm-up)")
    print(f"advertisements sent by the proxies: {sent['sent'] / sent['seconds']:,.0f}/s")
    print(f"press -> stored at portal (ms): {percentiles(total)}   n={len(total)}, missing {len(missing)}")
    print(f"  press -> in outbox      (ms): {percentiles(bridge_part)}")
    print("CPU, % of one core over the run: " + ", ".join(f"{k} {v / elapsed * 100:.0f} %" for k, v in cpu.items()))
    print(f"frames refused by the bridge: {refused}; sos alerts in the portal database: {stored}")


def main() -> None:
    """Parse arguments; run the generator or the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proxies", type=int, default=50)
    parser.add_argument("--bands", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=10.0, help="advertisements per second per band")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds of presses")
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--presses", type=float, default=2.0, help="SOS presses per second (random bands)")
    parser.add_argument("--status-every", type=float, default=10.0, help="seconds between a band's status frames")
    parser.add_argument("--keep-timings", help="write the portal's per-request moments (JSON lines) to this file")
    parser.add_argument("--generator", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pressed", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aioesphomeapi").setLevel(logging.CRITICAL)  # the proxies stop before the bridge does
    asyncio.run(generate(args) if args.generator else run(args))


if __name__ == "__main__":
    main()
