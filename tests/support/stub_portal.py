"""A scripted stand-in for the portal's device API on 127.0.0.1, for client tests that need answers the real
portal no longer gives (a 403 for a foreign wristband, a 500 for one poisonous request, a refused token)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, Any]
Script = Callable[[str, str, Any], Answer]


@dataclass(frozen=True)
class Call:
    """One request the stub received, with when (monotonic seconds) it arrived."""

    method: str
    path: str
    body: Any
    at: float


@dataclass
class StubPortal:
    """Answers each request with ``script(method, path, body)`` and records it."""

    url: str
    script: Script
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, path: str, body: Any) -> Answer:
        """Record the call and return the scripted answer."""
        with self.lock:
            self.calls.append(Call(method, path, body, time.monotonic()))
        return self.script(method, path, body)

    def calls_to(self, path: str, *, method: str | None = None) -> list[Call]:
        """The calls to ``path`` so far."""
        with self.lock:
            return [c for c in self.calls if c.path == path and (method is None or c.method == method)]


def portal_like(method: str, path: str, body: Any) -> Answer:
    """What a healthy portal answers: the token is fine, every write is stored."""
    if method == "GET" and path == "/api/v1/device":
        return 200, {"id": 1, "kind": "bridge", "name": "stub", "site_id": 1}
    if path == "/api/v1/device/dead-letters":
        return 200, {"stored": len(body), "known": 0}
    if path == "/api/v1/readings":
        return 201, {"batch_id": body.get("batch_id"), "stored": len(body.get("readings", [])), "duplicate": False}
    return 201, {"event_id": (body or {}).get("event_id"), "duplicate": False}


@contextmanager
def stub_portal(script: Script = portal_like) -> Iterator[StubPortal]:
    """Serve ``script`` on a free loopback port until the block ends."""
    stub: StubPortal

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, answer = stub.answer(self.command, self.path, json.loads(raw) if raw else None)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stub = StubPortal(url=f"http://127.0.0.1:{server.server_address[1]}", script=script)
    thread = threading.Thread(target=server.serve_forever, name="stub-portal", daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
