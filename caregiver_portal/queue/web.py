"""The live queue's server-sent event stream: the order queue page re-reads the queue on each message."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from sqlalchemy import select

from caregiver_portal.accounts.deps import current_user, optional_user, visible_site_id
from caregiver_portal.core.deps import PortalState, StateDep
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
                       last_event_id: Annotated[str | None, Header()] = None) -> Response:
    """Server-sent events: one message per new or changed order or sign-up; resumes after ``Last-Event-ID``.

    Like the board's stream it holds no database session (the user is checked in a short one of its own).
    """
    site_id = await asyncio.to_thread(_site_of_signed_in, request, state)
    replay = None
    if last_event_id and last_event_id.isdigit():
        replay = partial(_missed, state, int(last_event_id))
    assert state.queue_hub is not None
    return await state.queue_hub.stream(site_id=site_id, replay=replay)
