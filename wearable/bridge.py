"""The BLE bridge: hear enrolled bands on every radio, keep GATT bands connected, forward to the portal.

Wiring (each piece in its own module)::

    BleakScanner (own adapter) ──adverts──> WristbandBridge._on_advertisement ──┐
    ProxyHub (ESPHome proxies in homes) ──adverts───────────────────────────────┤
    BandLink (one per GATT band) ──notifications──> asyncio.Queue <──────────────┘
    Forwarder (one task) ──> EventProcessor (pure: keys, replay, one event model)
                               ──> PortalClient.raise_alert / cancel_alert / post_readings
                               └─> BridgeState (falls in their cancel window, frame counters)
    StatusReporter (one task) ──every 10 s──> PortalClient.report_band_status

The scanner and client backends are injectable (``backend=`` in bleak), so the
same code runs against BlueZ or :class:`wearable.simulator.SimulatedWorld`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bleak import BleakScanner
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner

from wearable import uuids
from wearable.config import BridgeSettings
from wearable.decoders import Refusal
from wearable.events import BandStats, EventProcessor, Notification
from wearable.forwarder import CheckInSink, Forwarder
from wearable.frames import BTHOME_UUID, MIBEACON_UUID
from wearable.keys import Enrolment, Scheme, enrolments
from wearable.links import BandLink
from wearable.messages import Advert
from wearable.model import LOCAL_RADIO
from wearable.portal import PortalSink
from wearable.proxies import ProxyConfig, ProxyHub
from wearable.state import BridgeState
from wearable.status import BandStatus, StatusReporter, StatusSink
from wearable.unknown import UnknownBands, pairing_press
from wearable.unknown_report import UnknownReporter, UnknownSink

GATT_SCHEMES = frozenset({Scheme.ANXIN, Scheme.HRS, Scheme.ITAG})
"""Bands the bridge keeps a GATT link to; BTHome and MiBeacon buttons only advertise."""
FRAME_SERVICES = frozenset({BTHOME_UUID, MIBEACON_UUID})
REPEAT_THROTTLE_S = 1.0
"""The same advertisement from the same radio is passed on at most once a second."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NearbyBand:
    """A wristband or SOS button heard recently."""

    address: str
    """Bluetooth address."""
    name: str | None
    """Advertised local name."""
    rssi: int
    """Signal strength of the latest advertisement (dBm)."""
    last_seen: datetime
    """When that advertisement arrived (UTC)."""
    registered: bool
    """The portal lists this band."""
    connected: bool
    """The bridge holds a GATT link to it."""


@dataclass(slots=True)
class _Sighting:
    device: BLEDevice
    adv: AdvertisementData
    seen_at: datetime
    monotonic: float
    passed_on: float = -1.0
    """When this advertisement's content was last queued for the processor (monotonic)."""


class WristbandBridge:
    """Connects registered wristbands and forwards their alerts and readings to the portal."""

    def __init__(
        self,
        portal: PortalSink,
        wristbands: Iterable[str | Enrolment],
        settings: BridgeSettings | None = None,
        *,
        scanner_backend: type[BaseBleakScanner] | None = None,
        client_backend: type[BaseBleakClient] | None = None,
        state: BridgeState | None = None,
        status_sink: StatusSink | None = None,
        proxies: Iterable[ProxyConfig] = (),
        checkins: CheckInSink | None = None,
        unknown_sink: UnknownSink | None = None,
        on_registered: Callable[[list[str]], None] | None = None,
    ) -> None:
        self.settings = settings or BridgeSettings()
        self.portal = portal
        self.scanner_backend = scanner_backend
        self.client_backend = client_backend
        self.local_radio = f"{LOCAL_RADIO}:{self.settings.adapter}" if self.settings.adapter else LOCAL_RADIO
        self.processor = EventProcessor(
            fall_cancel_window=self.settings.fall_cancel_window, itag_debounce=self.settings.itag_debounce,
            reorder_window=self.settings.reorder_window,
        )
        self.queue: asyncio.Queue[Notification | Advert] = asyncio.Queue()
        self.forwarder = Forwarder(portal, self.processor, self.queue, batch_interval=self.settings.batch_interval,
                                   state=state, checkins=checkins)
        self.reporter = (StatusReporter(status_sink, self.band_statuses, interval=self.settings.status_interval,
                                        acknowledge=self._reported)
                         if status_sink is not None else None)
        self.unknown = UnknownBands(ttl=timedelta(seconds=self.settings.nearby_ttl))
        """Bands heard that the portal has not registered (reported for enrolment by pressing)."""
        self.unknown_reporter = (UnknownReporter(unknown_sink, self.unknown, registered=on_registered)
                                 if unknown_sink is not None else None)
        proxy_list = list(proxies)
        self.proxies = ProxyHub(proxy_list, self.queue.put_nowait) if proxy_list else None
        self._enrolments: dict[str, Enrolment] = {}
        self._suspicious_reported: dict[str, int] = {}
        self._registered: set[str] = set()
        self._links: dict[str, BandLink] = {}
        self._link_tasks: dict[str, asyncio.Task[None]] = {}
        self._sightings: dict[str, _Sighting] = {}
        self._heard: dict[str, asyncio.Event] = {}
        self._slots = asyncio.Semaphore(self.settings.max_connections)
        self._scanner: BleakScanner | None = None
        self._forwarder_task: asyncio.Task[None] | None = None
        self._reporter_task: asyncio.Task[None] | None = None
        self._unknown_task: asyncio.Task[None] | None = None
        for enrolment in enrolments(wristbands).values():
            self._enrol(enrolment)

    # ----- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Restore held falls and counters, start scanning (own adapter and proxies), the consumer task,
        the status reports and the links."""
        await self.forwarder.restore()
        if self.proxies is not None:
            await self.proxies.start()
        kwargs: dict[str, Any] = {} if self.scanner_backend is None else {"backend": self.scanner_backend}
        if self.settings.adapter:
            kwargs["bluez"] = {"adapter": self.settings.adapter}
        self._scanner = BleakScanner(self._on_advertisement, **kwargs)
        await self._scanner.start()
        self._forwarder_task = asyncio.create_task(self.forwarder.run(), name="bridge-forwarder")
        if self.reporter is not None:
            self._reporter_task = asyncio.create_task(self.reporter.run(), name="bridge-status-reporter")
        if self.unknown_reporter is not None:
            self._unknown_task = asyncio.create_task(self.unknown_reporter.run(), name="bridge-unknown-reporter")
        for address in sorted(self._registered):
            self._start_link(address)
        logger.info("bridge started: %d registered wristband(s), max %d connections, %d proxy(ies)",
                    len(self._registered), self.settings.max_connections,
                    len(self.proxies.proxies) if self.proxies else 0)

    async def stop(self) -> None:
        """Stop links and scanning, then forward what is still queued (falls included)."""
        own = [t for t in (self._forwarder_task, self._reporter_task, self._unknown_task) if t is not None]
        tasks = [*self._link_tasks.values(), *own]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._link_tasks.clear()
        self._forwarder_task = self._reporter_task = self._unknown_task = None
        if self._scanner is not None:
            await self._scanner.stop()
            self._scanner = None
        if self.proxies is not None:
            await self.proxies.stop()
        await self.forwarder.drain()
        logger.info("bridge stopped")

    async def run(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set."""
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.stop()

    async def __aenter__(self) -> WristbandBridge:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    # ----- registration ---------------------------------------------------------------------------

    def register(self, band: str | Enrolment) -> None:
        """Start serving a newly registered band, or take its new key (no-op when nothing changed)."""
        enrolment = next(iter(enrolments([band]).values()))
        known = enrolment.address in self._registered
        heard = self.unknown.get(enrolment.address)
        if self._enrolments.get(enrolment.address) == enrolment:
            return
        self._enrol(enrolment)
        if not known and heard is not None and heard.pressed_at is not None:
            press = pairing_press(heard.frame, enrolment)
            if press is not None:
                self.processor.paired_by(enrolment.address, press)
        if not known and self._forwarder_task is not None:
            self._start_link(enrolment.address)

    def _enrol(self, enrolment: Enrolment) -> None:
        self._enrolments[enrolment.address] = enrolment
        self._registered.add(enrolment.address)
        self.unknown.forget([enrolment.address])
        self.processor.enrol(enrolment)
        if self.proxies is not None:
            self.proxies.enrol(enrolment.address)

    @property
    def registered(self) -> frozenset[str]:
        """Addresses the bridge serves."""
        return frozenset(self._registered)

    def _start_link(self, address: str) -> None:
        if self._enrolments[address].scheme not in GATT_SCHEMES:
            return
        link = BandLink(
            address,
            settings=self.settings,
            queue=self.queue,
            slots=self._slots,
            wait_for_device=self._wait_for_device,
            client_backend=self.client_backend,
        )
        self._links[address] = link
        self._link_tasks[address] = asyncio.create_task(link.run(), name=f"band-link-{address}")

    # ----- scanning -------------------------------------------------------------------------------

    def _on_advertisement(self, device: BLEDevice, adv: AdvertisementData) -> None:
        address = device.address.upper()
        registered = address in self._registered
        if not registered and not (uuids.WRISTBAND_SERVICES.intersection(adv.service_uuids)
                                   or FRAME_SERVICES.intersection(adv.service_data)):
            return
        now, monotonic = datetime.now(UTC), time.monotonic()
        previous = self._sightings.get(address)
        sighting = self._sightings[address] = _Sighting(device, adv, now, monotonic)
        if not registered:
            self.unknown.observe(address, name=adv.local_name or device.name, rssi=adv.rssi, radio=self.local_radio,
                                 service_uuids=adv.service_uuids, service_data=adv.service_data, now=now)
            return
        heard = self._heard.get(address)
        if heard is None:
            heard = self._heard[address] = asyncio.Event()
        heard.set()
        if previous is not None and previous.adv.service_data == adv.service_data \
                and monotonic - previous.passed_on < REPEAT_THROTTLE_S:
            sighting.passed_on = previous.passed_on  # a repeat: the processor has it already
            return
        sighting.passed_on = monotonic
        self.queue.put_nowait(Advert(address, dict(adv.service_data), adv.rssi, self.local_radio, now))

    async def _wait_for_device(self, address: str) -> BLEDevice:
        """Wait until the band's advertisement is fresh (it is in range), return its BLEDevice."""
        heard = self._heard.setdefault(address, asyncio.Event())
        while True:
            sighting = self._sightings.get(address)
            if sighting and time.monotonic() - sighting.monotonic <= self.settings.advert_fresh:
                return sighting.device
            heard.clear()
            await heard.wait()

    # ----- observability --------------------------------------------------------------------------

    def nearby(self) -> list[NearbyBand]:
        """Wristbands and SOS buttons heard within ``nearby_ttl``, strongest signal first."""
        horizon = time.monotonic() - self.settings.nearby_ttl
        bands = [
            NearbyBand(
                address=address,
                name=s.adv.local_name or s.device.name,
                rssi=s.adv.rssi,
                last_seen=s.seen_at,
                registered=address in self._registered,
                connected=self.is_connected(address),
            )
            for address, s in self._sightings.items()
            if s.monotonic >= horizon
        ]
        return sorted(bands, key=lambda b: b.rssi, reverse=True)

    def band_statuses(self) -> list[BandStatus]:
        """Status of every registered band (what the status reporter sends to the portal): last seen,
        signal and radio of the last time the band was heard for sure, and new suspicious frames."""
        fresh_after = datetime.now(UTC) - timedelta(seconds=self.settings.advert_fresh)
        statuses = []
        for address in sorted(self._registered):
            stats = self.processor.stats(address)
            fresh = stats.rssi_at is not None and stats.rssi_at >= fresh_after
            suspicious = _suspicious(stats) - self._suspicious_reported.get(address, 0)
            statuses.append(BandStatus(address, self.is_connected(address), stats.last_heard_at,
                                       stats.rssi if fresh else None, stats.battery_percent, stats.radio,
                                       suspicious, stats.suspicious_radio if suspicious else None))
        return statuses

    def _reported(self, statuses: list[BandStatus]) -> None:
        """The portal took these statuses: their suspicious counts are reported."""
        for status in statuses:
            if status.suspicious:
                self._suspicious_reported[status.address] = (self._suspicious_reported.get(status.address, 0)
                                                             + status.suspicious)

    def is_connected(self, address: str) -> bool:
        """True while the bridge holds a GATT link to the band."""
        link = self._links.get(address.upper())
        return bool(link and link.connected)

    def connected(self) -> frozenset[str]:
        """Addresses with a GATT link right now."""
        return frozenset(a for a, link in self._links.items() if link.connected)

    def stats(self, address: str) -> BandStats:
        """Counters of one band (notifications, malformed, duplicates, missed events...)."""
        return self.processor.stats(address.upper())

    def link(self, address: str) -> BandLink | None:
        """The link object of a registered band (connection / failure counters)."""
        return self._links.get(address.upper())


def _suspicious(stats: BandStats) -> int:
    """Suspicious frames of a band so far (forged, plaintext from a keyed band, replayed, ahead)."""
    return sum(count for reason, count in stats.refused.items() if Refusal(reason).suspicious)
