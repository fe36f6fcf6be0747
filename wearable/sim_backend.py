"""bleak backend classes for the simulated wristbands.

:class:`SimulatedScanner` and :class:`SimulatedClient` subclass bleak's
``BaseBleakScanner`` / ``BaseBleakClient``. A :class:`~wearable.simulator.SimulatedWorld`
hands out subclasses bound to itself (``world.scanner_backend`` /
``world.client_backend``) which are passed as ``backend=`` to ``BleakScanner`` /
``BleakClient`` (also through ``bleak_retry_connector.establish_connection``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

from bleak.args import SizedBuffer
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError

from wearable.sim_band import SimulatedBand
from wearable.sim_world import World

logger = logging.getLogger(__name__)

SIMULATED_MTU = 247


class Advertiser(Protocol):
    """Anything that advertises in a simulated world (band, button, attacker)."""

    address: str
    name: str

    def advertisement(self) -> AdvertisementData:
        """The advertisement a scanner receives now."""
        ...


class SimulatedScanner(BaseBleakScanner):
    """A bleak scanner backend that receives the advertisements of a simulated world."""

    world: ClassVar[World]

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None = None,
        service_uuids: list[str] | None = None,
        scanning_mode: str = "active",
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)

    async def start(self) -> None:
        """Start receiving advertisements (clears ``seen_devices`` as bleak requires)."""
        self.seen_devices = {}
        self.world.add_scanner(self)

    async def stop(self) -> None:
        """Stop receiving advertisements."""
        self.world.remove_scanner(self)

    def receive(self, band: Advertiser) -> None:
        """Deliver one advertisement of ``band`` to the detection callbacks."""
        adv = band.advertisement()
        if not self.is_allowed_uuid(adv.service_uuids):
            return
        # No "path" key: bleak-retry-connector then skips its BlueZ-only steps.
        details = {"simulated": True, "address": band.address}
        device = self.create_or_update_device(band.address, band.address, band.name, details, adv)
        self.call_detection_callbacks(device, adv)


class SimulatedClient(BaseBleakClient):
    """A bleak client backend connected to a simulated band."""

    world: ClassVar[World]

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None = None,
        timeout: float = 10.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout)
        self._band: SimulatedBand | None = None
        self._characteristics: dict[int, str] = {}

    @property
    def name(self) -> str:
        """The band's name."""
        band = self.world.bands.get(self.address)
        return band.name if band else self.address.replace(":", "-")

    @property
    def mtu_size(self) -> int:
        """A typical negotiated MTU."""
        return SIMULATED_MTU

    @property
    def is_connected(self) -> bool:
        """True while the band holds the link."""
        return self._band is not None

    async def connect(self, pair: bool = False, **kwargs: Any) -> None:
        """Connect after a short latency; fail like a real stack when the band is unreachable."""
        await asyncio.sleep(self.world.connect_latency)
        band = self.world.bands.get(self.address)
        if not isinstance(band, SimulatedBand):
            raise BleakError(f"{self.address}: no response from simulated device")
        try:
            band.check_connectable()
        except ConnectionRefusedError as exc:
            raise BleakError(f"{self.address}: {exc}") from exc
        self.services = self._build_services(band)
        band.attach(self._on_link_lost)
        self._band = band
        logger.debug("%s: simulated connection established", self.address)

    def _build_services(self, band: SimulatedBand) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        handle = 1
        for service_uuid, characteristics in band.gatt_table():
            service = BleakGATTService(None, handle, service_uuid)
            collection.add_service(service)
            handle += 1
            for char_uuid, properties in characteristics:
                char = BleakGATTCharacteristic(
                    None, handle, char_uuid, list(properties), lambda: SIMULATED_MTU - 3, service  # type: ignore[arg-type]
                )
                collection.add_characteristic(char)
                self._characteristics[handle] = char_uuid
                handle += 2  # value handle + CCCD
        return collection

    def _on_link_lost(self) -> None:
        self._band = None
        if self._disconnected_callback is not None:
            asyncio.get_running_loop().call_soon(self._disconnected_callback)

    async def disconnect(self) -> None:
        """Disconnect (no disconnected callback, as for a solicited disconnect)."""
        if self._band is not None:
            self._band.detach()
            self._band = None

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        """Simulated bands need no pairing."""

    async def unpair(self) -> None:
        """Simulated bands need no pairing."""

    def _require_band(self) -> SimulatedBand:
        if self._band is None:
            raise BleakError(f"{self.address}: not connected")
        return self._band

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """Read a characteristic value from the band."""
        band = self._require_band()
        try:
            return bytearray(band.read(characteristic.uuid))
        except KeyError as exc:
            raise BleakError(f"{self.address}: {characteristic.uuid} is not readable") from exc

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """Simulated characteristics have no readable descriptors."""
        raise BleakError(f"{self.address}: descriptor {descriptor.handle} not found")

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        """Simulated bands have no writable characteristics."""
        raise BleakError(f"{self.address}: {characteristic.uuid} is not writable")

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: SizedBuffer) -> None:
        """Simulated characteristics have no writable descriptors."""
        raise BleakError(f"{self.address}: descriptor {descriptor.handle} not found")

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        """Enable notifications / indications on a characteristic."""
        band = self._require_band()
        if not {"notify", "indicate"} & set(characteristic.properties):
            raise BleakError(f"{self.address}: {characteristic.uuid} does not notify")
        band.subscribe(characteristic.uuid, callback)

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        """Disable notifications on a characteristic."""
        self._require_band().unsubscribe(characteristic.uuid)
