"""The bare baseline of the board benchmark: Starlette + SQLite + SSE and nothing else.

    .venv/bin/python -m benchmarks.portal_sse_lean --port 8001 --database /tmp/base.sqlite3 --token T

It answers the two requests the benchmark makes the way a minimal server would:

- ``POST /api/v1/alerts``: a bearer-token check, one SQLite insert with a commit (WAL,
  ``synchronous=FULL`` like the portal: a device is told "stored" only once it is durable),
  then the event is pushed to every connected board;
- ``GET /board/events``: a token check (the ``anxin_session`` cookie), then an SSE stream in
  the portal's format (``event: ready`` first, ``id:``/``event: alert``/``data:`` messages,
  a ping every 15 s) fed by one asyncio queue per board.

No sign-in sessions, middleware, alert service, escalation or live hub: whatever the portal
adds on top of this is what ``benchmarks.portal_sse`` measures. Served by the same uvicorn
as ``anxin portal``.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import json
import sqlite3
import threading
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

PING = b": ping\n\n"
PING_S = 15.0


class Store:
    """One SQLite connection in WAL mode; one insert and commit per alert."""

    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.execute("CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY, event_id TEXT UNIQUE, "
                                 "kind TEXT, wristband TEXT)")
        self._lock = threading.Lock()

    def insert(self, event_id: str, kind: str, wristband: str) -> int:
        """Store one alert and commit; its id."""
        with self._lock:
            cursor = self._connection.execute("INSERT INTO alerts (event_id, kind, wristband) VALUES (?, ?, ?)",
                                              (event_id, kind, wristband))
            return int(cursor.lastrowid or 0)


def baseline_app(database: str, token: str) -> Starlette:
    """The bare server (see the module docstring)."""
    store = Store(database)
    boards: set[asyncio.Queue[bytes]] = set()

    async def raise_alert(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get("authorization", ""), f"Bearer {token}"):
            return JSONResponse({"detail": "unauthorized"}, status_code=401)
        body = await request.json()
        alert_id = await run_in_threadpool(store.insert, body["event_id"], body["kind"], body["wristband"])
        data = json.dumps({"alert_id": alert_id, "type": "raised"}, separators=(",", ":"))
        message = f"id: {alert_id}\nevent: alert\ndata: {data}\n\n".encode()
        for queue in boards:
            queue.put_nowait(message)
        return JSONResponse({"id": alert_id}, status_code=201)

    async def board_events(request: Request) -> Response:
        if not hmac.compare_digest(request.cookies.get("anxin_session", ""), token):
            return JSONResponse({"detail": "unauthorized"}, status_code=401)
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        boards.add(queue)

        async def stream() -> AsyncIterator[bytes]:
            try:
                yield b"event: ready\ndata: {}\n\n"
                while True:
                    try:
                        async with asyncio.timeout(PING_S):
                            message = await queue.get()
                    except TimeoutError:
                        yield PING
                        continue
                    yield message
            finally:
                boards.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/api/v1/alerts", raise_alert, methods=["POST"]),
                             Route("/board/events", board_events), Route("/healthz", healthz)])


def main() -> None:
    """Command line: serve until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True, help="SQLite file")
    parser.add_argument("--token", required=True, help="the bridge's bearer token and the boards' cookie")
    args = parser.parse_args()
    uvicorn.run(baseline_app(args.database, args.token), host="127.0.0.1", port=args.port, log_level="warning",
                timeout_graceful_shutdown=5)


if __name__ == "__main__":
    main()
