"""A tiny HTTP server on 127.0.0.1 standing in for WeCom, DingTalk and Feishu bots and webhooks."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, Any]
OK_ANSWERS: dict[str, Answer] = {
    "wecom": (200, {"errcode": 0, "errmsg": "ok"}),
    "dingtalk": (200, {"errcode": 0, "errmsg": "ok"}),
    "feishu": (200, {"code": 0, "msg": "success", "data": {}}),
    "webhook": (200, {"ok": True}),
}


@dataclass(frozen=True)
class Received:
    """One request the fake bot received."""

    path: str
    raw_query: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)

    @property
    def bot(self) -> str:
        """The first path segment names the bot ("/wecom/..." -> "wecom")."""
        return self.path.strip("/").split("/")[0]


@dataclass
class BotServer:
    """Records every request; ``answers`` (per bot, consumed in order) override the OK answer."""

    url: str
    received: list[Received] = field(default_factory=list)
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    on_request: Callable[[Received], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_for(self, request: Received) -> Answer:
        """The next scripted answer for this bot, else success."""
        with self.lock:
            self.received.append(request)
            scripted = self.answers.get(request.bot)
            if scripted:
                return scripted.pop(0)
        return OK_ANSWERS.get(request.bot, (200, {}))

    def requests_to(self, bot: str) -> list[Received]:
        """What one bot received, in order."""
        with self.lock:
            return [r for r in self.received if r.bot == bot]


Respond = Callable[[str, bytes, dict[str, str]], Answer]
"""(path with query, body, headers) -> (status, JSON answer)."""


@contextmanager
def json_server(respond: Respond, *, name: str) -> Iterator[str]:
    """Answer every POST with ``respond`` as JSON, on an ephemeral loopback port in a daemon thread; yields the URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, answer = respond(self.path, body, dict(self.headers.items()))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def bot_server() -> Iterator[BotServer]:
    """Serve fake bots on an ephemeral loopback port in a daemon thread."""
    states: list[BotServer] = []

    def respond(path: str, body: bytes, headers: dict[str, str]) -> Answer:
        parts = urlsplit(path)
        request = Received(parts.path, parts.query, parse_qs(parts.query), headers, body)
        state = states[0]
        if state.on_request is not None:
            state.on_request(request)
        return state.answer_for(request)

    with json_server(respond, name="fake-bots") as url:
        states.append(BotServer(url=url))
        yield states[0]
