"""Reading batches stay under the portal's request limits however many bands a bridge serves."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from tests.wearable.fakes import RecordingPortal
from wearable.events import EventProcessor, ReadingOut
from wearable.forwarder import MAX_BATCH_READINGS, Forwarder

T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


async def test_large_interval_is_posted_in_batches_the_portal_accepts(portal: RecordingPortal) -> None:
    forwarder = Forwarder(portal, EventProcessor(), asyncio.Queue(), batch_interval=5.0)
    readings = [ReadingOut(f"F0:00:00:00:{i // 256:02X}:{i % 256:02X}", "heart_rate", 70.0, T0) for i in range(2500)]
    await forwarder._dispatch(list(readings))
    await forwarder.flush()
    assert [len(b) for b in portal.batches] == [MAX_BATCH_READINGS, MAX_BATCH_READINGS, 500]
    assert MAX_BATCH_READINGS * 110 < 1_000_000 and MAX_BATCH_READINGS <= 5000  # the portal's limits
    assert [r["wristband"] for r in portal.readings] == [r.wristband for r in readings]  # order kept
