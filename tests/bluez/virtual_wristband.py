"""A virtual Anxin wristband: a BLE peripheral on BlueZ's D-Bus API, written with dbus-fast.

Run it as a process on a bus where BlueZ (or BlueZoo) serves ``org.bluez``::

    DBUS_SYSTEM_BUS_ADDRESS=unix:path=... python tests/bluez/virtual_wristband.py --adapter hci1

It registers, on the given adapter,

- a GATT application (``org.bluez.GattManager1.RegisterApplication``) with Heart Rate
  (0x180D / 0x2A37, notify), Battery (0x180F / 0x2A19, read + notify) and the Anxin
  vendor service with its event characteristic (read + indicate);
- an LE advertisement (``org.bluez.LEAdvertisingManager1.RegisterAdvertisement``) with
  the Anxin and Heart Rate service UUIDs and, for 30 s after each event, the event's
  encrypted frame as BTHome service data (UUID 0xFCD2). Service data, not manufacturer
  data: BlueZoo mistypes manufacturer data and then breaks ``GetManagedObjects``.

Payloads and band behaviour follow docs/wristband-protocol.md: every event is sealed in an
encrypted frame with the band's key (``--key``) and its own address (``--address``) in the
nonce, and the same frame is indicated and advertised; undelivered events are re-sent,
in new frames, when a central subscribes. Bytes come from :mod:`wearable.frames` /
:mod:`wearable.encode` and UUIDs from :mod:`wearable.uuids`. While a central is subscribed
to heart rate the band notifies a measurement every ``--hr-interval`` seconds.

Tests drive the band through ``org.anxin.VirtualWristband1`` at ``/org/anxin/band`` on
the same bus (client: ``band_control.BandControl``). The bus name
``org.anxin.VirtualWristband`` is requested only after both registrations succeeded, so
"name has an owner" means "ready". Methods: ``PressSos() -> q`` (the event's sequence
number), ``SendEvent(y kind) -> q``, ``SetBattery(y)``, ``SetHeartRate(q)``; read-only
properties ``Confirmed`` (``aq``: sequence numbers of indications the central
confirmed) and ``Subscribed`` (``as``: UUIDs of characteristics being notified).
"""

import argparse
import asyncio
import contextlib
import logging
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import Annotated

from band_control import BAND_KEY_HEX
from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import (
    DBusBool,
    DBusByte,
    DBusBytes,
    DBusDict,
    DBusObjectPath,
    DBusSignature,
    DBusStr,
    DBusUInt16,
)
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property

from wearable.encode import encode_battery, encode_heart_rate
from wearable.frames import BTHOME_UUID, seal_anxin_event
from wearable.uuids import (
    ANXIN_EVENT,
    ANXIN_SERVICE,
    BATTERY_LEVEL,
    BATTERY_SERVICE,
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
)
from wearable.vendor import WristbandEvent, WristbandEventKind

log = logging.getLogger("virtual_wristband")

BUS_NAME = "org.anxin.VirtualWristband"
ROOT_PATH = "/org/anxin/band"
APP_PATH = f"{ROOT_PATH}/gatt"
ADVERTISEMENT_PATH = f"{ROOT_PATH}/advertisement0"
CONTROL_INTERFACE = "org.anxin.VirtualWristband1"

DBusStrList = Annotated[list[str], DBusSignature("as")]
DBusPathList = Annotated[list[str], DBusSignature("ao")]
DBusUInt16List = Annotated[list[int], DBusSignature("aq")]


class GattService(ServiceInterface):
    """``org.bluez.GattService1`` of a local (peripheral-side) primary service."""

    def __init__(self, uuid: str) -> None:
        super().__init__("org.bluez.GattService1")
        self._uuid = uuid

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> DBusStr:
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Primary(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def Includes(self) -> DBusPathList:
        return []


class GattCharacteristic(ServiceInterface):
    """``org.bluez.GattCharacteristic1`` with notify/indicate through ``PropertiesChanged``.

    No ``NotifyAcquired`` / ``WriteAcquired`` properties, so BlueZ (and BlueZoo) use
    StartNotify and the ``Value`` property, and call ``Confirm`` for indications.
    """

    def __init__(self, uuid: str, service_path: str, flags: list[str], value: bytes = b"") -> None:
        super().__init__("org.bluez.GattCharacteristic1")
        self.uuid = uuid
        self._service_path = service_path
        self._flags = flags
        self._value = value
        self.notifying = False
        self.confirmations = 0
        self.on_subscribed: Callable[[], None] | None = None

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> DBusStr:
        return self.uuid

    @dbus_property(access=PropertyAccess.READ)
    def Service(self) -> DBusObjectPath:
        return self._service_path

    @dbus_property(access=PropertyAccess.READ)
    def Flags(self) -> DBusStrList:
        return self._flags

    @dbus_property(access=PropertyAccess.READ)
    def Value(self) -> DBusBytes:
        return self._value

    @dbus_property(access=PropertyAccess.READ)
    def Notifying(self) -> DBusBool:
        return self.notifying

    @dbus_method()
    def ReadValue(self, options: DBusDict) -> DBusBytes:
        log.info("read %s -> %s", self.uuid, self._value.hex())
        return self._value

    @dbus_method()
    def StartNotify(self) -> None:
        log.info("start notify %s", self.uuid)
        self.notifying = True
        self.emit_properties_changed({"Notifying": True})
        if self.on_subscribed is not None:
            asyncio.get_running_loop().call_soon(self.on_subscribed)

    @dbus_method()
    def StopNotify(self) -> None:
        log.info("stop notify %s", self.uuid)
        self.notifying = False
        self.emit_properties_changed({"Notifying": False})

    @dbus_method()
    def Confirm(self) -> None:
        self.confirmations += 1

    def set_value(self, value: bytes) -> bool:
        """Store ``value``; notify/indicate it when subscribed. True when it was sent."""
        self._value = value
        if not self.notifying:
            return False
        self.emit_properties_changed({"Value": value})
        return True


class Advertisement(ServiceInterface):
    """``org.bluez.LEAdvertisement1``: connectable, discoverable, with service data."""

    def __init__(self, name: str, service_uuids: list[str], service_data: dict[str, bytes]) -> None:
        super().__init__("org.bluez.LEAdvertisement1")
        self._name = name
        self._service_uuids = service_uuids
        self._service_data = service_data

    @dbus_property(access=PropertyAccess.READ)
    def Type(self) -> DBusStr:
        return "peripheral"

    @dbus_property(access=PropertyAccess.READ)
    def ServiceUUIDs(self) -> DBusStrList:
        return self._service_uuids

    @dbus_property(access=PropertyAccess.READ)
    def ServiceData(self) -> DBusDict:
        return self._service_data_variants()

    @dbus_property(access=PropertyAccess.READ)
    def LocalName(self) -> DBusStr:
        return self._name

    @dbus_property(access=PropertyAccess.READ)
    def Discoverable(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def Includes(self) -> DBusStrList:
        return []

    @dbus_method()
    def Release(self) -> None:
        log.info("advertisement released")

    def _service_data_variants(self) -> dict[str, Variant]:
        return {uuid: Variant("ay", data) for uuid, data in self._service_data.items()}

    def set_service_data(self, uuid: str, data: bytes | None) -> None:
        """Change (None: drop) one service-data entry; BlueZ uses it from the next advertising event."""
        if data is None:
            self._service_data.pop(uuid, None)
        else:
            self._service_data[uuid] = data
        self.emit_properties_changed({"ServiceData": self._service_data_variants()})


class Band:
    """The wristband's state and GATT database, independent of how it is driven.

    Like a real band (and ``wearable.sim_band``): an event made while nobody is
    subscribed is kept and re-sent, flagged as a retransmission, when a central
    subscribes to the event characteristic; the latest event is mirrored in the
    advertisement's service data for ``mirror_seconds`` (0: no mirror).
    """

    def __init__(self, name: str, battery: int, heart_rate: int, mirror_seconds: float, *, address: str,
                 key: bytes) -> None:
        self.address = address
        self.key = key
        self.counter = 0
        self.battery = battery
        self.heart_rate = heart_rate
        self.mirror_seconds = mirror_seconds
        self.sequence = 0
        self.sent_sequences: list[int] = []
        self.pending: deque[WristbandEvent] = deque(maxlen=32)
        self._mirror_expiry: asyncio.TimerHandle | None = None
        self.hr_service = GattService(HEART_RATE_SERVICE)
        self.battery_service = GattService(BATTERY_SERVICE)
        self.anxin_service = GattService(ANXIN_SERVICE)
        self.hr_char = GattCharacteristic(HEART_RATE_MEASUREMENT, f"{APP_PATH}/service0", ["notify"])
        self.battery_char = GattCharacteristic(
            BATTERY_LEVEL, f"{APP_PATH}/service1", ["read", "notify"], encode_battery(battery)
        )
        self.event_char = GattCharacteristic(ANXIN_EVENT, f"{APP_PATH}/service2", ["read", "indicate"])
        self.event_char.on_subscribed = self._resend_pending
        self.advertisement = Advertisement(name, [ANXIN_SERVICE, HEART_RATE_SERVICE], service_data={})

    def gatt_objects(self) -> dict[str, ServiceInterface]:
        """Object path -> interface of the GATT application (services sort before their chars)."""
        return {
            f"{APP_PATH}/service0": self.hr_service,
            f"{APP_PATH}/service0/char0": self.hr_char,
            f"{APP_PATH}/service1": self.battery_service,
            f"{APP_PATH}/service1/char0": self.battery_char,
            f"{APP_PATH}/service2": self.anxin_service,
            f"{APP_PATH}/service2/char0": self.event_char,
        }

    def make_event(self, kind: WristbandEventKind) -> int:
        """Create an event: indicate it (or keep it) and mirror it in the advertisement."""
        self.sequence = (self.sequence + 1) & 0xFFFF
        event = WristbandEvent(
            kind=kind, sequence=self.sequence, band_clock=int(time.time()), battery_percent=self.battery, worn=True
        )
        log.info("event %s seq=%d", kind.slug, event.sequence)
        frame = self._seal(event)
        if self.mirror_seconds > 0:
            self._mirror(frame)
        if not self._indicate(event, frame):
            self.pending.append(event)
        return event.sequence

    def _seal(self, event: WristbandEvent) -> bytes:
        self.counter += 1
        return seal_anxin_event(event, address=self.address, key=self.key, counter=self.counter)

    def _indicate(self, event: WristbandEvent, frame: bytes) -> bool:
        if not self.event_char.set_value(frame):
            return False
        self.sent_sequences.append(event.sequence)
        return True

    def _resend_pending(self) -> None:
        while self.pending:
            event = replace(self.pending.popleft(), retransmission=True)
            log.info("re-sending event seq=%d", event.sequence)
            frame = self._seal(event)
            if self.mirror_seconds > 0:
                self._mirror(frame)  # a band never advertises an older frame than its latest
            self._indicate(event, frame)

    def _mirror(self, frame: bytes) -> None:
        self.advertisement.set_service_data(BTHOME_UUID, frame)
        if self._mirror_expiry is not None:
            self._mirror_expiry.cancel()
        self._mirror_expiry = asyncio.get_running_loop().call_later(
            self.mirror_seconds, self.advertisement.set_service_data, BTHOME_UUID, None
        )

    def confirmed(self) -> list[int]:
        """Sequence numbers of sent indications the central has confirmed, in order."""
        return self.sent_sequences[: self.event_char.confirmations]

    def subscribed(self) -> list[str]:
        """UUIDs of the characteristics a central is subscribed to."""
        chars = (self.hr_char, self.battery_char, self.event_char)
        return [c.uuid for c in chars if c.notifying]

    async def stream_heart_rate(self, interval: float) -> None:
        """Notify a heart-rate measurement every ``interval`` seconds while subscribed."""
        while True:
            await asyncio.sleep(interval)
            self.hr_char.set_value(encode_heart_rate(self.heart_rate, sensor_contact=True))


class Control(ServiceInterface):
    """``org.anxin.VirtualWristband1``: how a test presses buttons on the band."""

    def __init__(self, band: Band) -> None:
        super().__init__(CONTROL_INTERFACE)
        self._band = band

    @dbus_method()
    def PressSos(self) -> DBusUInt16:
        return self._band.make_event(WristbandEventKind.SOS)

    @dbus_method()
    def SendEvent(self, kind: DBusByte) -> DBusUInt16:
        return self._band.make_event(WristbandEventKind(kind))

    @dbus_method()
    def SetBattery(self, percent: DBusByte) -> None:
        self._band.battery = percent
        self._band.battery_char.set_value(encode_battery(percent))

    @dbus_method()
    def SetHeartRate(self, bpm: DBusUInt16) -> None:
        self._band.heart_rate = bpm

    @dbus_property(access=PropertyAccess.READ)
    def Confirmed(self) -> DBusUInt16List:
        return self._band.confirmed()

    @dbus_property(access=PropertyAccess.READ)
    def Subscribed(self) -> DBusStrList:
        return self._band.subscribed()


async def call_bluez(bus: MessageBus, adapter: str, interface: str, member: str, path: str, *options: dict) -> None:
    """Call ``org.bluez.<interface>.<member>(path[, options])`` on an adapter; raise on error."""
    reply = await bus.call(
        Message(
            destination="org.bluez",
            path=f"/org/bluez/{adapter}",
            interface=f"org.bluez.{interface}",
            member=member,
            signature="oa{sv}" if options else "o",
            body=[path, *options],
        )
    )
    if reply.message_type == MessageType.ERROR:
        raise RuntimeError(f"{interface}.{member} failed: {reply.error_name} {reply.body}")


async def run(args: argparse.Namespace) -> None:
    """Export the band, register it with BlueZ, take the bus name, serve until SIGTERM."""
    band = Band(args.name, args.battery, args.heart_rate, args.mirror_seconds, address=args.address.upper(),
                key=bytes.fromhex(args.key))
    bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
    for path, interface in band.gatt_objects().items():
        bus.export(path, interface)
    bus.export(ADVERTISEMENT_PATH, band.advertisement)
    bus.export(ROOT_PATH, Control(band))
    await call_bluez(bus, args.adapter, "GattManager1", "RegisterApplication", APP_PATH, {})
    await call_bluez(bus, args.adapter, "LEAdvertisingManager1", "RegisterAdvertisement", ADVERTISEMENT_PATH, {})
    await bus.request_name(BUS_NAME)
    log.info("advertising as %r on %s", args.name, args.adapter)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    streamer = asyncio.create_task(band.stream_heart_rate(args.hr_interval))
    await stop.wait()
    streamer.cancel()
    with contextlib.suppress(Exception):
        await call_bluez(bus, args.adapter, "LEAdvertisingManager1", "UnregisterAdvertisement", ADVERTISEMENT_PATH)
        await call_bluez(bus, args.adapter, "GattManager1", "UnregisterApplication", APP_PATH)
    bus.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--adapter", default="hci1", help="BlueZ adapter to advertise on")
    parser.add_argument("--name", default="Anxin Band", help="advertised local name")
    parser.add_argument("--battery", type=int, default=87, help="battery level in percent")
    parser.add_argument("--heart-rate", type=int, default=72, help="heart rate in bpm")
    parser.add_argument(
        "--mirror-seconds", type=float, default=30.0, help="how long an event stays in the advertisement (0: never)"
    )
    parser.add_argument("--hr-interval", type=float, default=0.2, help="seconds between HR notifications")
    parser.add_argument("--address", required=True, help="the adapter's address (part of every frame's nonce)")
    parser.add_argument("--key", default=BAND_KEY_HEX, help="the band's AES-128 key, 32 hex digits")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
