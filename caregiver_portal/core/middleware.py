"""ASGI middleware: security headers on every answer, a cap on request body size, and on requests at once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    """Adds CSP (no inline scripts), nosniff, frame denial and, over TLS, HSTS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        over_tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if over_tls:
                    headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimitMiddleware:
    """Answers 413 when a request declares or sends more than the limit: JSON, or a short Chinese page for a browser.

    ``path_limits`` raises the limit for paths under a prefix (spreadsheet uploads), whose routes then
    answer too-big files themselves with a page that says what to do.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, path_limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.path_limits = dict(path_limits or {})

    def limit_for(self, path: str) -> int:
        """The body limit of ``path``."""
        return next((limit for prefix, limit in self.path_limits.items() if path.startswith(prefix)),
                    self.max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit, headers)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            await self._refuse(send, limit, headers)

    @staticmethod
    async def _refuse(send: Send, limit: int, headers: Mapping[bytes, bytes]) -> None:
        size = f"{limit / 1024 / 1024:.0f} MB" if limit >= 1024 * 1024 else f"{limit} 字节"
        if b"text/html" in headers.get(b"accept", b""):
            body = ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>文件太大</title>"
                    f"<h1>文件太大</h1><p>一次最多上传 {size}。请返回上一页，换一个小一些的文件。</p></html>").encode()
            content_type = b"text/html; charset=utf-8"
        else:
            body = json.dumps({"detail": f"请求体超过 {size}"}, ensure_ascii=False).encode()
            content_type = b"application/json"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class BodyTooLarge(HTTPException):
    """Raised inside the app when a streamed (chunked) body passes the limit. An HTTP 413 error, so that
    FastAPI's body reader lets it through (it turns other exceptions into a 400) and the error handler
    answers 413."""

    def __init__(self, max_body_bytes: int) -> None:
        super().__init__(413, f"请求体超过 {max_body_bytes} 字节")


class ConcurrencyLimitMiddleware:
    """Lets at most ``limit`` requests into the app at a time; the others wait at the door, in order.

    Server-sent event streams (paths ending in ``exempt_suffix``) are not counted: they live for hours and
    hold no database connection. Why a limit: a route's database session is opened by a dependency in one
    worker-thread hop and used by the route in the next, so with more requests inside than the connection
    pool holds, threads wait for connections held by requests that wait for a thread, until the pool's
    30 s timeout fails them all (seen with 4 instances on one PostgreSQL under a district's load,
    docs/benchmarks.md). Admitting no more requests than there are connections keeps each one able to
    get its own.
    """

    def __init__(self, app: ASGIApp, *, limit: int, exempt_suffix: str = "/events") -> None:
        self.app = app
        self.limit = limit
        self.exempt_suffix = exempt_suffix
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        """The semaphore of the running loop (tests run one app on several loops, one after another)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(self.limit))
        return self._slots[1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").endswith(self.exempt_suffix):
            await self.app(scope, receive, send)
            return
        async with self._semaphore():
            await self.app(scope, receive, send)
