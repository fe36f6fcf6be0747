"""Simulated bought buttons: a BTHome v2 button (Shelly BLU Button1) and a Xiaomi MiBeacon switch.

Both only advertise: a press makes a new frame (encrypted with the button's bind key, or plain
for a BTHome button used without encryption), advertised in a short burst; between presses
the button is silent, as these sleepy devices are. The bytes are what the real devices send
(:mod:`wearable.frames`), so the bridge opens them with ``bthome-ble`` / ``xiaomi-ble``.
"""

from __future__ import annotations

import random
from typing import Literal

from bleak.backends.scanner import AdvertisementData

from wearable.frames import (
    BTHOME_UUID,
    MIBEACON_UUID,
    bthome_button,
    mibeacon_button,
    plain_bthome,
    seal_bthome,
    seal_mibeacon,
)
from wearable.sim_world import World

ButtonModel = Literal["bthome", "mibeacon"]
BURST_SECONDS = 3.0
"""How long a button advertises one press."""
NAMES = {"bthome": "SBBT-002C", "mibeacon": "XMWXKG01LM"}


class SimulatedButton:
    """One button (see module docstring); ``key`` None is a plain BTHome button."""

    def __init__(self, world: World, address: str, *, model: ButtonModel, key: bytes | None,
                 battery: int = 95, rssi: int = -65) -> None:
        if model == "mibeacon" and key is None:
            raise ValueError("a MiBeacon button always encrypts (bind key)")
        self.world = world
        self.address = address
        self.model: ButtonModel = model
        self.name = NAMES[model]
        self.key = key
        self.battery = battery
        self.counter = 0
        self.packet_id = 0
        self.presses = 0
        self.in_range = True
        self.location: str | None = None
        self.last_frame: bytes | None = None
        self._frame_until = 0.0
        self._rng = random.Random(f"{world.seed}:{address}")
        self._rssi = rssi

    def press(self, gesture: str) -> bytes:
        """A press (``"press"``, ``"double_press"``, ``"long_press"``); returns the frame advertised."""
        self.counter += 1
        self.packet_id = (self.packet_id + 1) & 0xFF
        self.presses += 1
        if self.model == "mibeacon":
            assert self.key is not None
            frame = seal_mibeacon(mibeacon_button(gesture, battery=self.battery), address=self.address, key=self.key,
                                  counter=self.counter)
        else:
            objects = bthome_button(gesture, battery=self.battery, packet_id=self.packet_id)
            frame = (plain_bthome(objects) if self.key is None
                     else seal_bthome(objects, address=self.address, key=self.key, counter=self.counter))
        self.last_frame = frame
        self._frame_until = self.world.monotonic() + BURST_SECONDS
        return frame

    def press_sos(self) -> None:
        """A long press: SOS (docs/devices.md)."""
        self.press("long_press")

    def check_in(self) -> None:
        """A double press: the daily check-in."""
        self.press("double_press")

    def go_home(self, proxy: str) -> None:
        """Heard by the ESPHome proxy ``proxy`` only."""
        self.in_range, self.location = False, proxy

    def come_back(self) -> None:
        """Heard by the bridge's adapter."""
        self.in_range, self.location = True, None

    @property
    def advertising(self) -> bool:
        """A button advertises only for a moment after a press."""
        return self.world.monotonic() < self._frame_until

    def service_data(self) -> dict[str, bytes]:
        """The frame of the latest press while it is advertised."""
        if not self.advertising or self.last_frame is None:
            return {}
        return {MIBEACON_UUID if self.model == "mibeacon" else BTHOME_UUID: self.last_frame}

    def signal(self) -> int:
        """RSSI of the next advertisement."""
        return self._rssi + round(self._rng.gauss(0, 2))

    def advertisement(self) -> AdvertisementData:
        """The advertisement a scanner receives now."""
        return AdvertisementData(local_name=self.name, manufacturer_data={}, service_data=self.service_data(),
                                 service_uuids=[], tx_power=None, rssi=self.signal(), platform_data=())
