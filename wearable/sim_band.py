"""One simulated wristband: physiological traces, scripted events, GATT table, advertisement.

The band knows nothing about bleak's client API; :mod:`wearable.sim_backend`
attaches a simulated bleak client to it. Tests script a band through the
public methods (``press_sos()``, ``check_in()``, ``fall()``, ``go_home()``...).

An Anxin band (model ``"anxin"``) has a real AES-128 key and sends what partner firmware
sends (docs/wristband-protocol.md): every event sealed in an encrypted frame, the same frame
indicated on the Anxin Event characteristic and advertised as BTHome service data, a status
frame when it has nothing newer to show. A band in heart-rate broadcast mode (``"hrs"``)
and an iTAG button (``"itag"``) have no key. Bought buttons are in :mod:`wearable.sim_buttons`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from bleak.backends.scanner import AdvertisementData

from wearable import uuids
from wearable.encode import (
    encode_battery,
    encode_heart_rate,
    encode_plx_continuous,
    encode_plx_spot_check,
    encode_temperature,
)
from wearable.frames import BTHOME_UUID, seal_anxin_event
from wearable.sim_world import World
from wearable.vendor import WristbandEvent, WristbandEventKind

logger = logging.getLogger(__name__)

BandModel = Literal["anxin", "itag", "hrs"]
NotifyCallback = Callable[[bytearray], None]
LOW_BATTERY_PERCENT = 15.0

# (service uuid, [(characteristic uuid, bleak property names)]) per model.
GATT_TABLES: dict[str, list[tuple[str, list[tuple[str, list[str]]]]]] = {
    "anxin": [
        (uuids.HEART_RATE_SERVICE, [(uuids.HEART_RATE_MEASUREMENT, ["notify"])]),
        (uuids.PULSE_OXIMETER_SERVICE, [(uuids.PLX_SPOT_CHECK, ["indicate"]), (uuids.PLX_CONTINUOUS, ["notify"])]),
        (uuids.HEALTH_THERMOMETER_SERVICE, [(uuids.TEMPERATURE_MEASUREMENT, ["indicate"])]),
        (uuids.BATTERY_SERVICE, [(uuids.BATTERY_LEVEL, ["read", "notify"])]),
        (uuids.ANXIN_SERVICE, [(uuids.ANXIN_EVENT, ["indicate"])]),
    ],
    "itag": [
        (uuids.ITAG_SERVICE, [(uuids.ITAG_BUTTON, ["notify"])]),
        (uuids.BATTERY_SERVICE, [(uuids.BATTERY_LEVEL, ["read"])]),
    ],
    "hrs": [
        (uuids.HEART_RATE_SERVICE, [(uuids.HEART_RATE_MEASUREMENT, ["notify"])]),
        (uuids.BATTERY_SERVICE, [(uuids.BATTERY_LEVEL, ["read", "notify"])]),
    ],
}
ADVERTISED_SERVICES: dict[str, list[str]] = {
    "anxin": [uuids.ANXIN_SERVICE, uuids.HEART_RATE_SERVICE],
    "itag": [uuids.ITAG_SERVICE],
    "hrs": [uuids.HEART_RATE_SERVICE],
}


@dataclass(slots=True)
class BandProfile:
    """Baseline physiology and radio of one simulated wearer / band."""

    resting_hr: float = 72.0
    """Resting heart rate the trace wanders around (bpm)."""
    spo2: float = 97.0
    """Baseline SpO2 (%)."""
    temperature_c: float = 36.5
    """Baseline skin temperature (°C)."""
    battery: float = 90.0
    """Initial battery charge (%)."""
    battery_drain_per_tick: float = 0.02
    """Charge lost per sensor tick (%)."""
    rssi: int = -62
    """Mean received signal strength at the bridge (dBm)."""


class SimulatedBand:
    """A scriptable simulated wristband (model ``"anxin"``) or iTAG button (model ``"itag"``)."""

    def __init__(
        self, world: World, address: str, *, name: str, model: BandModel, profile: BandProfile,
        key: bytes | None = None,
    ) -> None:
        if (model == "anxin") != (key is not None):
            raise ValueError("an Anxin band has a key; an iTAG or heart-rate band has none")
        self.world = world
        self.address = address
        self.name = name
        self.model: BandModel = model
        self.profile = profile
        self.key = key
        self.counter = 0
        """Frame counter: +1 for every frame sealed (the band keeps it across restarts)."""
        self.last_frame: bytes | None = None
        """The latest frame sealed (what an eavesdropper can record and replay)."""
        self.location: str | None = None
        """None: at the centre, heard by the bridge's adapter; else the name of the proxy at home that hears it."""
        self.rng = random.Random(f"{world.seed}:{address}")
        self.in_range = True
        self.worn = True
        self.battery = profile.battery
        self.heart_rate = profile.resting_hr
        self.sequence = 0
        self.last_event: WristbandEvent | None = None
        self.pending: deque[WristbandEvent] = deque(maxlen=32)
        self.connect_count = 0
        self.sent: Counter[str] = Counter()
        """Values handed to a client (notifications and reads), per characteristic UUID (for benchmarks)."""
        self._sealed_at = 0.0
        self._fail_connects = 0
        self._tick = 0
        self._rssi = float(profile.rssi)
        self._subscriptions: dict[str, NotifyCallback] = {}
        self._link: Callable[[], None] | None = None
        self._sensor_task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    # ----- scripting API -------------------------------------------------------------------------

    def press_sos(self) -> None:
        """The wearer presses the SOS button (an iTAG notifies 0x01 on 0xFFE1)."""
        if self.model == "itag":
            self._notify(uuids.ITAG_BUTTON, b"\x01")
        else:
            self._emit(WristbandEventKind.SOS)

    def check_in(self) -> None:
        """The wearer double-presses the key: the daily check-in (平安打卡)."""
        if self.model == "itag":
            raise ValueError("an iTAG button has no double press (one notification per press)")
        self._emit(WristbandEventKind.CHECK_IN)

    def cancel_sos(self) -> None:
        """The wearer cancels an SOS (long press)."""
        self._emit(WristbandEventKind.SOS_CANCELLED)

    def fall(self) -> None:
        """The band's accelerometer detects a fall."""
        self._emit(WristbandEventKind.FALL)

    def cancel_fall(self) -> None:
        """The wearer presses "I am fine" after a fall was detected."""
        self._emit(WristbandEventKind.FALL_CANCELLED)

    def take_off(self) -> None:
        """The band is taken off the wrist: skin contact lost, vitals become NaN."""
        self.worn = False
        self._emit(WristbandEventKind.OFF_WRIST)

    def put_on(self) -> None:
        """The band is put back on."""
        self.worn = True
        self._emit(WristbandEventKind.ON_WRIST)

    def go_out_of_range(self) -> None:
        """The wearer walks away: the link drops and advertisements stop reaching the bridge."""
        self.in_range = False
        self.location = None
        self._drop_link()

    def go_home(self, proxy: str) -> None:
        """The wearer goes home, where the ESPHome proxy ``proxy`` hears the band (the adapter does not)."""
        self.go_out_of_range()
        self.location = proxy

    def come_back(self) -> None:
        """The wearer is back at the centre: advertisements reach the adapter, the bridge may reconnect."""
        self.in_range = True
        self.location = None

    def send_garbage(self, characteristic: str = uuids.HEART_RATE_MEASUREMENT, data: bytes | None = None) -> None:
        """Notify a payload that does not follow the characteristic's format."""
        self._notify(characteristic, b"\x10\x48\x00" if data is None else data)

    def resend_last_event(self) -> None:
        """Indicate the last frame again, byte for byte (a duplicate)."""
        if self.last_frame is not None:
            self._notify(uuids.ANXIN_EVENT, self.last_frame)

    def skip_sequence(self, count: int) -> None:
        """Lose ``count`` events: the next event's sequence number jumps (a gap)."""
        self.sequence = (self.sequence + count) & 0xFFFF

    def set_battery(self, percent: float) -> None:
        """Set the battery charge (%)."""
        self.battery = max(0.0, min(100.0, percent))

    def set_heart_rate(self, bpm: float) -> None:
        """Set the heart rate the trace wanders around (bpm)."""
        self.heart_rate = bpm

    def fail_next_connects(self, count: int) -> None:
        """Make the next ``count`` connection attempts fail with a BleakError."""
        self._fail_connects = count

    @property
    def is_connected(self) -> bool:
        """True while a simulated client holds a link to this band."""
        return self._link is not None

    @property
    def subscribed(self) -> frozenset[str]:
        """Characteristic UUIDs a client currently has notifications enabled on."""
        return frozenset(self._subscriptions)

    async def wait_connected(self) -> None:
        """Wait until a client is connected and subscribed."""
        await self._connected.wait()

    # ----- events and notifications --------------------------------------------------------------

    def _emit(self, kind: WristbandEventKind) -> WristbandEvent:
        if self.model != "anxin":
            raise ValueError(f"an {self.model} device cannot report {kind.slug}")
        self.sequence = (self.sequence + 1) & 0xFFFF
        event = WristbandEvent(
            kind=kind,
            sequence=self.sequence,
            band_clock=int(self.world.now()),
            battery_percent=round(self.battery),
            worn=self.worn,
        )
        self.last_event = event
        frame = self.seal(event)
        logger.debug("%s: event %s seq %d", self.address, kind.slug, event.sequence)
        if not self._notify(uuids.ANXIN_EVENT, frame) and kind is not WristbandEventKind.STATUS:
            self.pending.append(event)  # a status is not worth re-sending
        return event

    def seal(self, event: WristbandEvent) -> bytes:
        """Seal an event in the next frame (new counter), as the band's firmware does; the band advertises
        this frame from now on (it never advertises an older one)."""
        assert self.key is not None
        self.counter += 1
        self.last_frame = seal_anxin_event(event, address=self.address, key=self.key, counter=self.counter)
        self._sealed_at = self.world.monotonic()
        return self.last_frame

    def _notify(self, characteristic: str, data: bytes) -> bool:
        callback = self._subscriptions.get(characteristic)
        if callback is None or not self.in_range:
            return False
        payload = bytearray(data)
        self.sent[characteristic] += 1
        try:
            asyncio.get_running_loop().call_soon(callback, payload)
        except RuntimeError:  # scripted from outside the event loop
            callback(payload)
        return True

    # ----- advertisement -------------------------------------------------------------------------

    def service_data(self) -> dict[str, bytes]:
        """What the band advertises now: the last frame it sealed; when it has sealed nothing for
        ``world.status_interval`` (and at least ``world.mirror_seconds`` after an event), a new status frame."""
        if self.model != "anxin":
            return {}
        quiet = max(self.world.status_interval, self.world.mirror_seconds)
        if self.last_frame is None or self.world.monotonic() - self._sealed_at >= quiet:
            self._emit(WristbandEventKind.STATUS)
        assert self.last_frame is not None
        return {BTHOME_UUID: self.last_frame}

    @property
    def advertising(self) -> bool:
        """A band advertises all the time (an iTAG too)."""
        return True

    def signal(self) -> int:
        """RSSI of the next advertisement (wanders around the profile's mean)."""
        self._rssi += self.rng.gauss(0, 1.5) + (self.profile.rssi - self._rssi) * 0.2
        return round(self._rssi)

    def advertisement(self) -> AdvertisementData:
        """The advertisement a scanner receives now."""
        return AdvertisementData(
            local_name=self.name,
            manufacturer_data={},
            service_data=self.service_data(),
            service_uuids=ADVERTISED_SERVICES[self.model],
            tx_power=None,
            rssi=self.signal(),
            platform_data=(),
        )

    # ----- GATT side used by the simulated bleak client ------------------------------------------

    def gatt_table(self) -> list[tuple[str, list[tuple[str, list[str]]]]]:
        """Services and characteristics (with bleak property names) this band offers."""
        return GATT_TABLES[self.model]

    def read(self, characteristic: str) -> bytes:
        """Value of a readable characteristic."""
        if characteristic == uuids.BATTERY_LEVEL:
            self.sent[characteristic] += 1
            return encode_battery(round(self.battery))
        if characteristic == uuids.ITAG_BUTTON:
            return b"\x00"
        raise KeyError(characteristic)

    def check_connectable(self) -> None:
        """Raise ConnectionRefusedError when a connection attempt must fail now."""
        if not self.in_range:
            raise ConnectionRefusedError("not in range")
        if self._link is not None:
            raise ConnectionRefusedError("already connected to another central")
        if self._fail_connects > 0:
            self._fail_connects -= 1
            raise ConnectionRefusedError("connection failed to be established (scripted)")

    def attach(self, link_lost: Callable[[], None]) -> None:
        """A client connected; ``link_lost`` is called when the band drops the link."""
        self._link = link_lost
        self.connect_count += 1
        self._sensor_task = asyncio.get_running_loop().create_task(self._run_sensors())

    def detach(self) -> None:
        """The client disconnected: forget subscriptions and stop the sensor loop."""
        self._link = None
        self._subscriptions.clear()
        self._connected.clear()
        if self._sensor_task is not None:
            self._sensor_task.cancel()
            self._sensor_task = None

    def subscribe(self, characteristic: str, callback: NotifyCallback) -> None:
        """Enable notifications; enabling the event characteristic re-sends undelivered events."""
        self._subscriptions[characteristic] = callback
        if characteristic in (uuids.ANXIN_EVENT, uuids.ITAG_BUTTON):
            self._connected.set()
        if characteristic == uuids.ANXIN_EVENT:
            while self.pending:
                event = self.pending.popleft()
                self._notify(uuids.ANXIN_EVENT, self.seal(_as_retransmission(event)))

    def unsubscribe(self, characteristic: str) -> None:
        """Disable notifications on a characteristic."""
        self._subscriptions.pop(characteristic, None)

    def _drop_link(self) -> None:
        link_lost = self._link
        self.detach()
        if link_lost is not None:
            link_lost()

    # ----- physiological traces ------------------------------------------------------------------

    async def _run_sensors(self) -> None:
        # Real bands' timers are independent: a random phase keeps a room of bands that connected
        # together from ticking in lockstep (bursts no real room produces).
        await asyncio.sleep(self.rng.uniform(0, self.world.reading_interval))
        while True:
            await asyncio.sleep(self.world.reading_interval)
            self._tick += 1
            self._sensor_tick(self._tick)

    def _sensor_tick(self, tick: int) -> None:
        was_low = self.battery <= LOW_BATTERY_PERCENT
        self.battery = max(0.0, self.battery - self.profile.battery_drain_per_tick)
        if self.model == "itag":
            return
        if self.model == "anxin" and not was_low and self.battery <= LOW_BATTERY_PERCENT:
            self._emit(WristbandEventKind.LOW_BATTERY)
        bpm = self.heart_rate + 4 * math.sin(tick / 20) + self.rng.gauss(0, 1.5)
        rr = [60 / max(bpm, 30) + self.rng.gauss(0, 0.02)]
        if self.worn:
            self._notify(uuids.HEART_RATE_MEASUREMENT, encode_heart_rate(round(bpm), sensor_contact=True,
                                                                         rr_intervals_s=rr))
        else:
            self._notify(uuids.HEART_RATE_MEASUREMENT, encode_heart_rate(0, sensor_contact=False))
        if self.model == "hrs":
            if tick % 10 == 0:
                self._notify(uuids.BATTERY_LEVEL, encode_battery(round(self.battery)))
            return
        if tick % 2 == 0:
            spo2 = round(min(100.0, self.profile.spo2 + self.rng.gauss(0, 0.7))) if self.worn else None
            self._notify(uuids.PLX_CONTINUOUS, encode_plx_continuous(spo2, round(bpm)))
        if tick % 5 == 0:
            temp = self.profile.temperature_c + 0.2 * math.sin(tick / 50) + self.rng.gauss(0, 0.05)
            self._notify(uuids.TEMPERATURE_MEASUREMENT, encode_temperature(temp if self.worn else None,
                                                                           location_code=2))
        if tick % 10 == 0:
            self._notify(uuids.BATTERY_LEVEL, encode_battery(round(self.battery)))
        if tick % 30 == 0 and self.worn:
            now = datetime.fromtimestamp(self.world.now(), UTC).replace(tzinfo=None)
            self._notify(uuids.PLX_SPOT_CHECK, encode_plx_spot_check(round(self.profile.spo2), round(bpm), now))


def _as_retransmission(event: WristbandEvent) -> WristbandEvent:
    return WristbandEvent(
        kind=event.kind,
        sequence=event.sequence,
        band_clock=event.band_clock,
        battery_percent=event.battery_percent,
        worn=event.worn,
        charging=event.charging,
        retransmission=True,
    )
