"""The portal as ``anxin portal`` serves it, with a timestamp at every hop of every device request (benchmarks only).

For each ``/api/v1`` request it appends one JSON line to ``ANXIN_BENCH_TIMINGS``: the path, the
alert's ``event_id`` (alerts only), and wall-clock moments ``start`` (the handler stack took the
request), ``lock_wait`` / ``locked`` (``BEGIN IMMEDIATE`` asked for and got the SQLite write lock;
the request's latest transaction, the one its service commits), ``commit`` (that commit started)
and ``end`` (the response was sent); and one line per background transaction (the ticker's jobs),
path ``background:<thread>``. Nothing here changes how the portal works. Run by
``bridge_live_portal.live_portal(..., timings=...)``::

    ANXIN_BENCH_TIMINGS=/tmp/t.jsonl python benchmarks/timed_portal.py --data-dir D --port P
"""

from __future__ import annotations

import contextvars
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.pool import Pool  # noqa: E402

import caregiver_portal.server as server  # noqa: E402
from caregiver_portal.app import create_app  # noqa: E402

CURRENT: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("bench_request", default=None)


class Journal:
    """The timings file: one JSON line per request or background transaction, from any thread."""

    def __init__(self, path: Path) -> None:
        self.out = path.open("a", buffering=1)
        self.lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        """Append one record."""
        with self.lock:
            self.out.write(json.dumps(record) + "\n")


JOURNAL: list[Journal] = []


class Timings:
    """An ASGI middleware noting the moments of each device request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Time one request; read its alert's event id from the body as the app reads it."""
        if scope["type"] != "http" or not scope["path"].startswith("/api/v1/"):
            await self.app(scope, receive, send)
            return
        record: dict[str, Any] = {"path": scope["path"], "start": time.time()}
        token = CURRENT.set(record)
        body = bytearray()

        async def receive_body() -> Any:
            message = await receive()
            if message["type"] == "http.request" and scope["path"] == "/api/v1/alerts":
                body.extend(message.get("body", b""))
                if not message.get("more_body"):
                    record["event_id"] = json.loads(body or b"{}").get("event_id")
            return message

        async def send_timed(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                record["status"] = message["status"]
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                record["end"] = time.time()

        try:
            await self.app(scope, receive_body, send_timed)
        finally:
            CURRENT.reset(token)
            JOURNAL[0].write(record)


BACKGROUND = threading.local()
"""The transaction a thread outside any request (the ticker's jobs) has open."""


def _note(name: str) -> None:
    """Note a moment of the current request's (or background job's) latest transaction."""
    record = CURRENT.get() or getattr(BACKGROUND, "record", None)
    if record is not None:
        record[name] = time.time()


@event.listens_for(Engine, "before_cursor_execute")
def _before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if statement.startswith("BEGIN"):
        if CURRENT.get() is None:
            now = time.time()
            BACKGROUND.record = {"path": f"background:{threading.current_thread().name}", "start": now}
        _note("lock_wait")


@event.listens_for(Engine, "after_cursor_execute")
def _after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if statement.startswith("BEGIN"):
        _note("locked")


@event.listens_for(Engine, "commit")
def _commit(_conn: Any) -> None:
    _note("commit")
    _end_background()


@event.listens_for(Engine, "rollback")
@event.listens_for(Pool, "reset")  # a session closed without committing: the pool rolls back
def _rollback(*_args: Any) -> None:
    if CURRENT.get() is None:
        _note("commit")
        _end_background()


def _end_background() -> None:
    record = getattr(BACKGROUND, "record", None)
    if record is None or CURRENT.get() is not None or not JOURNAL:
        return
    BACKGROUND.record = None
    record["end"] = time.time()
    JOURNAL[0].write(record)


def _timed_create_app(settings: Any) -> Any:
    app = create_app(settings)
    JOURNAL.append(Journal(Path(os.environ["ANXIN_BENCH_TIMINGS"])))
    app.add_middleware(Timings)
    return app


def main() -> None:
    """``anxin portal`` with :class:`Timings` around the app."""
    from anxin.cli import main as anxin_main

    server.create_app = _timed_create_app  # type: ignore[assignment]
    anxin_main(["portal", *sys.argv[1:]])


if __name__ == "__main__":
    main()
