"""Many live boards in one process: the load generator of the board benchmarks.

    .venv/bin/python -m benchmarks.sse_boards --url http://127.0.0.1:8000 --cookie 'anxin_session=…' --boards 1000

Run apart from the process that POSTs alerts, so that the time to parse 1,000 streams never
delays a POST or its clock. Each board is a bare ``asyncio.Protocol`` on its own socket: a
read is one ``bytes.find`` unless it holds a "raised" event, and its arrival time is taken
with ``time.monotonic()`` as the bytes come in (CLOCK_MONOTONIC: the same clock in every
process on the machine, so the POSTing process can subtract its own send time).

Talks over stdin/stdout, one JSON line each way:

- prints ``{"ready": N}`` once every board has read its ``event: ready``;
- reads ``{"expect": [alert ids]}``, waits until every board has seen each id raised (or 10 s),
  prints ``{"arrivals": {id: [monotonic times]}, "cpu_s": its CPU time so far, "lost": n, "stray": n,
  "problem": text or null}`` and reads the next command;
- reads ``{"stop": true}`` (or end of input) and closes every board.

``stray`` counts "raised" events for ids nobody expects (another site's alert, say); the
POSTing process decides whether that is a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import sys
import time
from collections import defaultdict
from urllib.parse import urlsplit

RAISED = re.compile(rb'"alert_id":\s*(\d+),\s*"type":\s*"raised"')
CONNECT_BATCH = 100
WAIT_FOR_ARRIVALS_S = 10.0


class Board(asyncio.Protocol):
    """One board's connection: sends the GET, then notes when each "raised" event arrives."""

    def __init__(self, request: bytes, arrivals: defaultdict[int, list[float]], boards: Boards) -> None:
        self._request = request
        self._arrivals = arrivals
        self._boards = boards
        self._tail = b""
        self._ready = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Send the request."""
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        """Note every complete "raised" event (messages end with a blank line; the rest waits for more)."""
        now = time.monotonic()
        data = self._tail + data
        if not self._ready and data.startswith(b"HTTP/") and not data.startswith(b"HTTP/1.1 200"):
            self._boards.failed(data[:200])
            return
        end = data.rfind(b"\n\n") + 2
        self._tail = data[end:] if end >= 2 else data
        if end < 2:
            return
        complete = data[:end]
        if not self._ready:
            if b"event: ready" in complete:
                self._ready = True
                self._boards.ready += 1
        if b'"raised"' in complete:
            for match in RAISED.finditer(complete):
                self._arrivals[int(match.group(1))].append(now)

    def connection_lost(self, exc: Exception | None) -> None:
        """A board the server closed is a failure unless we are stopping."""
        self._boards.lost_connection(exc)


class Boards:
    """All the boards and what they have seen."""

    def __init__(self, url: str, cookie: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.request = (f"GET /board/events HTTP/1.1\r\nHost: {parts.netloc}\r\nCookie: {cookie}\r\n"
                        "Accept: text/event-stream\r\n\r\n").encode()
        self.arrivals: defaultdict[int, list[float]] = defaultdict(list)
        self.ready = 0
        self.boards: list[Board] = []
        self.stopping = False
        self.problem: str | None = None

    def failed(self, head: bytes) -> None:
        """A board was refused."""
        self.problem = f"a board was refused: {head!r}"

    def lost_connection(self, exc: Exception | None) -> None:
        """Remember an unexpected close."""
        if not self.stopping:
            self.problem = f"the server closed a board ({exc})"

    async def connect(self, count: int) -> None:
        """Open ``count`` boards, ``CONNECT_BATCH`` at a time, and wait until each has read "ready"."""
        loop = asyncio.get_running_loop()
        for start in range(0, count, CONNECT_BATCH):
            batch = [loop.create_connection(lambda: Board(self.request, self.arrivals, self), self.host, self.port)
                     for _ in range(min(CONNECT_BATCH, count - start))]
            self.boards += [protocol for _transport, protocol in await asyncio.gather(*batch)]
        while self.ready < count:
            if self.problem:
                raise SystemExit(self.problem)
            await asyncio.sleep(0.02)

    async def collect(self, expected: list[int]) -> dict[str, object]:
        """Wait until every board has seen each expected alert (or the time is up); what they saw."""
        deadline = time.monotonic() + WAIT_FOR_ARRIVALS_S
        count = len(self.boards)
        while any(len(self.arrivals[i]) < count for i in expected) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        wanted = set(expected)
        result = {"arrivals": {str(i): self.arrivals[i] for i in expected}, "cpu_s": time.process_time(),
                  "lost": sum(max(0, count - len(self.arrivals[i])) for i in expected),
                  "stray": sum(len(times) for i, times in self.arrivals.items() if i not in wanted),
                  "problem": self.problem}
        self.arrivals.clear()
        return result

    def close(self) -> None:
        """Close every board."""
        self.stopping = True
        for board in self.boards:
            if board.transport is not None:
                board.transport.close()


async def serve(url: str, cookie: str, count: int) -> None:
    """Connect, announce readiness, then answer commands from stdin until told to stop."""
    boards = Boards(url, cookie)
    await boards.connect(count)
    print(json.dumps({"ready": boards.ready}), flush=True)
    loop = asyncio.get_running_loop()
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            command = json.loads(line)
            if command.get("stop"):
                break
            print(json.dumps(await boards.collect([int(i) for i in command["expect"]])), flush=True)
    finally:
        boards.close()


def raise_file_limit() -> None:
    """Allow as many sockets as the hard limit does (1,000 boards need more than the usual 1,024 soft limit)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main() -> None:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--cookie", required=True, help="the Cookie header every board sends")
    parser.add_argument("--boards", type=int, default=200)
    args = parser.parse_args()
    raise_file_limit()
    asyncio.run(serve(args.url, args.cookie, args.boards))


if __name__ == "__main__":
    main()
