"""Band status reports: connected, last seen, signal, radio, battery and suspicious frames, every ~10 s.

The portal keeps only the latest state per wristband (``POST /api/v1/bands/status``), so a
report is not durable: it is sent directly, never through the outbox, and skipped when the
portal cannot be reached — the next report carries fresher facts anyway. Suspicious-frame
counts are increments: the bridge keeps them until a report carrying them is taken
(``acknowledge``), so none are lost to a failed report.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from caregiver_portal.client import BandStatusIn

logger = logging.getLogger(__name__)

MAX_BANDS_PER_REPORT = 1_000
"""Bands per request; the portal takes at most 2,000 a request."""


@dataclass(frozen=True, slots=True)
class BandStatus:
    """What the bridge knows about one registered band right now."""

    address: str
    """Bluetooth address."""
    connected: bool
    """The bridge holds a GATT link to it."""
    last_seen_at: datetime | None
    """Latest advertisement or notification from the band (UTC); None: not heard since the start."""
    rssi: int | None
    """Signal strength of a recent advertisement (dBm); None when no advertisement is fresh."""
    battery_percent: int | None
    """Latest battery charge the band reported; None when unknown."""
    radio: str | None = None
    """The radio that heard it last (``"adapter"``, ``"proxy:<name>"``)."""
    suspicious: int = 0
    """Suspicious frames (forged, replayed, plaintext from a keyed band) since the last report taken."""
    suspicious_radio: str | None = None
    """The radio that heard the latest of them."""

    def request(self) -> BandStatusIn:
        """The portal request ``PortalClient.report_band_status`` takes."""
        return BandStatusIn(address=self.address, connected=self.connected, last_seen_at=self.last_seen_at,
                            rssi=self.rssi, battery_percent=self.battery_percent, radio=self.radio,
                            suspicious=self.suspicious, suspicious_radio=self.suspicious_radio)


class StatusSink(Protocol):
    """Where reports go: ``caregiver_portal.client.PortalClient.report_band_status``."""

    def report_band_status(self, bands: Sequence[BandStatusIn]) -> dict[str, Any]:
        """Send the reports now (blocking); raises when the portal cannot take them."""
        ...


class StatusReporter:
    """Sends the bridge's band statuses every ``interval`` seconds; failures skip one report."""

    def __init__(self, sink: StatusSink, collect: Callable[[], list[BandStatus]], *, interval: float,
                 acknowledge: Callable[[list[BandStatus]], None] | None = None) -> None:
        self.sink = sink
        self.collect = collect
        self.interval = interval
        self.acknowledge = acknowledge
        self.reports = 0
        """Reports the portal took."""
        self.skipped = 0
        """Reports that could not be sent."""
        self._reachable = True

    async def run(self) -> None:
        """Report forever (cancel to stop)."""
        while True:
            await asyncio.sleep(self.interval)
            await self.report_once()

    async def report_once(self) -> bool:
        """Send one report now (in requests of at most ``MAX_BANDS_PER_REPORT`` bands); False when
        there was nothing to send or it could not be sent."""
        collected = self.collect()
        if not collected:
            return False
        try:
            for start in range(0, len(collected), MAX_BANDS_PER_REPORT):
                part = collected[start:start + MAX_BANDS_PER_REPORT]
                await asyncio.to_thread(self.sink.report_band_status, [s.request() for s in part])
                if self.acknowledge is not None:
                    self.acknowledge(part)
        except Exception as exc:  # PortalUnavailable, RequestRejected...: the next report replaces this one
            self.skipped += 1
            if self._reachable:
                logger.warning("band status not reported (%s); trying again every %.0f s", exc, self.interval)
            self._reachable = False
            return False
        if not self._reachable:
            logger.info("band status reported again after %d skipped report(s)", self.skipped)
        self._reachable = True
        self.reports += 1
        return True
