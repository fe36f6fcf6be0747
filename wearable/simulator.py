"""Simulated wristbands behind bleak's backend seam.

Typical use (tests, ``anxin demo``)::

    world = SimulatedWorld(count=3)
    async with BleakScanner(cb, backend=world.scanner_backend):
        ...
    client = await establish_connection(BleakClient, device, "band", backend=world.client_backend)
    world.band(simulated_address(1)).press_sos()
    await world.close()

Everything goes through bleak's public ``BleakScanner`` / ``BleakClient`` API;
only the backend classes are simulated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import BaseBleakScanner

from wearable.sim_backend import SimulatedClient, SimulatedScanner
from wearable.sim_band import BandModel, BandProfile, SimulatedBand

__all__ = ["BandProfile", "SimulatedBand", "SimulatedWorld", "simulated_address"]

logger = logging.getLogger(__name__)


def simulated_address(i: int) -> str:
    """Stable MAC-like address of simulated band ``i`` (1 -> "F0:00:00:00:00:01")."""
    if not 0 <= i <= 0xFFFF:
        raise ValueError(f"simulated band index {i} out of range 0..65535")
    return f"F0:00:00:00:{i >> 8:02X}:{i & 0xFF:02X}"


class SimulatedWorld:
    """A room full of simulated wristbands, reachable through bleak backend classes."""

    def __init__(
        self,
        count: int = 0,
        *,
        itag_count: int = 0,
        seed: int = 0,
        reading_interval: float = 1.0,
        advertise_interval: float = 0.5,
        mirror_seconds: float = 30.0,
        connect_latency: float = 0.02,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seed = seed
        self.reading_interval = reading_interval
        self.advertise_interval = advertise_interval
        self.mirror_seconds = mirror_seconds
        self.connect_latency = connect_latency
        self.now = clock
        self.monotonic = monotonic
        self.bands: dict[str, SimulatedBand] = {}
        self._scanners: set[SimulatedScanner] = set()
        self._advertiser: asyncio.Task[None] | None = None
        self.scanner_backend: type[BaseBleakScanner] = type(
            "BoundSimulatedScanner", (SimulatedScanner,), {"world": self}
        )
        """Pass as ``BleakScanner(..., backend=world.scanner_backend)``."""
        self.client_backend: type[BaseBleakClient] = type(
            "BoundSimulatedClient", (SimulatedClient,), {"world": self}
        )
        """Pass as ``BleakClient(..., backend=world.client_backend)``."""
        for _ in range(count):
            self.add_band()
        for _ in range(itag_count):
            self.add_band(model="itag")

    def add_band(
        self,
        address: str | None = None,
        *,
        model: BandModel = "anxin",
        name: str | None = None,
        profile: BandProfile | None = None,
    ) -> SimulatedBand:
        """Add a band (next simulated address by default) and return it for scripting."""
        index = len(self.bands) + 1
        address = address or simulated_address(index)
        if address in self.bands:
            raise ValueError(f"band {address} already exists")
        if profile is None:
            # Spread baselines a little so several wearers do not look identical.
            profile = BandProfile(resting_hr=64 + (index * 7) % 20, rssi=-50 - (index * 9) % 35)
        default_name = f"iTAG {index:04d}" if model == "itag" else f"Anxin Band {index:04d}"
        band = SimulatedBand(self, address, name=name or default_name, model=model, profile=profile)
        self.bands[address] = band
        return band

    def band(self, address: str) -> SimulatedBand:
        """The band with this address (KeyError if there is none)."""
        return self.bands[address.upper()]

    @property
    def addresses(self) -> list[str]:
        """Addresses of all bands, in creation order."""
        return list(self.bands)

    def add_scanner(self, scanner: SimulatedScanner) -> None:
        """Start delivering advertisements to a scanner backend (called by the backend)."""
        self._scanners.add(scanner)
        if self._advertiser is None or self._advertiser.done():
            self._advertiser = asyncio.get_running_loop().create_task(self._advertise())

    def remove_scanner(self, scanner: SimulatedScanner) -> None:
        """Stop delivering advertisements to a scanner backend (called by the backend)."""
        self._scanners.discard(scanner)
        if not self._scanners and self._advertiser is not None:
            self._advertiser.cancel()
            self._advertiser = None

    def advertise_now(self) -> None:
        """Deliver one round of advertisements from every band in range to every scanner."""
        for band in self.bands.values():
            if band.in_range:
                for scanner in list(self._scanners):
                    scanner.receive(band)

    async def _advertise(self) -> None:
        while True:
            try:
                self.advertise_now()
            except Exception:  # a broken detection callback must not stop the radio
                logger.exception("simulated advertisement delivery failed")
            await asyncio.sleep(self.advertise_interval)

    async def close(self) -> None:
        """Drop all links and stop the advertising task."""
        for band in self.bands.values():
            band.detach()
        if self._advertiser is not None:
            self._advertiser.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._advertiser
            self._advertiser = None
        self._scanners.clear()

    async def __aenter__(self) -> SimulatedWorld:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
