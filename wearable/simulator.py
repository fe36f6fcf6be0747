"""Simulated wristbands, buttons, attackers and ESPHome proxies behind bleak's backend seam.

Typical use (tests, ``anxin demo``)::

    world = SimulatedWorld(count=3)                       # Anxin bands, each with its own key
    bridge = WristbandBridge(portal, world.enrolments(), scanner_backend=world.scanner_backend,
                             client_backend=world.client_backend, proxies=world.proxy_configs())
    world.band(simulated_address(1)).press_sos()
    await world.close()

Everything the bridge's adapter hears goes through bleak's public ``BleakScanner`` /
``BleakClient`` API (only the backend classes are simulated); what a home hears goes through
a :class:`~wearable.sim_proxy.SimulatedProxy`, a local fake of the ESPHome native API.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import BaseBleakScanner

from wearable.keys import Enrolment, Scheme
from wearable.proxies import ProxyConfig
from wearable.sim_attacker import SimulatedAttacker
from wearable.sim_backend import SimulatedClient, SimulatedScanner
from wearable.sim_band import BandModel, BandProfile, SimulatedBand
from wearable.sim_buttons import ButtonModel, SimulatedButton
from wearable.sim_proxy import SimulatedProxy, ad_structures

__all__ = ["BandProfile", "SimulatedBand", "SimulatedButton", "SimulatedWorld", "simulated_address", "simulated_key"]

logger = logging.getLogger(__name__)

Device = SimulatedBand | SimulatedButton
SCHEMES: dict[str, Scheme] = {"anxin": Scheme.ANXIN, "itag": Scheme.ITAG, "hrs": Scheme.HRS,
                              "bthome": Scheme.BTHOME, "mibeacon": Scheme.MIBEACON}


def simulated_address(i: int) -> str:
    """Stable MAC-like address of simulated band ``i`` (1 -> "F0:00:00:00:00:01")."""
    if not 0 <= i <= 0xFFFF:
        raise ValueError(f"simulated band index {i} out of range 0..65535")
    return f"F0:00:00:00:{i >> 8:02X}:{i & 0xFF:02X}"


def simulated_key(address: str) -> bytes:
    """The AES-128 key of a simulated device: derived from its address, so the demo portal can be
    seeded with the keys the simulated bands use. Never a real device's key."""
    return hashlib.sha256(f"anxin simulated band {address.upper()}".encode()).digest()[:16]


class SimulatedWorld:
    """A centre full of simulated devices (and homes with proxies), reachable through bleak backends."""

    def __init__(
        self,
        count: int = 0,
        *,
        itag_count: int = 0,
        seed: int = 0,
        reading_interval: float = 1.0,
        advertise_interval: float = 0.5,
        mirror_seconds: float = 30.0,
        status_interval: float = 60.0,
        connect_latency: float = 0.02,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seed = seed
        self.reading_interval = reading_interval
        self.advertise_interval = advertise_interval
        self.mirror_seconds = mirror_seconds
        self.status_interval = status_interval
        self.connect_latency = connect_latency
        self.now = clock
        self.monotonic = monotonic
        self.bands: dict[str, Device] = {}
        self.attackers: list[SimulatedAttacker] = []
        self.proxies: dict[str, SimulatedProxy] = {}
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
        address = self._new_address(address)
        if profile is None:
            # Spread baselines a little so several wearers do not look identical.
            profile = BandProfile(resting_hr=64 + (index * 7) % 20, rssi=-50 - (index * 9) % 35)
        default_name = {"itag": f"iTAG {index:04d}", "hrs": f"HR Band {index:04d}"}.get(
            model, f"Anxin Band {index:04d}")
        band = SimulatedBand(self, address, name=name or default_name, model=model, profile=profile,
                             key=simulated_key(address) if model == "anxin" else None)
        self.bands[address] = band
        return band

    def add_button(self, address: str | None = None, *, model: ButtonModel = "bthome",
                   encrypted: bool = True) -> SimulatedButton:
        """Add a bought button (BTHome or MiBeacon); a plain BTHome button with ``encrypted=False``."""
        address = self._new_address(address)
        button = SimulatedButton(self, address, model=model,
                                 key=simulated_key(address) if encrypted or model == "mibeacon" else None)
        self.bands[address] = button
        return button

    def add_attacker(self, victim: str, *, location: str | None = None) -> SimulatedAttacker:
        """Someone imitating ``victim``'s address near the adapter (or near the proxy ``location``)."""
        attacker = SimulatedAttacker(self, victim, location=location)
        self.attackers.append(attacker)
        return attacker

    def add_proxy(self, name: str, *, noise_psk: str | None = None) -> SimulatedProxy:
        """A fake ESPHome Bluetooth proxy at a home (with an API encryption key: Noise-encrypted); start it
        with :meth:`start_proxies`."""
        index = len(self.proxies) + 1
        proxy = SimulatedProxy(name, mac=f"A4:CF:12:00:{index >> 8:02X}:{index & 0xFF:02X}", noise_psk=noise_psk)
        self.proxies[name] = proxy
        return proxy

    async def start_proxies(self) -> None:
        """Start listening on every proxy (free ports on loopback)."""
        for proxy in self.proxies.values():
            if proxy.port == 0:
                await proxy.start()
        self._ensure_advertiser()

    def proxy_configs(self) -> list[ProxyConfig]:
        """How the bridge reaches the started proxies."""
        return [ProxyConfig(p.host, p.port, name, p.noise_psk) for name, p in self.proxies.items()]

    def _new_address(self, address: str | None) -> str:
        address = (address or simulated_address(len(self.bands) + 1)).upper()
        if address in self.bands:
            raise ValueError(f"band {address} already exists")
        return address

    def band(self, address: str) -> Any:
        """The device with this address (KeyError if there is none)."""
        return self.bands[address.upper()]

    @property
    def addresses(self) -> list[str]:
        """Addresses of all devices, in creation order."""
        return list(self.bands)

    def enrolments(self, addresses: Iterable[str] | None = None) -> list[Enrolment]:
        """How the portal would list these devices for the bridge: scheme and key of each."""
        chosen = self.bands if addresses is None else [a.upper() for a in addresses]
        result = []
        for address in chosen:
            device = self.bands[address]
            result.append(Enrolment(address, SCHEMES[device.model], device.key))
        return result

    def add_scanner(self, scanner: SimulatedScanner) -> None:
        """Start delivering advertisements to a scanner backend (called by the backend)."""
        self._scanners.add(scanner)
        self._ensure_advertiser()

    def remove_scanner(self, scanner: SimulatedScanner) -> None:
        """Stop delivering advertisements to a scanner backend (called by the backend)."""
        self._scanners.discard(scanner)
        if not self._scanners and not self.proxies and self._advertiser is not None:
            self._advertiser.cancel()
            self._advertiser = None

    def _ensure_advertiser(self) -> None:
        if self._advertiser is None or self._advertiser.done():
            self._advertiser = asyncio.get_running_loop().create_task(self._advertise())

    def advertise_now(self) -> None:
        """Deliver one round of advertisements: to the scanners from devices at the centre, to each
        proxy from devices at its home."""
        for device in [*self.bands.values(), *self.attackers]:
            if not device.advertising:
                continue
            if device.location is None:
                if device.in_range:
                    for scanner in list(self._scanners):
                        scanner.receive(device)
            elif (proxy := self.proxies.get(device.location)) is not None:
                proxy.advertise(device.address, device.signal(), ad_structures(device.service_data(), device.name))

    async def _advertise(self) -> None:
        while True:
            try:
                self.advertise_now()
            except Exception:  # a broken detection callback must not stop the radio
                logger.exception("simulated advertisement delivery failed")
            await asyncio.sleep(self.advertise_interval)

    async def close(self) -> None:
        """Drop all links, stop the advertising task and the proxies."""
        for device in self.bands.values():
            if isinstance(device, SimulatedBand):
                device.detach()
        if self._advertiser is not None:
            self._advertiser.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._advertiser
            self._advertiser = None
        for proxy in self.proxies.values():
            await proxy.stop()
        self._scanners.clear()

    async def __aenter__(self) -> SimulatedWorld:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
