"""Report the unknown bands the bridge hears to the portal (``POST /api/v1/bands/unknown``).

A press must reach the admin's page within a second or two, so a new band or a press is
reported at once (checked every ``check_interval``); otherwise the list is refreshed every
``refresh_interval`` while unknown bands are heard. Like band statuses a report is not durable:
it is sent directly and skipped when the portal cannot be reached. The portal answers with the
heard addresses that are registered now, so the bridge fetches their keys without waiting.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from caregiver_portal.client import UnknownBandIn
from wearable.unknown import UnknownBands

logger = logging.getLogger(__name__)


class UnknownSink(Protocol):
    """Where reports go: ``caregiver_portal.client.PortalClient.report_unknown_bands``."""

    def report_unknown_bands(self, bands: Sequence[UnknownBandIn]) -> dict[str, Any]:
        """Send the list now (blocking); the answer's ``registered`` lists addresses registered meanwhile."""
        ...


class UnknownReporter:
    """Sends the unknown bands when one appears or is pressed, and every ``refresh_interval`` while any is heard."""

    def __init__(self, sink: UnknownSink, bands: UnknownBands, *, check_interval: float = 0.5,
                 refresh_interval: float = 5.0, registered: Callable[[list[str]], None] | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.sink = sink
        self.bands = bands
        self.check_interval = check_interval
        self.refresh_interval = refresh_interval
        self.registered = registered
        self.clock = clock
        self.reports = 0
        """Reports the portal took."""
        self._last_sent = -float("inf")

    async def run(self) -> None:
        """Report forever (cancel to stop)."""
        while True:
            await asyncio.sleep(self.check_interval)
            if self.bands.changed or time.monotonic() - self._last_sent >= self.refresh_interval:
                await self.report_once()

    async def report_once(self) -> bool:
        """Send the current list now; False when nothing is heard or the portal could not take it."""
        heard = self.bands.take(self.clock())
        if not heard:
            return False
        self._last_sent = time.monotonic()
        try:
            answer = await asyncio.to_thread(self.sink.report_unknown_bands, [band.request() for band in heard])
        except Exception as exc:  # PortalUnavailable, RequestRejected...: the next report replaces this one
            logger.debug("unknown bands not reported: %s", exc)
            return False
        self.reports += 1
        registered = [str(a) for a in (answer or {}).get("registered", [])]
        if registered and self.registered is not None:
            self.registered(registered)  # the bridge forgets them once it serves them (their pairing press kept)
        return True
