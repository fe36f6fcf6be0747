"""Entry point of ``anxin bridge``: portal client + wristband bridge until SIGINT / SIGTERM.

The data directory holds the portal client's outbox (``bridge-outbox.sqlite3``) and the
bridge's own state (``bridge-state.sqlite3``: falls inside their cancel window, last iTAG
presses, frame counters, the bands' keys sealed under the device token), so a bridge
restarted on the same directory loses no alert and still authenticates its bands when the
portal cannot be reached.

The bands and their keys come from the portal (``GET /api/v1/bands/keys``, this site's
bands only); ESPHome proxies from ``--proxy`` options (docs/devices.md). With
``--simulate N`` the bands are simulated (:mod:`wearable.simulator`), and from three bands
on the last one lives at a simulated home heard by a fake ESPHome proxy; ``--script`` plays a rehearsal
on them (:mod:`wearable.script`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import BaseBleakScanner

from wearable.bridge import WristbandBridge
from wearable.config import BridgeSettings
from wearable.keys import Enrolment, InvalidKey
from wearable.portal import FullPortal
from wearable.proxies import ProxyConfig
from wearable.script import Step
from wearable.script_runner import play
from wearable.sim_band import SimulatedBand
from wearable.simulator import SimulatedWorld, simulated_address
from wearable.state import BridgeState

logger = logging.getLogger(__name__)

OUTBOX_FILE = "bridge-outbox.sqlite3"
WRISTBAND_REFRESH_S = 60.0
SIMULATED_HOME = "演示家庭"
"""Name of the simulated home (an ESPHome proxy) where the last simulated band lives."""


BridgePortal = FullPortal
"""The portal client as the runner uses it (``caregiver_portal.client.PortalClient``)."""


def run_bridge(
    *, portal_url: str, token: str, data_dir: Path, simulate: int = 0, sos_after: float | None = None,
    settings: BridgeSettings | None = None, proxies: list[ProxyConfig] | None = None, script: Sequence[Step] = (),
) -> None:
    """Run the bridge (``simulate`` > 0: that many simulated bands, playing ``script``) until SIGINT / SIGTERM."""
    from caregiver_portal.client import PortalClient  # the portal package is an edge dependency

    data_dir.mkdir(parents=True, exist_ok=True)
    client = PortalClient(base_url=portal_url, token=token, outbox_path=data_dir / OUTBOX_FILE)
    state = BridgeState.in_dir(data_dir)
    client.start()
    try:
        asyncio.run(serve(client, simulate=simulate, sos_after=sos_after, settings=settings, state=state,
                          secret=token.encode(), proxies=proxies or [], script=script))
    finally:
        client.stop()
        logger.info("bridge exited; %d request(s) wait in the outbox", client.pending_count())
        client.close()
        state.close()


async def serve(
    portal: BridgePortal,
    *,
    simulate: int = 0,
    sos_after: float | None = None,
    settings: BridgeSettings | None = None,
    stop: asyncio.Event | None = None,
    world: SimulatedWorld | None = None,
    install_signal_handlers: bool = True,
    state: BridgeState | None = None,
    secret: bytes = b"",
    proxies: list[ProxyConfig] | None = None,
    script: Sequence[Step] = (),
) -> None:
    """Run the bridge on the running loop until ``stop`` is set (or a signal arrives); with a simulated world,
    ``script`` is played on its bands (times from now)."""
    stop = stop or asyncio.Event()
    proxies = list(proxies or [])
    if world is None and simulate > 0:
        world = simulated_world(simulate)
    if world is not None and world.proxies:
        await world.start_proxies()
        proxies += world.proxy_configs()
    scanner_backend: type[BaseBleakScanner] | None = world.scanner_backend if world else None
    client_backend: type[BaseBleakClient] | None = world.client_backend if world else None
    fallback = world.enrolments() if world is not None else []
    bands = await fetch_enrolments(portal, state=state, secret=secret, fallback=fallback)
    refresh_now = asyncio.Event()
    bridge = WristbandBridge(
        portal, bands, settings, scanner_backend=scanner_backend, client_backend=client_backend,
        state=state, status_sink=portal, proxies=proxies, checkins=portal, unknown_sink=portal,
        on_registered=lambda _addresses: refresh_now.set(),
    )
    helpers = [asyncio.create_task(_refresh_wristbands(portal, bridge, state, secret, fallback, refresh_now),
                                   name="wristband-refresh")]
    if world is not None and sos_after is not None and world.bands:
        helpers.append(asyncio.create_task(_press_sos_later(world.band(simulated_address(1)), sos_after)))
    if world is not None and script:
        helpers.append(asyncio.create_task(play(world, script), name="rehearsal-script"))
    try:
        with _signals_set(stop, enabled=install_signal_handlers):
            await bridge.run(stop)
    finally:
        for task in helpers:
            task.cancel()
        for task in helpers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if world is not None:
            await world.close()


def simulated_world(count: int) -> SimulatedWorld:
    """``--simulate N``: N Anxin bands at the centre; from 3 on, band N is at a simulated home."""
    world = SimulatedWorld(count)
    if count >= 3:
        world.add_proxy(SIMULATED_HOME)
        world.band(simulated_address(count)).go_home(SIMULATED_HOME)
    return world


def parse_enrolments(listed: list[dict[str, Any]]) -> list[Enrolment]:
    """The portal's band list -> enrolments; a malformed entry is logged (without its key) and skipped."""
    bands = []
    for item in listed:
        try:
            bands.append(Enrolment.from_portal(item))
        except (InvalidKey, ValueError, KeyError) as exc:
            logger.error("band %s from the portal skipped: %s", item.get("address"), exc)
    return bands


def ask_portal(portal: BridgePortal, known: list[Enrolment]) -> list[Enrolment]:
    """Blocking: this site's bands and keys. With ``--simulate``, a simulated band the portal lists without
    a key keeps the key the simulator gave it (``known``)."""
    simulated = {band.address: band for band in known}
    bands = parse_enrolments(portal.band_keys())
    return [simulated.get(band.address, band) if band.key is None else band for band in bands]


async def fetch_enrolments(portal: BridgePortal, *, state: BridgeState | None, secret: bytes,
                           fallback: list[Enrolment]) -> list[Enrolment]:
    """This site's bands and keys from the portal (cached in the state file); when the portal cannot be
    asked, the cached ones, else ``fallback`` (the simulated bands)."""
    try:
        bands = await asyncio.to_thread(ask_portal, portal, fallback)
    except Exception as exc:  # PortalUnavailable, RequestRejected, a bad answer: keep the bridge up
        cached = await asyncio.to_thread(state.enrolments, secret=secret) if state is not None else []
        chosen = cached or fallback
        logger.warning("cannot get the bands and keys from the portal (%s); using %d %s band(s)", exc, len(chosen),
                       "cached" if cached else "fallback")
        return chosen
    if state is not None:
        await asyncio.to_thread(state.store_enrolments, bands, secret=secret)
    logger.info("portal lists %d band(s), %d with a key", len(bands), sum(b.key is not None for b in bands))
    return bands


async def _refresh_wristbands(portal: BridgePortal, bridge: WristbandBridge, state: BridgeState | None,
                              secret: bytes, known: list[Enrolment], now: asyncio.Event) -> None:
    """Pick up bands enrolled (or given a new key) while the bridge runs: every minute, and at once when the
    portal says a band the bridge reported as unknown is registered now (``now`` is set)."""
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(now.wait(), WRISTBAND_REFRESH_S)
        now.clear()
        try:
            bands = await asyncio.to_thread(ask_portal, portal, known)
        except Exception as exc:
            logger.debug("band refresh failed: %s", exc)
            continue
        if state is not None:
            await asyncio.to_thread(state.store_enrolments, bands, secret=secret)
        for band in bands:
            bridge.register(band)


async def _press_sos_later(band: SimulatedBand, delay: float) -> None:
    await band.wait_connected()
    await asyncio.sleep(delay)
    logger.info("simulated band %s presses SOS (--sos-after %.1f)", band.address, delay)
    band.press_sos()


@contextlib.contextmanager
def _signals_set(stop: asyncio.Event, *, enabled: bool) -> Iterator[None]:
    """SIGINT / SIGTERM set ``stop`` while inside (main thread only)."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    if enabled:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
                installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                logger.debug("cannot install a handler for %s here", sig.name)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
