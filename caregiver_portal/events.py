"""Live-board fan-out: new alert timeline rows reach every subscriber of this process.

The timeline table is the event log. One poller per process reads rows it has not seen
and hands them to subscriber queues. A service that commits in this process wakes the
poller at once; other processes' rows are found by the periodic poll and, on PostgreSQL,
at once through LISTEN/NOTIFY: every flush that inserts timeline rows also runs
``pg_notify(NOTIFY_CHANNEL, '<ids>')`` in the same transaction (PostgreSQL delivers it at
commit, and drops it on rollback), and each process's hub LISTENs with a psycopg 3
``AsyncConnection.notifies()`` loop that wakes the poller. The payload carries only ids;
the table stays the source of truth, so a missed notification costs one poll interval.
Browsers resume with ``Last-Event-ID``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, sessionmaker

from caregiver_portal.models import AlertEvent

log = logging.getLogger(__name__)
NOTIFY_CHANNEL = "anxin_alert_events"
NOTIFY_PAYLOAD_LIMIT = 7000  # PostgreSQL refuses payloads of 8000 bytes or more
LISTEN_RETRY_S = 2.0
KEEPALIVE_S = 15.0
SSE_PING = b": ping\n\n"

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

    @cached_property
    def sse(self) -> bytes:
        """The event as one server-sent-event message, encoded once and shared by every board."""
        data = json.dumps({"alert_id": self.alert_id, "type": self.type}, separators=(",", ":"))
        return f"id: {self.id}\nevent: alert\ndata: {data}\n\n".encode()


# When rows of one alert are merged, the message carries the most significant type.
SIGNIFICANCE = {"raised": 0, "escalated": 1, "reminded": 2, "accepted": 3, "resolved": 3, "cancelled": 3}


def coalesce(events: Iterable[BoardEvent]) -> list[BoardEvent]:
    """One message per alert per poll: its newest id, typed by its most significant row.

    A board re-fetches the whole card on any message, so the rows of one escalation step
    ("escalated" + "notified") need one message, not one each; the type stays "raised" or
    "escalated" so the board can still play its sound for them.
    """
    latest: dict[int, BoardEvent] = {}
    kind: dict[int, str] = {}
    for event in sorted(events, key=lambda e: e.id):
        latest[event.alert_id] = event
        previous = kind.get(event.alert_id)
        if previous is None or SIGNIFICANCE.get(event.type, 9) < SIGNIFICANCE.get(previous, 9):
            kind[event.alert_id] = event.type
    merged = [replace(e, type=kind[e.alert_id]) if kind[e.alert_id] != e.type else e for e in latest.values()]
    return sorted(merged, key=lambda e: e.id)


async def board_stream(hub: EventHub, *, site_id: int | None, missed: Iterable[BoardEvent] = (),
                       keepalive_s: float = KEEPALIVE_S) -> AsyncIterator[bytes]:
    """A lean SSE byte stream for one board: replayed events, "ready", then live events and pings.

    Each live event is encoded once (:attr:`BoardEvent.sse`) for all boards; serve it with
    ``StreamingResponse(..., media_type="text/event-stream")``. It costs a fraction of a
    per-message ``ServerSentEvent`` (see docs/benchmarks.md, "Portal").
    """
    queue = hub.subscribe()
    try:
        for event in missed:
            if site_id is None or event.site_id == site_id:
                yield event.sse
        yield f"event: ready\ndata: {json.dumps({'subscribers': hub.subscriber_count})}\n\n".encode()
        while True:
            try:
                async with asyncio.timeout(keepalive_s):
                    event = await queue.get()
            except TimeoutError:
                yield SSE_PING
                continue
            if site_id is None or event.site_id == site_id:
                yield event.sse
    finally:
        hub.unsubscribe(queue)


def _notify_new_events(session: Session, _context: Any) -> None:
    ids = [str(obj.id) for obj in session.new if isinstance(obj, AlertEvent) and obj.id is not None]
    if not ids or session.get_bind().dialect.name != "postgresql":
        return
    payload = ",".join(ids)
    if len(payload) > NOTIFY_PAYLOAD_LIMIT:
        payload = ids[-1]  # listeners only need a wake-up; the table has the rest
    session.connection().execute(text("SELECT pg_notify(:channel, :payload)"),
                                 {"channel": NOTIFY_CHANNEL, "payload": payload})


def enable_notify() -> None:
    """Make every session NOTIFY new timeline ids on PostgreSQL (idempotent, process-wide)."""
    if not sa_event.contains(Session, "after_flush", _notify_new_events):
        sa_event.listen(Session, "after_flush", _notify_new_events)


def reader_engine(engine: Engine) -> Engine:
    """An engine for reads that never wait for writers: on SQLite, WAL readers without the
    ``BEGIN IMMEDIATE`` of the main engine (which would queue every poll behind the write lock)
    and with ``PRAGMA query_only``; on PostgreSQL the main engine itself."""
    if engine.dialect.name != "sqlite":
        return engine
    reader = create_engine(engine.url, connect_args={"check_same_thread": False, "timeout": 15})

    @sa_event.listens_for(reader, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    return reader


def listen_url(engine: Engine) -> str | None:
    """The libpq URL a psycopg listener connection uses, or None when the database is not PostgreSQL."""
    if engine.dialect.name != "postgresql":
        return None
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


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

    def __init__(self, session_factory: sessionmaker[Session], *, poll_interval_s: float = 0.5,
                 listen_url: str | None = None) -> None:
        self._factory = session_factory
        self._poll_interval_s = poll_interval_s
        self._listen_url = listen_url
        self.listening = False
        """True while the PostgreSQL LISTEN connection is up."""
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
        """Poll (and listen, on PostgreSQL) until cancelled; a failed poll is logged and retried."""
        self._loop = asyncio.get_running_loop()
        listener = asyncio.create_task(self._listen(), name="live-board-listen") if self._listen_url else None
        try:
            await self._poll_forever()
        finally:
            if listener is not None:
                listener.cancel()
                await asyncio.gather(listener, return_exceptions=True)

    async def _listen(self) -> None:
        """Wake the poller on every NOTIFY; reconnect after a lost connection."""
        import psycopg  # only PostgreSQL deployments need it

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._listen_url or "", autocommit=True) as conn:
                    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.listening = True
                    self._wake.set()  # catch up on whatever was committed while not listening
                    async for _notify in conn.notifies():
                        self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("live-board LISTEN connection failed (%s); polling until it is back", exc)
            finally:
                self.listening = False
            await asyncio.sleep(LISTEN_RETRY_S)

    async def _poll_forever(self) -> None:
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
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
                # that arrives as the event is set, and the portal would then never shut down.
                async with asyncio.timeout(self._poll_interval_s):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                events = await asyncio.to_thread(self._poll)
            except Exception:
                log.exception("live-board poll failed; retrying")
                await asyncio.sleep(self._poll_interval_s)
                continue
            for event in coalesce(events):
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
