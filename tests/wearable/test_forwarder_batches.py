"""Reading batches: within the portal's request limits, kept when they cannot be queued, written
without stopping the forwarder."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any

from tests.wearable.fakes import RecordingPortal, wait_until
from wearable import uuids
from wearable.events import EventProcessor, Notification, ReadingOut
from wearable.forwarder import MAX_BATCH_READINGS, Forwarder
from wearable.keys import Enrolment, Scheme

T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


async def test_large_interval_is_posted_in_batches_the_portal_accepts(portal: RecordingPortal) -> None:
    forwarder = Forwarder(portal, EventProcessor(), asyncio.Queue(), batch_interval=5.0)
    readings = [ReadingOut(f"F0:00:00:00:{i // 256:02X}:{i % 256:02X}", "heart_rate", 70.0, T0) for i in range(2500)]
    await forwarder._dispatch(list(readings))
    await forwarder.flush()
    assert [len(b) for b in portal.batches] == [MAX_BATCH_READINGS, MAX_BATCH_READINGS, 500]
    assert MAX_BATCH_READINGS * 110 < 1_000_000 and MAX_BATCH_READINGS <= 5000  # the portal's limits
    assert [r["wristband"] for r in portal.readings] == [r.wristband for r in readings]  # order kept


async def test_readings_that_could_not_be_queued_are_kept_for_the_next_interval(portal: RecordingPortal) -> None:
    forwarder = Forwarder(portal, EventProcessor(), asyncio.Queue(), batch_interval=5.0)
    first = [ReadingOut("F0:00:00:00:00:01", "heart_rate", float(v), T0) for v in range(1500)]
    await forwarder._dispatch(list(first))
    portal.fail_readings = 1
    await forwarder.flush()
    assert portal.batches == []
    later = ReadingOut("F0:00:00:00:00:01", "spo2", 97.0, T0)
    await forwarder._dispatch([later])
    await forwarder.flush()
    assert [r["value"] for r in portal.readings] == [float(v) for v in range(1500)] + [97.0]


async def test_forwarder_keeps_taking_notifications_while_batches_are_written(portal: RecordingPortal) -> None:
    queue: asyncio.Queue[Notification] = asyncio.Queue()
    processor = EventProcessor(enrolments=[Enrolment("F0:00:00:00:00:01", Scheme.ITAG)])
    forwarder = Forwarder(portal, processor, queue, batch_interval=0.01)  # type: ignore[arg-type]
    await forwarder._dispatch([ReadingOut("F0:00:00:00:00:01", "heart_rate", 70.0, T0)] * 5000)
    writing = threading.Event()
    release = threading.Event()
    original = portal.post_readings

    def slow_post(readings: list[dict[str, Any]]) -> str:
        writing.set()
        release.wait(60)  # a slow disk, until the SOS went past it
        return original(readings)

    portal.post_readings = slow_post  # type: ignore[method-assign]
    task = asyncio.create_task(forwarder.run())
    await asyncio.to_thread(writing.wait, 60)
    for _ in range(3):
        queue.put_nowait(Notification("F0:00:00:00:00:01", uuids.ITAG_BUTTON, b"\x01", T0))
    await wait_until(lambda: queue.empty(), what="notifications taken during the write")
    assert portal.alerts_of("sos")  # an SOS did not wait for the reading batches
    release.set()
    await wait_until(lambda: len(portal.readings) == 5000, what="all batches written")
    task.cancel()
