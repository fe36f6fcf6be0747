"""The consumer task: notifications from the queue -> EventProcessor -> portal client.

Alerts are handed to the portal client at once; readings are batched every
``batch_interval`` seconds. The portal client writes to a local SQLite outbox,
so its calls run in a worker thread to keep the event loop responsive.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable

from wearable.events import AlertOut, CancelOut, EventProcessor, Notification, Output, ReadingOut
from wearable.portal import PortalSink

logger = logging.getLogger(__name__)

MAX_HELD_READINGS = 20_000
"""Readings kept while the outbox refuses them; beyond this the oldest are dropped (alerts never are)."""


class Forwarder:
    """Drains the notification queue; one instance per bridge."""

    def __init__(
        self,
        portal: PortalSink,
        processor: EventProcessor,
        queue: asyncio.Queue[Notification],
        *,
        batch_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.portal = portal
        self.processor = processor
        self.queue = queue
        self.batch_interval = batch_interval
        self.clock = clock
        self._readings: list[ReadingOut] = []
        self._failed_alerts: list[AlertOut | CancelOut] = []

    async def run(self) -> None:
        """Consume forever (cancel to stop, then call :meth:`drain`)."""
        next_flush = self.clock() + self.batch_interval
        while True:
            deadline = min(next_flush, self.processor.next_deadline() or math.inf)
            note = await self._next(max(0.0, deadline - self.clock()))
            if note is not None:
                await self._dispatch(self.processor.handle(note, self.clock()))
            await self._dispatch(self.processor.due(self.clock()))
            if self.clock() >= next_flush:
                await self.flush()
                next_flush = self.clock() + self.batch_interval

    async def _next(self, timeout: float) -> Notification | None:
        if not self.queue.empty():
            return self.queue.get_nowait()
        try:
            async with asyncio.timeout(timeout):  # not wait_for: it can swallow a cancel on 3.11
                return await self.queue.get()
        except TimeoutError:
            return None

    async def drain(self) -> None:
        """Process what is queued, forward falls still in their window, post the last readings."""
        while not self.queue.empty():
            await self._dispatch(self.processor.handle(self.queue.get_nowait(), self.clock()))
        await self._dispatch(self.processor.flush_falls())
        await self.flush()

    async def _dispatch(self, outputs: list[Output]) -> None:
        for output in outputs:
            if isinstance(output, ReadingOut):
                self._readings.append(output)
            else:
                await self._send_alert(output)

    async def _send_alert(self, alert: AlertOut | CancelOut) -> bool:
        try:
            if isinstance(alert, CancelOut):
                await asyncio.to_thread(self.portal.cancel_alert, alert.event_id, reason=alert.reason)
            else:
                await asyncio.to_thread(
                    self.portal.raise_alert,
                    kind=alert.kind,
                    event_id=alert.event_id,
                    emergency=alert.emergency,
                    wristband=alert.wristband,
                    details=dict(alert.details),
                )
        except Exception:  # the outbox failing must not stop the bridge; retried at next flush
            logger.exception("%s: could not queue %s", alert.wristband, alert)
            self._failed_alerts.append(alert)
            return False
        logger.info("%s: queued %s", alert.wristband, alert)
        return True

    async def flush(self) -> None:
        """Retry alerts that failed to queue, then post the batched readings."""
        retry, self._failed_alerts = self._failed_alerts, []
        for alert in retry:
            await self._send_alert(alert)
        if not self._readings:
            return
        batch, self._readings = self._readings, []
        try:
            await asyncio.to_thread(self.portal.post_readings, [r.as_dict() for r in batch])
        except Exception:
            logger.exception("could not queue %d readings; keeping them for the next batch", len(batch))
            held = batch + self._readings
            if len(held) > MAX_HELD_READINGS:
                logger.warning("dropping %d oldest readings", len(held) - MAX_HELD_READINGS)
                held = held[-MAX_HELD_READINGS:]
            self._readings = held
        else:
            logger.debug("queued %d readings", len(batch))
