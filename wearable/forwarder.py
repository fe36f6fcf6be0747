"""The consumer task: notifications and advertisements from the queue -> EventProcessor -> portal client.

Alerts are handed to the portal client at once; readings are batched every
``batch_interval`` seconds. The portal client writes to a local SQLite outbox,
so its calls run in a worker thread to keep the event loop responsive. Reading
batches are written by a background task: a large bridge writes a dozen batches
per interval, and the forwarder keeps taking notifications (an SOS among them)
meanwhile instead of waiting for those writes.

State outputs (a fall held in its cancel window, its settlement, an iTAG press) go to
the bridge's state file (:mod:`wearable.state`) in the order the processor produced
them, so a fall is forgotten there only after its alert is in the outbox. The highest frame
counter of each band goes there every ``batch_interval``.

Check-ins (a double press) go to a :class:`CheckInSink` when the bridge has one (the
portal's ``POST /api/v1/checkins``); without one they are logged and counted only.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from caregiver_portal.client import CheckinCreate
from wearable.events import (
    Advert,
    AlertOut,
    CancelOut,
    CheckInOut,
    EventProcessor,
    FallHeld,
    FallSettled,
    ItagPressed,
    Notification,
    Output,
    ReadingOut,
)
from wearable.portal import PortalSink, alert_request, checkin_request, reading_request
from wearable.state import BridgeState

logger = logging.getLogger(__name__)

MAX_HELD_READINGS = 20_000
"""Readings kept while the outbox refuses them; beyond this the oldest are dropped (alerts never are)."""
MAX_BATCH_READINGS = 1_000
"""Readings per ``post_readings`` call: the portal refuses batches over 5,000 readings or 1 MB (~110 B
a reading), so a large bridge (600+ bands at one tick a second) posts several batches per interval."""

Pending = AlertOut | CancelOut | CheckInOut | FallHeld | FallSettled | ItagPressed
"""Outputs that are retried at the next flush when they could not be stored."""


class CheckInSink(Protocol):
    """Where check-ins go: a durable portal-client call (``POST /api/v1/checkins``)."""

    def check_in(self, checkin: CheckinCreate) -> str:
        """Queue a check-in; returns its event id at once."""
        ...


class Forwarder:
    """Drains the notification queue; one instance per bridge."""

    def __init__(
        self,
        portal: PortalSink,
        processor: EventProcessor,
        queue: asyncio.Queue[Notification | Advert],
        *,
        batch_interval: float,
        clock: Callable[[], float] = time.monotonic,
        state: BridgeState | None = None,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        checkins: CheckInSink | None = None,
    ) -> None:
        self.portal = portal
        self.processor = processor
        self.queue = queue
        self.batch_interval = batch_interval
        self.clock = clock
        self.state = state
        self.wall_clock = wall_clock
        self.checkins = checkins
        self.check_ins_not_forwarded = 0
        """Check-ins taken while the bridge had no check-in sink."""
        self.processed = 0
        """Notifications taken from the queue so far (for benchmarks and health checks)."""
        self._readings: list[ReadingOut] = []
        self._failed: list[Pending] = []
        self._posting: asyncio.Task[None] | None = None
        self._counting: asyncio.Task[None] | None = None

    async def restore(self) -> int:
        """Hold again the falls a previous run left in the state file, take back the frame counters;
        returns how many falls."""
        if self.state is None:
            return 0
        falls = await asyncio.to_thread(self.state.held_falls)
        presses = await asyncio.to_thread(self.state.itag_presses)
        self.processor.restore_counters(await asyncio.to_thread(self.state.counters))
        now, wall_now = self.clock(), self.wall_clock()
        for fall in falls:
            left = self.processor.restore_fall(fall.alert, detected_at=fall.detected_at,
                                               deadline_at=fall.deadline_at, now=now, wall_now=wall_now)
            logger.warning("%s: fall %s held by the previous run restored, %.1f s of its cancel window left",
                           fall.alert.wristband, fall.alert.event_id, left)
        for press in presses:
            self.processor.restore_itag_press(press.wristband, pressed_at=press.pressed_at, now=now,
                                              wall_now=wall_now)
        return len(falls)

    async def run(self) -> None:
        """Consume forever (cancel to stop, then call :meth:`drain`)."""
        next_flush = self.clock() + self.batch_interval
        while True:
            deadline = min(next_flush, self.processor.next_deadline() or math.inf)
            note = await self._next(max(0.0, deadline - self.clock()))
            if note is not None:
                self.processed += 1
                await self._dispatch(self.processor.handle(note, self.clock()))
            await self._dispatch(self.processor.due(self.clock()))
            if self.clock() >= next_flush:
                await self._retry_failed()
                self._store_counters_in_background()
                self._post_in_background()
                next_flush = self.clock() + self.batch_interval

    def _store_counters_in_background(self) -> None:
        """Hand the frame counters that went up to a writing task (unless one is still writing): the
        forwarder keeps taking notifications meanwhile."""
        if self.state is None or (self._counting is not None and not self._counting.done()):
            return
        counters = self.processor.take_counters()
        if counters:
            self._counting = asyncio.create_task(self._store_counters(counters), name="bridge-store-counters")

    async def _store_counters(self, counters: dict[tuple[str, str], int]) -> None:
        """Write frame counters (a failure gives them back for the next time)."""
        assert self.state is not None
        try:
            await asyncio.to_thread(self.state.store_counters, counters)
        except Exception:
            logger.exception("could not store %d frame counter(s); trying again", len(counters))
            self.processor.give_back_counters(counters)

    async def _next(self, timeout: float) -> Notification | Advert | None:
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
        if self._counting is not None:
            await self._counting
        self._store_counters_in_background()
        if self._counting is not None:
            await self._counting
        await self.flush()

    async def _dispatch(self, outputs: list[Output]) -> None:
        for index, output in enumerate(outputs):
            if isinstance(output, ReadingOut):
                self._readings.append(output)
                continue
            if any(f.event_id == output.event_id for f in self._failed):
                self._failed.append(output)  # keep the order of one event's steps behind its failed step
                continue
            try:
                stored = await self._apply(output)
            except asyncio.CancelledError:
                # Stopped mid-way (bridge.stop): keep this step and the rest for drain(); every store is
                # idempotent, so storing this one again is harmless.
                rest = outputs[index:]
                self._failed.extend(o for o in rest if not isinstance(o, ReadingOut))
                self._readings.extend(o for o in rest if isinstance(o, ReadingOut))
                raise
            if not stored:
                self._failed.append(output)

    async def _apply(self, output: Pending) -> bool:
        """Hand one output to the portal client or the state file; False when it could not be stored."""
        try:
            await asyncio.to_thread(self._store, output)
        except Exception:  # a failing outbox / state file must not stop the bridge; retried at next flush
            logger.exception("%s: could not store %s", output.wristband, output)
            return False
        if isinstance(output, AlertOut | CancelOut | CheckInOut):
            logger.info("%s: queued %s", output.wristband, output)
        return True

    def _store(self, output: Pending) -> None:
        """Blocking: one outbox or state-file write (runs in a worker thread)."""
        if isinstance(output, AlertOut):
            self.portal.raise_alert(alert_request(output))
        elif isinstance(output, CheckInOut):
            self._check_in(output)
        elif isinstance(output, CancelOut):
            self.portal.cancel_alert(output.event_id, reason=output.reason)
        elif self.state is None:
            return
        elif isinstance(output, FallHeld):
            self.state.hold_fall(output.alert, detected_at=output.detected_at, deadline_at=output.deadline_at)
        elif isinstance(output, FallSettled):
            self.state.settle_fall(output.event_id)
        else:
            self.state.note_itag_press(output.wristband, event_id=output.event_id, pressed_at=output.pressed_at)

    def _check_in(self, output: CheckInOut) -> None:
        if self.checkins is None:
            self.check_ins_not_forwarded += 1
            logger.warning("%s: check-in (double press) at %s heard by %s; this bridge has no check-in route to "
                           "forward it to", output.wristband, output.occurred_at.isoformat(), output.radio)
            return
        self.checkins.check_in(checkin_request(output))

    async def flush(self) -> None:
        """Retry outputs that failed to store (in order), then post the batched readings and wait."""
        await self._retry_failed()
        if self._posting is not None:
            await self._posting  # an earlier interval's batches first
        self._post_in_background()
        if self._posting is not None:
            await self._posting

    async def _retry_failed(self) -> None:
        retry, self._failed = self._failed, []
        await self._dispatch(list(retry))

    def _post_in_background(self) -> None:
        """Hand the readings gathered so far to a posting task (unless one is still writing)."""
        if not self._readings or (self._posting is not None and not self._posting.done()):
            return
        readings, self._readings = self._readings, []
        self._posting = asyncio.create_task(self._post(readings), name="bridge-post-readings")

    async def _post(self, readings: list[ReadingOut]) -> None:
        """Queue ``readings`` in batches of at most MAX_BATCH_READINGS; keep the rest on failure."""
        for start in range(0, len(readings), MAX_BATCH_READINGS):
            batch = readings[start:start + MAX_BATCH_READINGS]
            try:
                await asyncio.to_thread(self._post_batch, batch)
            except Exception:
                logger.exception("could not queue %d readings; keeping them for the next batch", len(batch))
                held = readings[start:] + self._readings
                if len(held) > MAX_HELD_READINGS:
                    logger.warning("dropping %d oldest readings", len(held) - MAX_HELD_READINGS)
                    held = held[-MAX_HELD_READINGS:]
                self._readings = held
                return
            logger.debug("queued %d readings", len(batch))

    def _post_batch(self, batch: list[ReadingOut]) -> None:
        """Blocking: one reading batch into the outbox (runs in a worker thread)."""
        self.portal.post_readings([reading_request(r) for r in batch])
