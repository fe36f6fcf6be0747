"""Live fan-out: new rows of an event table reach every subscriber of this process as server-sent events.

A *feed* (:class:`Feed`) names the table whose rows are the events and reads them; the alert
timeline is the portal's feed (:mod:`caregiver_portal.alerts.live`). One poller per process
(:class:`EventHub`) reads rows it has not seen and hands them, encoded once per audience, to the
boards' mailboxes (:mod:`caregiver_portal.core.fanout`). A commit
in this process that inserted feed rows wakes the poller at once (:meth:`EventHub.follow_commits`);
other processes' rows are found by the periodic poll and, on PostgreSQL, at once through
LISTEN/NOTIFY: every flush that inserts feed rows also runs ``pg_notify(<feed channel>, '<ids>')``
in the same transaction (PostgreSQL delivers it at commit, and drops it on rollback), and each
process's hub LISTENs with a psycopg 3 ``AsyncConnection.notifies()`` loop that wakes the poller.
The payload carries only ids; the table stays the source of truth, so a missed notification costs
one poll interval. Browsers resume with ``Last-Event-ID``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from caregiver_portal.core.fanout import (
    Audiences,
    LiveEvent,
    LiveStream,
    Mailbox,
    encode_for_audiences,
    ready_message,
    replay_for,
)

log = logging.getLogger(__name__)
NOTIFY_PAYLOAD_LIMIT = 7000  # PostgreSQL refuses payloads of 8000 bytes or more
LISTEN_RETRY_S = 2.0
KEEPALIVE_S = 15.0

# Ids are allocated before commit, so on PostgreSQL a row with a smaller id can become
# visible after a larger one: look back this many ids and skip the ones already seen.
LOOKBACK_IDS = 200
E = TypeVar("E", bound=LiveEvent)


class Feed(Protocol[E]):
    """An event table: its model (rows with an increasing ``id``), its NOTIFY channel, how to read and merge rows."""

    model: type[Any]
    channel: str

    def read_after(self, session: Session, after_id: int, *, limit: int = 500) -> list[E]:
        """Rows with an id above ``after_id``, oldest first, as events."""
        ...

    def merge(self, events: Iterable[E]) -> list[E]:
        """The events of one poll as the messages to send (e.g. one per subject)."""
        ...

    def event_of(self, row: Any) -> E:
        """The event of a row just flushed (an instance of ``model`` with its id)."""
        ...


def enable_notify(feed: Feed[Any]) -> None:
    """Make every session NOTIFY the ids of new ``feed`` rows on PostgreSQL (idempotent, process-wide)."""
    if feed.channel in _NOTIFYING:
        return
    _NOTIFYING.add(feed.channel)

    def notify_new_rows(session: Session, _context: Any) -> None:
        ids = [str(obj.id) for obj in session.new if isinstance(obj, feed.model) and obj.id is not None]
        if not ids or session.get_bind().dialect.name != "postgresql":
            return
        payload = ",".join(ids)
        if len(payload) > NOTIFY_PAYLOAD_LIMIT:
            payload = ids[-1]  # listeners only need a wake-up; the table has the rest
        session.connection().execute(text("SELECT pg_notify(:channel, :payload)"),
                                     {"channel": feed.channel, "payload": payload})

    sa_event.listen(Session, "after_flush", notify_new_rows)


_NOTIFYING: set[str] = set()


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


class EventHub(Generic[E]):
    """Polls a feed and broadcasts its new rows to asyncio subscriber queues."""

    def __init__(self, session_factory: sessionmaker[Session], *, feed: Feed[E], poll_interval_s: float = 0.5,
                 listen_url: str | None = None, keepalive_s: float = KEEPALIVE_S) -> None:
        self._factory = session_factory
        self._feed = feed
        self._poll_interval_s = poll_interval_s
        self._listen_url = listen_url
        self._keepalive_s = keepalive_s
        self.listening = False
        """True while the PostgreSQL LISTEN connection is up."""
        self._audiences = Audiences()
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._cursor = 0
        self._seen: deque[int] = deque(maxlen=4 * LOOKBACK_IDS)
        self._seen_set: set[int] = set()

    def wake(self) -> None:
        """Ask the poller to look now (callable from any thread)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    def follow_commits(self, factory: sessionmaker[Session]) -> None:
        """Publish the feed rows of every commit, by a session of ``factory``, that inserted some.

        A flush that inserts feed rows notes them on its session as events (:meth:`Feed.event_of`, while
        their values are at hand); the commit hands them to :meth:`publish`, so the boards get them
        without a database read. A savepoint rolled back after such a flush may have taken some of
        them away: then the commit only wakes the poller, which reads what was really stored. The
        end of the outermost transaction drops the note, so a rollback publishes nothing. So no
        service or route tells the hub by hand.
        """
        feed, written = self._feed, f"anxin.live_feed_written:{self._feed.channel}"  # one note per feed

        def note(session: Session, _context: Any) -> None:
            rows = [feed.event_of(obj) for obj in session.new if isinstance(obj, feed.model)]
            if rows:
                noted = session.info.setdefault(written, [])
                if noted is not None:
                    noted.extend(rows)

        def forget_on_savepoint_rollback(session: Session, _previous: SessionTransaction) -> None:
            if written in session.info:
                session.info[written] = None  # unknown now: let the poller read the table

        def publish_noted(session: Session) -> None:
            if written in session.info:
                self.publish(session.info.pop(written))

        def forget(session: Session, transaction: SessionTransaction) -> None:
            if transaction.parent is None:
                session.info.pop(written, None)

        sa_event.listen(factory, "after_flush", note)
        sa_event.listen(factory, "after_soft_rollback", forget_on_savepoint_rollback)
        sa_event.listen(factory, "after_commit", publish_noted)
        sa_event.listen(factory, "after_transaction_end", forget)

    def publish(self, events: Sequence[E] | None) -> None:
        """Deliver ``events`` just committed in this process (callable from any thread); None: poll now instead."""
        if events is None:
            self.wake()
        elif self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._deliver_fresh, events)

    def subscribe(self, site_id: int | None) -> Mailbox:
        """A mailbox receiving, from now on, the encoded events of ``site_id`` (None: of every site)."""
        mailbox = Mailbox(site_id)
        self._audiences.add(mailbox)
        return mailbox

    def unsubscribe(self, mailbox: Mailbox) -> None:
        """Stop delivering to ``mailbox``."""
        mailbox.close()
        self._audiences.discard(mailbox)

    @property
    def subscriber_count(self) -> int:
        """How many live boards this process serves."""
        return len(self._audiences)

    async def stream(self, *, site_id: int | None, replay: Callable[[], Sequence[E]] | None = None) -> LiveStream:
        """The SSE response of a new board of ``site_id``: the events ``replay`` reads (missed ones, of any
        site: those of other sites are left out here), "ready", then live events and pings.

        The board subscribes before ``replay`` reads (in a worker thread), so no event falls between
        the two; one committed meanwhile may come twice, which a board shrugs off (it re-reads the card).
        """
        mailbox = self.subscribe(site_id)
        try:
            missed = await asyncio.to_thread(replay) if replay is not None else ()
        except BaseException:
            self.unsubscribe(mailbox)
            raise
        return LiveStream(self._audiences, mailbox, replay_for(site_id, missed) + ready_message(self.subscriber_count))

    async def run(self) -> None:
        """Poll (and listen, on PostgreSQL) until cancelled; a failed poll is logged and retried."""
        self._loop = asyncio.get_running_loop()
        helpers = [asyncio.create_task(self._keep_alive(), name="live-board-pings")]
        if self._listen_url:
            helpers.append(asyncio.create_task(self._listen(), name="live-board-listen"))
        try:
            await self._poll_forever()
        finally:
            for helper in helpers:
                helper.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)

    async def _keep_alive(self) -> None:
        """One timer pings every board (instead of a timer per board, re-armed at each event)."""
        while True:
            await asyncio.sleep(self._keepalive_s)
            self._audiences.ping()

    async def _listen(self) -> None:
        """Wake the poller on every NOTIFY; reconnect after a lost connection."""
        import psycopg  # only PostgreSQL deployments need it

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._listen_url or "", autocommit=True) as conn:
                    await conn.execute(f"LISTEN {self._feed.channel}")
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
                self._fresh(await asyncio.to_thread(self._read))  # mark what is already stored as seen
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
                candidates = await asyncio.to_thread(self._read)
            except Exception:
                log.exception("live-board poll failed; retrying")
                await asyncio.sleep(self._poll_interval_s)
                continue
            self._deliver_fresh(candidates)

    def _max_id(self) -> int:
        with self._factory() as session:
            return int(session.scalar(select(func.max(self._feed.model.id))) or 0)

    def _read(self) -> list[E]:
        """The rows from a little before the newest seen (a worker thread's part of a poll)."""
        with self._factory() as session:
            return self._feed.read_after(session, max(0, self._cursor - LOOKBACK_IDS))

    def _deliver_fresh(self, candidates: Sequence[E]) -> None:
        """Deliver those of ``candidates`` not delivered before (polled, or published by a commit)."""
        fresh = self._fresh(candidates)
        if fresh:
            self.deliver(self._feed.merge(fresh))

    def _fresh(self, candidates: Sequence[E]) -> list[E]:
        """Those of ``candidates`` not seen before, now marked seen (on the event loop only)."""
        fresh = [event for event in candidates if event.id not in self._seen_set]
        for event in fresh:
            if len(self._seen) == self._seen.maxlen:
                self._seen_set.discard(self._seen[0])
            self._seen.append(event.id)
            self._seen_set.add(event.id)
            self._cursor = max(self._cursor, event.id)
        return fresh

    def deliver(self, events: Sequence[E]) -> None:
        """Hand the messages of one poll to every board that may see them: encoded once per audience."""
        self._audiences.deliver(encode_for_audiences(events))
