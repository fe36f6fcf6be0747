"""Open BTHome and MiBeacon frames through their maintained parsers (``bthome-ble``, ``xiaomi-ble``).

One opener per band holds the library's parser with the band's key. The bridge asks two
things of a frame: its :class:`Header` (encrypted? which counter?) before deciding whether
to open it at all (replay protection, :mod:`wearable.replay`), then :meth:`open`, which
decrypts and verifies the MIC through the library and returns what the frame says, or None
when the MIC did not verify. No I/O; the parsers are plain objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bleak.backends.device import BLEDevice
from bthome_ble import BTHomeBluetoothDeviceData
from bthome_ble.parser import BTHomeData, EncryptionScheme, UuidType
from habluetooth import BluetoothServiceInfoBleak
from sensor_state_data import SensorUpdate
from xiaomi_ble import XiaomiBluetoothDeviceData

from wearable.frames import BTHOME_UUID, MIBEACON_UUID

MIBEACON_ENCRYPTED = 0x0008
MIBEACON_OBJECTS = 0x0040


@dataclass(frozen=True, slots=True)
class Header:
    """What a frame says about itself before it is opened."""

    encrypted: bool
    """The frame claims to be encrypted."""
    counter: int | None
    """Its 32-bit counter (part of the nonce); None when unencrypted or not readable."""


@dataclass(frozen=True, slots=True)
class Opened:
    """What an opened frame says."""

    gestures: tuple[str, ...] = ()
    """Button events (``"press"``, ``"double_press"``, ``"long_press"``...)."""
    battery: int | None = None
    """Battery percentage, when the frame has one."""
    record: bytes | None = None
    """The Anxin event record of a raw object (0x54), when the frame has one."""


class Opener(Protocol):
    """A band's frame format."""

    uuid: str
    """Service-data UUID the frames travel under."""

    def header(self, data: bytes) -> Header | None:
        """The frame's header; None when ``data`` is no event frame of this format."""
        ...

    def open(self, data: bytes, *, now: float, fresh: bool = False) -> Opened | None:
        """Decrypt (when encrypted) and parse; None when the MIC does not verify. ``fresh``: use a
        new parser (a late frame must not meet the library's own duplicate filter)."""
        ...


def service_info(address: str, uuid: str, data: bytes, now: float) -> BluetoothServiceInfoBleak:
    """The library's input type for one frame."""
    return BluetoothServiceInfoBleak(
        name=address, address=address, rssi=-127, manufacturer_data={}, service_data={uuid: data},
        service_uuids=[uuid], source="anxin", device=BLEDevice(address, address, None), advertisement=None,
        connectable=False,
        time=now, tx_power=None,
    )


def _gestures(update: SensorUpdate) -> tuple[str, ...]:
    return tuple(event.event_type for key, event in update.events.items() if key.key.startswith("button"))


def _value(update: SensorUpdate, key: str) -> object:
    for device_key, value in update.entity_values.items():
        if device_key.key == key:
            return value.native_value
    return None


class BthomeOpener:
    """BTHome v2 frames (also the Anxin frame) of one band, through ``bthome-ble``."""

    uuid = BTHOME_UUID

    def __init__(self, address: str, key: bytes | None) -> None:
        self.address = address
        self.key = key
        self._parser = BTHomeBluetoothDeviceData(bindkey=key)

    def header(self, data: bytes) -> Header | None:
        """Encryption flag and counter, read by the library's own frame accessors."""
        if len(data) < 2:
            return None
        frame = BTHomeData(service_info(self.address, self.uuid, data, 0.0))
        if frame.uuid_type is not UuidType.V2:
            return None
        if frame.get_encryption_scheme() is EncryptionScheme.NONE:
            return Header(encrypted=False, counter=None)
        if len(data) < 1 + 1 + 8:
            return None
        return Header(encrypted=True, counter=int.from_bytes(frame.get_counter(), "little"))

    def open(self, data: bytes, *, now: float, fresh: bool = False) -> Opened | None:
        """Decrypt and parse through bthome-ble (its own counter check is reset: ours is stricter)."""
        parser = BTHomeBluetoothDeviceData(bindkey=self.key) if fresh else self._parser
        parser.reset_encryption_counter()
        parser.decryption_failed = True
        update = parser.update(service_info(self.address, self.uuid, data, now))
        if self.key is not None and parser.decryption_failed:
            return None
        raw = _value(update, "raw")
        battery = _value(update, "battery")
        return Opened(gestures=_gestures(update), battery=int(battery) if isinstance(battery, int | float) else None,
                      record=bytes.fromhex(raw) if isinstance(raw, str) else None)


class MibeaconOpener:
    """Xiaomi MiBeacon v4/v5 frames of one band, through ``xiaomi-ble``."""

    uuid = MIBEACON_UUID

    def __init__(self, address: str, key: bytes | None) -> None:
        self.address = address
        self.key = key
        self._parser = XiaomiBluetoothDeviceData(bindkey=key)

    def header(self, data: bytes) -> Header | None:
        """Frame control's encrypted bit; the counter is the frame counter byte + 3 trailing bytes
        (v4/v5; the same bytes xiaomi-ble puts in the nonce). None for a frame without objects."""
        if len(data) < 5:
            return None
        control = int.from_bytes(data[0:2], "little")
        if not control & MIBEACON_OBJECTS:
            return None
        if not control & MIBEACON_ENCRYPTED:
            return Header(encrypted=False, counter=None)
        if control >> 12 < 4 or len(data) < 12:
            return Header(encrypted=True, counter=None)  # legacy v2/v3 encryption has no MIC
        return Header(encrypted=True, counter=data[4] | int.from_bytes(data[-7:-4], "little") << 8)

    def open(self, data: bytes, *, now: float, fresh: bool = False) -> Opened | None:
        """Decrypt and parse through xiaomi-ble."""
        parser = XiaomiBluetoothDeviceData(bindkey=self.key) if fresh else self._parser
        parser.decryption_failed = True
        update = parser.update(service_info(self.address, self.uuid, data, now))
        if self.key is not None and parser.decryption_failed:
            return None
        battery = _value(update, "battery")
        return Opened(gestures=_gestures(update), battery=int(battery) if isinstance(battery, int | float) else None)
