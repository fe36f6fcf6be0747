"""ESPHome Bluetooth proxies: advertisements heard in residents' homes, through ``bleak-esphome``.

An ESPHome Bluetooth proxy is a ¥30 ESP32 board that relays the BLE advertisements it hears
over Wi-Fi through ESPHome's native API (docs/devices.md tells a centre how to flash and add
one). The bridge talks to each proxy the way ``bleak-esphome`` documents for a process that
manages its own API clients: one ``aioesphomeapi.APIClient`` and ``ReconnectLogic`` per proxy
(with its own host and port, which ``bleak_esphome.APIConnectionManager`` fixes at 6053),
``bleak_esphome.connect_scanner`` to turn it into an ``ESPHomeScanner``, registered with a
``habluetooth.BluetoothManager``. The manager merges what all proxies hear: enrolled bands are
registered as *event-driven*, so a new payload is passed on from whichever proxy heard it
first, and repeats of a payload by other proxies are dropped in habluetooth's compiled code.
Each new payload reaches the bridge as an :class:`wearable.messages.Advert` whose ``radio`` is
``"proxy:<name>"`` — where the wearer is.

habluetooth keeps one manager per process (``habluetooth.set_manager``): run one bridge with
proxies per process. Only advertisements are taken from proxies; GATT links (readings of
bands in heart-rate broadcast mode) stay with the bridge's own adapter.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import habluetooth
from aioesphomeapi import APIClient, ReconnectLogic
from bleak_esphome import connect_scanner
from bleak_esphome.backend.client import ESPHomeClientData

from wearable.messages import Advert

logger = logging.getLogger(__name__)

ESPHOME_API_PORT = 6053


@dataclass(frozen=True, slots=True)
class ProxyConfig:
    """One ESPHome Bluetooth proxy the bridge connects to."""

    host: str
    """IP address or host name (e.g. its WireGuard address, docs/devices.md)."""
    port: int = ESPHOME_API_PORT
    """Native API port (``api: port:`` in its YAML; 6053 by default)."""
    name: str = ""
    """Where it is (``"王阿姨家"``); the radio of an event heard by it is ``"proxy:<name>"``."""
    noise_psk: str | None = field(default=None, repr=False)
    """The API encryption key (``api: encryption: key:``); None for a plaintext API."""

    @property
    def radio(self) -> str:
        """Radio name of events this proxy hears."""
        return f"proxy:{self.name or self.host}"

    @classmethod
    def parse(cls, text: str) -> ProxyConfig:
        """``name=host[:port][#noise-psk]`` or ``host[:port]`` (the ``--proxy`` option); the key, base64,
        may itself contain ``=``."""
        head, _, psk = text.partition("#")
        name, named, address = head.partition("=")
        if not named:
            name, address = "", head
        host, _, port = address.rpartition(":") if address.count(":") == 1 else (address, "", "")
        if not host:
            raise ValueError(f"no host in {text!r}")
        return cls(host=host, port=int(port) if port else ESPHOME_API_PORT, name=name, noise_psk=psk or None)


@dataclass(slots=True)
class ProxyState:
    """What the bridge knows about one proxy (for logs and the status report)."""

    config: ProxyConfig
    connected: bool = False
    connects: int = 0
    source: str | None = None
    """The proxy's Bluetooth MAC, habluetooth's name of the scanner."""


class _Manager(habluetooth.BluetoothManager):
    """habluetooth's manager, passing every new payload of an enrolled band to the hub."""

    hub: ProxyHub

    def _discover_service_info(self, service_info: habluetooth.BluetoothServiceInfoBleak) -> None:
        self.hub.discovered(service_info)


class ProxyHub:
    """All proxies of one bridge (see module docstring)."""

    def __init__(self, proxies: Sequence[ProxyConfig], on_advert: Callable[[Advert], None],
                 wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.proxies = [ProxyState(config) for config in proxies]
        self.on_advert = on_advert
        self.wall_clock = wall_clock
        self._radios: dict[str, str] = {}
        self._enrolled: set[str] = set()
        self._manager: _Manager | None = None
        self._logics: list[ReconnectLogic] = []
        self._clients: list[APIClient] = []
        self._teardown: dict[int, Callable[[], None]] = {}

    async def start(self) -> None:
        """Set up the manager and start connecting every proxy (in the background, with retries)."""
        manager = _Manager()
        manager.hub = self
        await manager.async_setup()
        habluetooth.set_manager(manager)
        self._manager = manager
        for address in self._enrolled:
            manager.async_register_event_driven(address)
        for index, state in enumerate(self.proxies):
            client = APIClient(state.config.host, state.config.port, None, noise_psk=state.config.noise_psk,
                               client_info="anxin-bridge")
            logic = ReconnectLogic(client=client, name=None, zeroconf_wake=False,
                                   on_connect=self._on_connect(index, client),
                                   on_disconnect=self._on_disconnect(index))
            self._clients.append(client)
            self._logics.append(logic)
            await logic.start()
        logger.info("connecting %d ESPHome proxy(ies)", len(self.proxies))

    async def stop(self) -> None:
        """Disconnect every proxy and stop the manager."""
        for logic in self._logics:
            await logic.stop()
        for client in self._clients:
            await client.disconnect()
        for index in list(self._teardown):
            self._teardown.pop(index)()
        if self._manager is not None:
            self._manager.async_stop()
            self._manager = None
        self._logics.clear()
        self._clients.clear()

    def enrol(self, address: str) -> None:
        """Pass this band's advertisements on (a new payload from any proxy, at once)."""
        if address in self._enrolled:
            return
        self._enrolled.add(address)
        if self._manager is not None:
            self._manager.async_register_event_driven(address)

    def discovered(self, info: habluetooth.BluetoothServiceInfoBleak) -> None:
        """Called by the manager for each new payload; forwards those of enrolled bands."""
        if info.address not in self._enrolled:
            return
        radio = self._radios.get(info.source, f"proxy:{info.source}")
        self.on_advert(Advert(info.address, info.service_data, info.rssi, radio, self.wall_clock()))

    def connected(self) -> list[str]:
        """Radio names of the proxies connected now."""
        return [s.config.radio for s in self.proxies if s.connected]

    def _on_connect(self, index: int, client: APIClient) -> Callable[[], asyncio.Future[None]]:
        async def connected() -> None:
            state = self.proxies[index]
            info = await client.device_info()
            data: ESPHomeClientData = connect_scanner(client, info, True)
            scanner = data.scanner
            assert scanner is not None and self._manager is not None
            unsetup = scanner.async_setup()
            unregister = self._manager.async_register_scanner(scanner)
            state.source = scanner.source
            self._radios[scanner.source] = state.config.radio if state.config.name else f"proxy:{info.name}"
            state.connected, state.connects = True, state.connects + 1

            def teardown() -> None:
                data.bluetooth_device.async_set_unavailable()
                for callback in list(data.disconnect_callbacks):
                    callback()
                unsetup()
                unregister()

            self._teardown[index] = teardown
            logger.info("ESPHome proxy %s (%s) connected", self._radios[scanner.source], info.name)
        return connected  # type: ignore[return-value]

    def _on_disconnect(self, index: int) -> Callable[[bool], asyncio.Future[None]]:
        async def disconnected(expected: bool) -> None:
            state = self.proxies[index]
            state.connected = False
            if (teardown := self._teardown.pop(index, None)) is not None:
                teardown()
            log = logger.info if expected else logger.warning
            log("ESPHome proxy %s disconnected", state.config.radio)
        return disconnected  # type: ignore[return-value]
