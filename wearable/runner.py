"""Entry point of ``anxin bridge``: portal client + wristband bridge until SIGINT / SIGTERM.

The data directory holds the portal client's outbox (``bridge-outbox.sqlite3``) and the
bridge's own state (``bridge-state.sqlite3``: falls inside their cancel window, last iTAG
presses), so a bridge restarted on the same directory loses no alert.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import BaseBleakScanner

from wearable.bridge import WristbandBridge
from wearable.config import BridgeSettings
from wearable.portal import FullPortal
from wearable.sim_band import SimulatedBand
from wearable.simulator import SimulatedWorld, simulated_address
from wearable.state import BridgeState

logger = logging.getLogger(__name__)

OUTBOX_FILE = "bridge-outbox.sqlite3"
WRISTBAND_REFRESH_S = 60.0


BridgePortal = FullPortal
"""The portal client as the runner uses it (``caregiver_portal.client.PortalClient``)."""


def run_bridge(
    *, portal_url: str, token: str, data_dir: Path, simulate: int = 0, sos_after: float | None = None,
    settings: BridgeSettings | None = None,
) -> None:
    """Run the bridge (``simulate`` > 0: that many simulated bands) until SIGINT / SIGTERM."""
    from caregiver_portal.client import PortalClient  # the portal package is an edge dependency

    data_dir.mkdir(parents=True, exist_ok=True)
    client = PortalClient(base_url=portal_url, token=token, outbox_path=data_dir / OUTBOX_FILE)
    state = BridgeState.in_dir(data_dir)
    client.start()
    try:
        asyncio.run(serve(client, simulate=simulate, sos_after=sos_after, settings=settings, state=state))
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
) -> None:
    """Run the bridge on the running loop until ``stop`` is set (or a signal arrives)."""
    stop = stop or asyncio.Event()
    if world is None and simulate > 0:
        world = SimulatedWorld(simulate)
    scanner_backend: type[BaseBleakScanner] | None = world.scanner_backend if world else None
    client_backend: type[BaseBleakClient] | None = world.client_backend if world else None
    fallback = [simulated_address(i) for i in range(1, simulate + 1)]
    addresses = await fetch_wristbands(portal, fallback=fallback)
    bridge = WristbandBridge(
        portal, addresses, settings, scanner_backend=scanner_backend, client_backend=client_backend,
        state=state, status_sink=portal,
    )
    helpers = [asyncio.create_task(_refresh_wristbands(portal, bridge), name="wristband-refresh")]
    if world is not None and sos_after is not None and world.bands:
        helpers.append(asyncio.create_task(_press_sos_later(world.band(simulated_address(1)), sos_after)))
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


async def fetch_wristbands(portal: BridgePortal, *, fallback: list[str]) -> list[str]:
    """Addresses registered at the portal; ``fallback`` (with a log line) when it cannot be asked."""
    try:
        listed = await asyncio.to_thread(portal.wristbands)
    except Exception as exc:  # PortalUnavailable, RequestRejected, a bad answer: keep the bridge up
        logger.warning("cannot get the registered wristbands from the portal (%s); using %d fallback "
                       "address(es) %s", exc, len(fallback), ", ".join(fallback) or "-")
        return list(fallback)
    addresses = [str(item["address"]).upper() for item in listed if item.get("address")]
    logger.info("portal lists %d wristband(s)", len(addresses))
    return addresses


async def _refresh_wristbands(portal: BridgePortal, bridge: WristbandBridge) -> None:
    """Pick up wristbands registered while the bridge runs."""
    while True:
        await asyncio.sleep(WRISTBAND_REFRESH_S)
        try:
            listed = await asyncio.to_thread(portal.wristbands)
        except Exception as exc:
            logger.debug("wristband refresh failed: %s", exc)
            continue
        for item in listed:
            if item.get("address"):
                bridge.register(str(item["address"]))


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
