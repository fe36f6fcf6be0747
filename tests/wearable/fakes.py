"""Fakes and helpers of the wearable tests: a recording portal client and fast bridge settings.

Imported as ``tests.wearable.fakes`` (not from ``conftest``: with several conftest modules
on the path, ``from conftest import ...`` picks whichever was imported first).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from caregiver_portal.client import AlertCreate, BandStatusIn, ReadingIn, UnknownBandIn
from wearable.bridge import WristbandBridge
from wearable.config import BridgeSettings
from wearable.simulator import SimulatedWorld


class RecordingPortal:
    """Stands in for caregiver_portal.client.PortalClient at the network edge: records calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.alerts: list[dict[str, Any]] = []
        self.batches: list[list[dict[str, Any]]] = []
        self.cancels: list[dict[str, Any]] = []
        self.status_reports: list[list[dict[str, Any]]] = []
        self.unknown_reports: list[list[dict[str, Any]]] = []
        self.registered_now: list[str] = []
        """Addresses answered as registered to the next unknown-band report."""
        self.fail_status: Exception | None = None
        self.fail_alerts = 0
        self.fail_readings = 0
        self.band_list: list[dict[str, Any]] | Exception = []
        self.started = False
        self.stopped = False

    def raise_alert(self, alert: AlertCreate) -> str:
        with self._lock:
            if self.fail_alerts:
                self.fail_alerts -= 1
                raise OSError("outbox disk full")
            self.alerts.append({"kind": alert.kind, "wristband": alert.wristband, "event_id": alert.event_id,
                                "emergency": alert.emergency, "occurred_at": alert.occurred_at,
                                "details": dict(alert.details)})
        return alert.event_id

    def cancel_alert(self, event_id: str, *, reason: str = "") -> str:
        with self._lock:
            self.cancels.append({"event_id": event_id, "reason": reason})
        return f"cancel-{event_id}"

    def post_readings(self, readings: Sequence[ReadingIn]) -> str:
        with self._lock:
            if self.fail_readings:
                self.fail_readings -= 1
                raise OSError("outbox disk full")
            self.batches.append([reading.model_dump() for reading in readings])
        return f"batch-{len(self.batches)}"

    def report_band_status(self, bands: Sequence[BandStatusIn]) -> dict[str, Any]:
        if self.fail_status is not None:
            raise self.fail_status
        with self._lock:
            self.status_reports.append([band.model_dump() for band in bands])
        return {"stored": len(bands), "stale": 0, "rejected": 0, "unknown_wristbands": [], "rejected_by_kind": {}}

    def report_unknown_bands(self, bands: Sequence[UnknownBandIn]) -> dict[str, Any]:
        with self._lock:
            self.unknown_reports.append([band.model_dump() for band in bands])
            registered, self.registered_now = self.registered_now, []
        return {"stored": len(bands), "registered": registered}

    def band_keys(self) -> list[dict[str, Any]]:
        if isinstance(self.band_list, Exception):
            raise self.band_list
        return self.band_list

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.stopped = True

    @property
    def readings(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r for batch in self.batches for r in batch]

    def alerts_of(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return [a for a in self.alerts if a["kind"] == kind]


async def wait_until(predicate: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    """Poll ``predicate`` until it is true, failing the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


FAST_SETTINGS = BridgeSettings(
    batch_interval=0.2,
    fall_cancel_window=0.4,
    max_connections=5,
    reconnect_initial=0.05,
    reconnect_max=0.2,
    stable_after=1.0,
    advert_fresh=0.5,
    connect_timeout=5.0,
    nearby_ttl=1.0,
    itag_debounce=0.5,
    status_interval=0.1,
    reorder_window=0.3,
)


@asynccontextmanager
async def bridge_with_proxies(portal: RecordingPortal, world: SimulatedWorld, settings: BridgeSettings,
                              timeout: float = 30.0) -> AsyncIterator[WristbandBridge]:
    """A started bridge serving every device of ``world``, on its adapter and its started proxies (connected)."""
    await world.start_proxies()
    bridge = WristbandBridge(portal, world.enrolments(), settings, scanner_backend=world.scanner_backend,
                             client_backend=world.client_backend, proxies=world.proxy_configs(), status_sink=portal)
    await bridge.start()
    try:
        await wait_until(lambda: bool(bridge.proxies and len(bridge.proxies.connected()) == len(world.proxies)),
                         timeout, "the proxies connected")
        yield bridge
    finally:
        await bridge.stop()
        await world.close()
