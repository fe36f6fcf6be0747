"""Fan-out of live events to the boards of one process, at a cost per board of one append and one write.

What a board sees is decided once per poll, not once per board: the events of a poll are
encoded once per *audience* (:func:`encode_for_audiences`: each site's own events, and all of
them for boards that see every site), and each board's mailbox (:class:`Mailbox`) receives its
audience's bytes. A board's response (:class:`LiveStream`) wakes once per poll, writes whatever
has piled up in one chunk and sleeps again: no filtering, encoding, database read or timer per
board per event. Keep-alive pings come from one timer for all boards (:meth:`Audiences.ping`).

Why this shape: at 1,000 boards the fixed cost of each per-board step (a queue, a timeout, a
generator, a ``StreamingResponse``) is paid 1,000 times per event; see docs/benchmarks.md,
"Alert POST → server-sent event".
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

log = logging.getLogger(__name__)
SSE_PING = b": ping\n\n"
EVERY_SITE = None
"""The audience key of boards that see every site (admins without a site)."""
MAILBOX_LIMIT = 1000
"""Chunks a board may leave unwritten before it is closed (its browser then reconnects and replays)."""
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class LiveEvent(Protocol):
    """What fan-out needs of an event: its row id (the SSE id), its site (boards see their own), its message."""

    @property
    def id(self) -> int: ...

    @property
    def site_id(self) -> int: ...

    @property
    def sse(self) -> bytes: ...


def encode_for_audiences(events: Iterable[LiveEvent]) -> dict[int | None, bytes]:
    """The messages of one poll, each encoded once and joined once per audience.

    Keys are site ids (that site's events, in the given order) and :data:`EVERY_SITE` (all of
    them); an audience without events has no key.
    """
    by_site: defaultdict[int, list[bytes]] = defaultdict(list)
    everything: list[bytes] = []
    for event in events:
        message = event.sse
        by_site[event.site_id].append(message)
        everything.append(message)
    chunks: dict[int | None, bytes] = {site: b"".join(messages) for site, messages in by_site.items()}
    if everything:
        chunks[EVERY_SITE] = b"".join(everything)
    return chunks


def ready_message(subscribers: int) -> bytes:
    """The message that tells a board its stream is live (after any replayed events)."""
    return f"event: ready\ndata: {json.dumps({'subscribers': subscribers})}\n\n".encode()


class Mailbox:
    """One board's unwritten messages; its response takes them all at once."""

    __slots__ = ("site_id", "_pending", "_waiter", "closed")

    def __init__(self, site_id: int | None) -> None:
        self.site_id = site_id
        """The board's audience: the site whose events it sees, or :data:`EVERY_SITE`."""
        self._pending: list[bytes] = []
        self._waiter: asyncio.Future[None] | None = None
        self.closed = False
        """True once the board is gone or fell too far behind; it then takes nothing more."""

    def put(self, chunk: bytes) -> bool:
        """Queue ``chunk`` for the board; False (and nothing queued) when the board is closed or too far behind."""
        if self.closed or len(self._pending) >= MAILBOX_LIMIT:
            return False
        self._pending.append(chunk)
        self._wake()
        return True

    def close(self) -> None:
        """Take nothing more; a waiting :meth:`take` returns what is left, then b""."""
        self.closed = True
        self._wake()

    async def take(self) -> bytes:
        """Everything queued since the last take, as one chunk; waits while there is nothing; b"" once closed."""
        while not self._pending:
            if self.closed:
                return b""
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        chunk = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        return chunk

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class Audiences:
    """The mailboxes of one hub, grouped by audience, so delivering a poll is one ``put`` per board."""

    def __init__(self) -> None:
        self._boards: defaultdict[int | None, set[Mailbox]] = defaultdict(set)

    def add(self, mailbox: Mailbox) -> None:
        """Deliver to ``mailbox`` from now on."""
        self._boards[mailbox.site_id].add(mailbox)

    def discard(self, mailbox: Mailbox) -> None:
        """Stop delivering to ``mailbox``."""
        boards = self._boards.get(mailbox.site_id)
        if boards is not None:
            boards.discard(mailbox)
            if not boards:
                del self._boards[mailbox.site_id]

    def __len__(self) -> int:
        return sum(len(boards) for boards in self._boards.values())

    def deliver(self, chunks: Mapping[int | None, bytes]) -> None:
        """Hand each audience its chunk (:func:`encode_for_audiences`); close boards that stopped reading."""
        for audience, chunk in chunks.items():
            boards = self._boards.get(audience)
            if boards:
                self._put(boards, chunk)

    def ping(self) -> None:
        """A keep-alive comment to every board (proxies and phones drop silent connections)."""
        for boards in list(self._boards.values()):
            self._put(boards, SSE_PING)

    def _put(self, boards: set[Mailbox], chunk: bytes) -> None:
        stalled = [mailbox for mailbox in boards if not mailbox.put(chunk)]
        for mailbox in stalled:
            log.warning("a live board is not reading its events; closing it (it reconnects and replays)")
            mailbox.close()
            self.discard(mailbox)


class LiveStream(Response):
    """The SSE response of one board: ``first`` (replayed events and "ready"), then its mailbox until it closes.

    Lighter than a ``StreamingResponse`` over an async generator: one await per poll that reached the
    board, no per-message timer. The board leaves ``audiences`` when the response ends, however it ends.
    """

    media_type = "text/event-stream"

    def __init__(self, audiences: Audiences, mailbox: Mailbox, first: bytes) -> None:
        self.status_code = 200
        self.background = None
        self.init_headers(SSE_HEADERS)
        self._audiences, self._mailbox, self._first = audiences, mailbox, first

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        mailbox = self._mailbox
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            await send({"type": "http.response.body", "body": self._first, "more_body": True})
            watcher = asyncio.create_task(_close_on_disconnect(receive, mailbox))
            try:
                while chunk := await mailbox.take():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            finally:
                watcher.cancel()
        finally:
            mailbox.close()
            self._audiences.discard(mailbox)


async def _close_on_disconnect(receive: Receive, mailbox: Mailbox) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    mailbox.close()


def replay_for(site_id: int | None, missed: Sequence[LiveEvent]) -> bytes:
    """The missed events a board of ``site_id`` may see, encoded for its stream."""
    return encode_for_audiences(missed).get(site_id, b"")
