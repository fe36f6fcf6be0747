"""The live queue's server-sent event stream: the order queue page re-reads the queue on each message."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from caregiver_portal.accounts.deps import current_user, optional_user, visible_site_id
from caregiver_portal.core.deps import PortalState, StateDep
from caregiver_portal.core.live import board_stream
from caregiver_portal.queue.live import QUEUE, QueueMessage
from caregiver_portal.queue.models import QueueEvent

router = APIRouter(include_in_schema=False)


def _site_of_signed_in(request: Request, state: PortalState) -> int | None:
    with state.session_factory() as session:
        return visible_site_id(current_user(optional_user(request, session)))


def _missed(state: PortalState, after_id: int) -> list[QueueMessage]:
    with state.session_factory() as session:
        newest = session.scalar(select(QueueEvent.id).order_by(QueueEvent.id.desc()).limit(1)) or 0
        return QUEUE.merge(QUEUE.read_after(session, max(after_id, newest - 500)))


@router.get("/queue/events")
async def queue_events(request: Request, state: StateDep,
                       last_event_id: Annotated[str | None, Header()] = None) -> StreamingResponse:
    """Server-sent events: one message per new or changed order or sign-up; resumes after ``Last-Event-ID``.

    Like the board's stream it holds no database session (the user is checked in a short one of its own).
    """
    site_id = await asyncio.to_thread(_site_of_signed_in, request, state)
    missed: list[QueueMessage] = []
    if last_event_id and last_event_id.isdigit():
        missed = await asyncio.to_thread(_missed, state, int(last_event_id))
    assert state.queue_hub is not None
    return StreamingResponse(board_stream(state.queue_hub, site_id=site_id, missed=missed),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
