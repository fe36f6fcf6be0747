"""A simulated attacker: a ¥20 ESP32 or a phone near a radio, imitating an enrolled band's address.

It can forge an Anxin SOS frame without the key (the MIC cannot verify), send one in the clear
(no key at all), or replay a frame it recorded from the real band. Tests of the bridge's
security (docs/wristband-protocol.md section 3) script it; it advertises through the same
simulated radios as the bands (the bridge's adapter, or an ESPHome proxy at a home).
"""

from __future__ import annotations

import os
import time

from bleak.backends.scanner import AdvertisementData

from wearable.frames import BTHOME_UUID, OBJ_RAW, plain_bthome, seal_anxin_event
from wearable.sim_world import World
from wearable.vendor import WristbandEvent, WristbandEventKind, encode_wristband_event


class SimulatedAttacker:
    """Advertises frames under a victim's address (see module docstring)."""

    def __init__(self, world: World, victim: str, *, location: str | None = None, rssi: int = -55) -> None:
        self.world = world
        self.address = victim.upper()
        self.name = "Anxin Band"
        self.location = location
        self.in_range = location is None
        self.sent: list[bytes] = []
        self._service_data: dict[str, bytes] = {}
        self._rssi = rssi

    def forge_sos(self, *, sequence: int = 1, counter: int | None = None) -> bytes:
        """An SOS frame sealed with a key of its own: the counter looks fine, the MIC cannot verify."""
        event = WristbandEvent(WristbandEventKind.SOS, sequence, int(time.time()), 80, worn=True)
        victim = self.world.bands.get(self.address)
        next_counter = counter if counter is not None else getattr(victim, "counter", 0) + 1
        return self.broadcast(seal_anxin_event(event, address=self.address, key=os.urandom(16), counter=next_counter))

    def plain_sos(self, *, sequence: int = 1) -> bytes:
        """The SOS record in an unencrypted BTHome frame (what someone without any key can send)."""
        record = encode_wristband_event(WristbandEvent(WristbandEventKind.SOS, sequence, int(time.time()), 80, True))
        return self.broadcast(plain_bthome(bytes([OBJ_RAW, len(record)]) + record))

    def replay(self, frame: bytes, uuid: str = BTHOME_UUID) -> bytes:
        """Send a frame recorded from the real band, byte for byte."""
        return self.broadcast(frame, uuid)

    def broadcast(self, frame: bytes, uuid: str = BTHOME_UUID) -> bytes:
        """Advertise ``frame`` as service data of ``uuid`` until :meth:`stop`."""
        self._service_data = {uuid: frame}
        self.sent.append(frame)
        return frame

    def stop(self) -> None:
        """Stop advertising."""
        self._service_data = {}

    @property
    def advertising(self) -> bool:
        """True while it has something to send."""
        return bool(self._service_data)

    def service_data(self) -> dict[str, bytes]:
        """What it advertises now."""
        return dict(self._service_data)

    def signal(self) -> int:
        """RSSI of its advertisements."""
        return self._rssi

    def advertisement(self) -> AdvertisementData:
        """The advertisement a scanner receives now."""
        return AdvertisementData(local_name=self.name, manufacturer_data={}, service_data=self.service_data(),
                                 service_uuids=[], tx_power=None, rssi=self._rssi, platform_data=())
