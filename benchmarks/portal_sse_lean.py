"""Serve the portal with ``/board/events`` answered by :func:`caregiver_portal.core.live.board_stream`.

Benchmark-only: it measures the change proposed for ``web/board.py`` (a ``StreamingResponse``
of pre-encoded events instead of one ``ServerSentEvent`` per message) without touching it.

    .venv/bin/python -m benchmarks.portal_sse_lean --port 8000   (database from $ANXIN_DATABASE_URL)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path
from typing import Annotated

import uvicorn
from fastapi import FastAPI, Header, Request
from fastapi.responses import StreamingResponse
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from caregiver_portal.accounts.deps import visible_site_id
from caregiver_portal.alerts.live import fetch_events_after
from caregiver_portal.alerts.web import _signed_in_user
from caregiver_portal.app import create_app
from caregiver_portal.core.live import board_stream
from caregiver_portal.core.settings import settings_for_data_dir


def lean_app(app: FastAPI) -> ASGIApp:
    """``app`` with ``/board/events`` answered by a small app serving the lean stream."""
    state = app.state.portal
    lean = FastAPI()
    lean.add_middleware(SessionMiddleware, secret_key=state.settings.secret_key, session_cookie="anxin_session")

    @lean.get("/board/events", include_in_schema=False)
    async def board_events(request: Request, last_event_id: Annotated[str | None, Header()] = None
                           ) -> StreamingResponse:
        """The live board's events as a lean SSE stream."""
        user = await asyncio.to_thread(_signed_in_user, request, state)
        missed = []
        if last_event_id and last_event_id.isdigit():
            with state.session_factory() as session:
                missed = await asyncio.to_thread(fetch_events_after, session, int(last_event_id))
        return StreamingResponse(board_stream(state.hub, site_id=visible_site_id(user), missed=missed),
                                 media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        target = lean if scope["type"] == "http" and scope["path"] == "/board/events" else app
        await target(scope, receive, send)

    return dispatch


def main() -> None:
    """Command line: serve until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="anxin-lean-"))
    settings = settings_for_data_dir(data_dir, database_url=os.environ["ANXIN_DATABASE_URL"],
                                     public_url=f"http://127.0.0.1:{args.port}")
    if "ANXIN_BENCH_TICK_S" in os.environ:  # experiments only: e.g. 0 turns the ticker off
        settings = settings.with_overrides(tick_interval_s=float(os.environ["ANXIN_BENCH_TICK_S"]))
    uvicorn.run(lean_app(create_app(settings)), host="127.0.0.1", port=args.port, log_level="warning",
                timeout_graceful_shutdown=5)


if __name__ == "__main__":
    main()
