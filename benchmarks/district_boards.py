"""The district's live boards, run in a process of their own so that their event loop is not the load's.

Each board is one raw asyncio TLS connection through nginx reading ``/board/events`` line by line (a
browser's EventSource costs the server the same; a raw socket costs this process far less than an HTTP
library). After a cut it waits about a second (as a browser does, with jitter) and resumes with
``Last-Event-ID``. It records when each alert's "raised" event reached it, every alert it heard of (the
per-site isolation check), and how long each reconnection took, up to the "ready" event. With
``fetch_cards`` it also does what board.js does on every event: GET the alert's card, over a second
keep-alive connection of its own, and records how long event -> card took.
"""

from __future__ import annotations

import asyncio
import random
import re
import resource
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

ALERT = re.compile(rb'"alert_id":\s*(\d+),\s*"type":\s*"(\w+)"')
RECONNECT_S = (0.5, 1.5)


@dataclass(frozen=True)
class FleetSpec:
    """What the boards process needs: where, how many per site, each site's signed-in cookie."""

    host: str
    port: int
    server_name: str
    ca_file: str
    boards_per_site: int
    cookies: tuple[str, ...]
    """One ``Cookie`` header value per site, in site order."""
    fetch_cards: bool = False


@dataclass
class BoardLog:
    """What one board saw."""

    site: int
    raised: dict[int, float] = field(default_factory=dict)
    """alert id -> time.monotonic() of its "raised" event."""
    heard: set[int] = field(default_factory=set)
    reconnects: list[float] = field(default_factory=list)
    """Seconds from a cut to the next "ready"."""
    connected: bool = False
    cards: list[float] = field(default_factory=list)
    """Seconds from an event to its card fetched (with ``fetch_cards``)."""
    card_errors: int = 0


class CardFetcher:
    """Fetches cards one after another over one keep-alive TLS connection, as a browser tab would."""

    def __init__(self, spec: FleetSpec, log: BoardLog, context: ssl.SSLContext) -> None:
        self.spec, self.log, self.context = spec, log, context
        self.queue: asyncio.Queue[tuple[int, float]] = asyncio.Queue()
        self.connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def run(self) -> None:
        """Fetch every queued card until cancelled."""
        while True:
            alert_id, heard_at = await self.queue.get()
            try:
                await self.fetch(alert_id)
                self.log.cards.append(time.monotonic() - heard_at)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, ValueError):
                self.log.card_errors += 1
                self.connection = None

    async def fetch(self, alert_id: int) -> None:
        """GET one card and read its body (Content-Length)."""
        if self.connection is None:
            self.connection = await asyncio.open_connection(self.spec.host, self.spec.port, ssl=self.context,
                                                            server_hostname=self.spec.server_name)
        reader, writer = self.connection
        writer.write(f"GET /board/alerts/{alert_id}/card HTTP/1.1\r\nHost: {self.spec.server_name}:{self.spec.port}"
                     f"\r\nCookie: {self.spec.cookies[self.log.site]}\r\n\r\n".encode())
        status = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await reader.readexactly(length)
        if b" 200 " not in status:
            raise ConnectionError(status.decode(errors="replace"))


async def follow(spec: FleetSpec, log: BoardLog, context: ssl.SSLContext, stop: asyncio.Event) -> None:
    """Follow one board's stream until ``stop``."""
    cards = CardFetcher(spec, log, context) if spec.fetch_cards else None
    fetching = asyncio.create_task(cards.run()) if cards is not None else None
    try:
        await _follow(spec, log, context, stop, cards)
    finally:
        if fetching is not None:
            fetching.cancel()


async def _follow(spec: FleetSpec, log: BoardLog, context: ssl.SSLContext, stop: asyncio.Event,
                  cards: CardFetcher | None) -> None:
    last_id = 0
    cut_at: float | None = None
    while not stop.is_set():
        writer = None
        try:
            reader, writer = await asyncio.open_connection(spec.host, spec.port, ssl=context,
                                                           server_hostname=spec.server_name)
            resume = f"Last-Event-ID: {last_id}\r\n" if last_id else ""
            writer.write(f"GET /board/events HTTP/1.1\r\nHost: {spec.server_name}:{spec.port}\r\n"
                         f"Cookie: {spec.cookies[log.site]}\r\nAccept: text/event-stream\r\n{resume}\r\n".encode())
            status = await reader.readline()
            if b" 200 " not in status:
                raise ConnectionError(status.decode(errors="replace"))
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            while line := await reader.readline():  # chunk-size lines are skipped like any unknown line
                if line.startswith(b"id: "):
                    last_id = max(last_id, int(line[4:]))
                elif line.startswith(b"data: ") and (match := ALERT.search(line)):
                    alert_id = int(match.group(1))
                    log.heard.add(alert_id)
                    if match.group(2) == b"raised" and alert_id not in log.raised:
                        log.raised[alert_id] = time.monotonic()
                    if cards is not None:
                        cards.queue.put_nowait((alert_id, time.monotonic()))
                elif line.startswith(b"event: ready"):
                    log.connected = True
                    if cut_at is not None:
                        log.reconnects.append(time.monotonic() - cut_at)
                        cut_at = None
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, ValueError):
            pass
        finally:
            if writer is not None:
                writer.close()
        if log.connected and cut_at is None and not stop.is_set():
            cut_at = time.monotonic()
        log.connected = False
        await asyncio.sleep(random.uniform(*RECONNECT_S))


async def run_fleet(spec: FleetSpec, control: Any, results: Any) -> None:
    """Connect every board, say how many are ready, and follow them until ``control`` says stop."""
    context = ssl.create_default_context(cafile=spec.ca_file)
    logs = [BoardLog(site=site) for site in range(len(spec.cookies)) for _ in range(spec.boards_per_site)]
    stop = asyncio.Event()
    tasks = []
    for log in logs:
        tasks.append(asyncio.create_task(follow(spec, log, context, stop)))
        await asyncio.sleep(0.002)  # a gentle ramp: 2,000 TLS handshakes at once would starve the portal
    while True:
        control.ready.value = sum(log.connected for log in logs)
        if control.stop.is_set():
            break
        await asyncio.sleep(0.5)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results.put({"boards": [(log.site, log.raised, log.heard, log.reconnects) for log in logs],
                 "cards": [seconds for log in logs for seconds in log.cards],
                 "card_errors": sum(log.card_errors for log in logs),
                 "cpu_s": usage.ru_utime + usage.ru_stime})


def fleet_main(spec: FleetSpec, control: Any, results: Any) -> None:
    """Entry point of the boards process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(run_fleet(spec, control, results))
