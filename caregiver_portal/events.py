"""Live-board fan-out: new alert timeline rows reach every subscriber of this process.

The timeline table is the event log. One poller per process reads rows it has not seen
and hands them to subscriber queues. A service that commits in this process wakes the
poller at once; other processes' rows are found by the periodic poll (and, on
PostgreSQL, by LISTEN/NOTIFY when enabled). Browsers resume with ``Last-Event-ID``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from caregiver_portal.models import AlertEvent

log = logging.getLogger(__name__)

# Ids are allocated before commit, so on PostgreSQL a row with a smaller id can become
# visible after a larger one: look back this many ids and skip the ones already seen.
LOOKBACK_IDS = 200
SUBSCRIBER_QUEUE_SIZE = 1000


@dataclass(frozen=True)
class BoardEvent:
    """A change of one alert, as streamed to live boards."""

    id: int
    alert_id: int
    site_id: int
    type: str


def fetch_events_after(session: Session, after_id: int, *, limit: int = 500) -> list[BoardEvent]:
    """Timeline rows with an id above ``after_id``, oldest first."""
    rows = session.execute(
        select(AlertEvent.id, AlertEvent.alert_id, AlertEvent.site_id, AlertEvent.type)
        .where(AlertEvent.id > after_id)
        .order_by(AlertEvent.id)
        .limit(limit)
    )
    return [BoardEvent(*row) for row in rows]


class EventHub:
    """Polls the timeline and broadcasts new rows to asyncio subscriber queues."""

    def __init__(self, session_factory: sessionmaker[Session], *, poll_interval_s: float = 0.5) -> None:
        self._factory = session_factory
        self._poll_interval_s = poll_interval_s
        self._subscribers: set[asyncio.Queue[BoardEvent]] = set()
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._cursor = 0
        self._seen: deque[int] = deque(maxlen=4 * LOOKBACK_IDS)
        self._seen_set: set[int] = set()

    def wake(self) -> None:
        """Ask the poller to look now (callable from any thread)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    def subscribe(self) -> asyncio.Queue[BoardEvent]:
        """A queue receiving every new board event from now on."""
        queue: asyncio.Queue[BoardEvent] = asyncio.Queue(maxsize=SUBSCRIBER_QUEUE_SIZE)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[BoardEvent]) -> None:
        """Stop delivering to ``queue``."""
        self._subscribers.discard(queue)

    @property
    def subscriber_count(self) -> int:
        """How many live boards this process serves."""
        return len(self._subscribers)

    async def run(self) -> None:
        """Poll until cancelled; one failed poll is logged and retried, never fatal."""
        self._loop = asyncio.get_running_loop()
        while True:  # the database may be locked or down at start: keep trying
            try:
                self._cursor = await asyncio.to_thread(self._max_id)
                await asyncio.to_thread(self._poll)  # mark what is already stored as seen
                break
            except Exception:
                log.exception("live-board hub cannot read the timeline yet; retrying")
                await asyncio.sleep(self._poll_interval_s)
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_interval_s)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                events = await asyncio.to_thread(self._poll)
            except Exception:
                log.exception("live-board poll failed; retrying")
                await asyncio.sleep(self._poll_interval_s)
                continue
            for event in events:
                self._broadcast(event)

    def _max_id(self) -> int:
        with self._factory() as session:
            return int(session.scalar(select(func.max(AlertEvent.id))) or 0)

    def _poll(self) -> list[BoardEvent]:
        with self._factory() as session:
            candidates = fetch_events_after(session, max(0, self._cursor - LOOKBACK_IDS))
        fresh = [event for event in candidates if event.id not in self._seen_set]
        for event in fresh:
            if len(self._seen) == self._seen.maxlen:
                self._seen_set.discard(self._seen[0])
            self._seen.append(event.id)
            self._seen_set.add(event.id)
            self._cursor = max(self._cursor, event.id)
        return fresh

    def _broadcast(self, event: BoardEvent) -> None:
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                log.warning("a live board is not reading its events; dropping it")
                self._subscribers.discard(queue)
