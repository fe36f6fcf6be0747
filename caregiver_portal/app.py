"""The caregiver portal's FastAPI application, built by :func:`create_app`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from starlette.middleware.sessions import SessionMiddleware

from caregiver_portal.accounts.deps import LoginRequired
from caregiver_portal.alerts.live import TIMELINE, enable_notify
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.db import create_db_engine, create_session_factory
from caregiver_portal.core.deps import PortalState
from caregiver_portal.core.error_pages import install_error_handlers
from caregiver_portal.core.live import EventHub, listen_url, reader_engine
from caregiver_portal.core.middleware import (
    BodySizeLimitMiddleware,
    ConcurrencyLimitMiddleware,
    SecurityHeadersMiddleware,
)
from caregiver_portal.core.security import password_hasher
from caregiver_portal.core.settings import PortalSettings
from caregiver_portal.escalation.config import policies_for
from caregiver_portal.imports.web import UPLOAD_PREFIX
from caregiver_portal.migrate import upgrade_to_head
from caregiver_portal.queue.live import QUEUE
from caregiver_portal.queue.live import enable_notify as enable_queue_notify
from caregiver_portal.roll_calls.live import ROLL_CALLS
from caregiver_portal.roll_calls.live import enable_notify as enable_roll_call_notify
from caregiver_portal.routers import include_routers
from caregiver_portal.ticker import Ticker

log = logging.getLogger(__name__)
# Connections of the pool kept for the ticker's jobs and the live hubs' polls, not for requests.
RESERVED_CONNECTIONS = 4
STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_app(settings: PortalSettings, *, migrate: bool = True, clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """Build the portal: database, live-board hub, routers, middleware and error handlers. ``clock`` (aware UTC)
    decides when sign-in sessions expire."""
    settings.validate()
    engine = create_db_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms,
                              pool_size=settings.database_pool_size, max_overflow=settings.database_max_overflow)
    if migrate:
        upgrade_to_head(engine)
    factory = create_session_factory(engine)
    enable_notify()
    enable_roll_call_notify()
    enable_queue_notify()
    reader = reader_engine(engine)
    reads = create_session_factory(reader)
    hub = EventHub(reads, feed=TIMELINE, poll_interval_s=settings.event_poll_interval_s, listen_url=listen_url(engine))
    hub.follow_commits(factory)
    roll_call_hub = EventHub(reads, feed=ROLL_CALLS, poll_interval_s=settings.event_poll_interval_s,
                             listen_url=listen_url(engine))
    roll_call_hub.follow_commits(factory)
    queue_hub = EventHub(reads, feed=QUEUE, poll_interval_s=settings.event_poll_interval_s,
                         listen_url=listen_url(engine))
    queue_hub.follow_commits(factory)
    state = PortalState(settings=settings, session_factory=factory, hasher=password_hasher(settings.password_profile),
                        hub=hub, roll_call_hub=roll_call_hub, queue_hub=queue_hub, clock=clock)
    # tick_interval_s <= 0 turns the background ticker off (tests drive the sweeps with their own clock).
    ticker = None
    if settings.tick_interval_s > 0:
        ticker = Ticker(factory=factory, public_url=settings.public_url, tick_interval_s=settings.tick_interval_s,
                        policies=policies_for(settings), reads=reads)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        hub_tasks = {asyncio.create_task(hub.run(), name="live-board-hub"),
                     asyncio.create_task(roll_call_hub.run(), name="roll-call-hub"),
                     asyncio.create_task(queue_hub.run(), name="queue-hub")}
        if ticker is not None:
            ticker.start()
        try:
            yield
        finally:
            if ticker is not None:
                await asyncio.to_thread(ticker.shutdown)
            for task in hub_tasks:
                task.cancel()
            _, pending = await asyncio.wait(hub_tasks, timeout=5)
            if pending:
                log.error("live hubs did not stop within 5 s")
            reader.dispose()
            engine.dispose()

    app = FastAPI(title="Anxin caregiver portal", version="0.1.0", lifespan=lifespan,
                  description="安心 社区养老：设备接口 (kiosks and wristband bridges) and the caregiver portal.")
    app.state.portal = state
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie="anxin_session",
                       max_age=settings.session_max_age_s, same_site="lax", https_only=settings.secure_cookies)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes,
                       path_limits={UPLOAD_PREFIX: settings.max_upload_bytes})
    if engine.dialect.name == "postgresql":  # several instances share the server's connections: pools are small
        app.add_middleware(ConcurrencyLimitMiddleware, limit=request_limit(settings))
    # alert.wav and catalog/*.svg live in the top-level assets package (sounds/, pictures/)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, packages=[("assets", "sounds"), ("assets", "pictures")]),
              name="static")
    include_routers(app)
    _add_health(app, state)
    _add_error_handlers(app)
    return app


def request_limit(settings: PortalSettings) -> int:
    """How many requests (event streams aside) may be inside the app at once: the pool's connections, less
    those the ticker and the live hubs use (:class:`~caregiver_portal.core.middleware.ConcurrencyLimitMiddleware`)."""
    return max(2, settings.database_pool_size + settings.database_max_overflow - RESERVED_CONNECTIONS)


def _add_health(app: FastAPI, state: PortalState) -> None:
    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """200 when the portal is up and its database answers."""
        with state.session_factory() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok"}


def _add_error_handlers(app: FastAPI) -> None:
    install_error_handlers(app, database_problem=database_problem)

    @app.exception_handler(LoginRequired)
    def login_required(request: Request, _exc: LoginRequired) -> Response:
        wants_json = request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")
        if wants_json or request.url.path.endswith("/events"):
            return JSONResponse({"detail": "请先登录"}, status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


def database_problem(exc: OperationalError) -> str:
    """A plain-language reason for a database failure (devices keep the request and retry)."""
    message = str(exc.orig).lower()
    if "disk is full" in message or "no space" in message:
        return "门户存储空间已满，请联系管理员；设备会保留请求并稍后重试"
    if "locked" in message or "busy" in message:
        return "数据库正忙，请稍后重试"
    return "数据库暂时不可用，请稍后重试"
