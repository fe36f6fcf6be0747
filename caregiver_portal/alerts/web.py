"""The live alert board: a page, card fragments, actions, and the server-sent event stream."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Header, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from caregiver_portal.accounts.deps import CurrentUser, current_user, optional_user, visible_site_id
from caregiver_portal.accounts.models import User
from caregiver_portal.alerts import service as alert_service
from caregiver_portal.alerts.card import CardView, card_views
from caregiver_portal.alerts.live import BoardEvent, fetch_events_after
from caregiver_portal.alerts.models import KIND_LABELS, STATE_LABELS, Alert
from caregiver_portal.core.clock import CHINA_TIME, utcnow
from caregiver_portal.core.csrf import csrf_token, require_csrf
from caregiver_portal.core.deps import PortalState, SessionDep, StateDep
from caregiver_portal.core.errors import NotFound
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.templating import templates
from caregiver_portal.escalation.config import policies_for

router = APIRouter()
templates.env.globals["KIND_LABELS"] = KIND_LABELS
templates.env.globals["STATE_LABELS"] = STATE_LABELS




def clock(value: datetime) -> str:
    """A time of today as the card shows it ("08:34:05", China time)."""
    return value.astimezone(CHINA_TIME).strftime("%H:%M:%S")


templates.env.filters["clock"] = clock


def _cards(session: SessionDep, state: PortalState, alerts: list[Alert]) -> dict[int, CardView]:
    return card_views(session, alerts, policies=policies_for(state.settings), zone=CHINA_TIME)


def _visible_alert(session: SessionDep, user: User, alert_id: int) -> Alert:
    alert = alert_service.get_alert(session, alert_id)
    site_id = visible_site_id(user)
    if site_id is not None and alert.site_id != site_id:
        raise NotFound("alert not found")
    return alert


@router.get("/", include_in_schema=False)
def home() -> Response:
    """The board is the portal's home page."""
    return RedirectResponse("/board", status_code=303)


@router.get("/board", response_class=HTMLResponse, include_in_schema=False)
def board(request: Request, user: CurrentUser, session: SessionDep, state: StateDep) -> Response:
    """The live alert board of the user's site."""
    alerts = alert_service.active_alerts(session, site_id=visible_site_id(user))
    return templates.TemplateResponse(request, "board.html", {"user": user, "alerts": alerts,
                                                              "cards": _cards(session, state, alerts),
                                                              "csrf": csrf_token(request), "now": utcnow()})


@router.get("/board/alerts/{alert_id}/card", response_class=HTMLResponse, include_in_schema=False)
def alert_card(request: Request, alert_id: int, user: CurrentUser, session: SessionDep, state: StateDep) -> Response:
    """One alert card (HTML fragment), fetched by the board when the alert changes."""
    alert = _visible_alert(session, user, alert_id)
    return templates.TemplateResponse(request, "_alert_card.html", {"alert": alert, "user": user,
                                                                    "cards": _cards(session, state, [alert]),
                                                                    "csrf": csrf_token(request), "now": utcnow()})


@router.get("/alerts/{alert_id}", response_class=HTMLResponse, include_in_schema=False)
def alert_detail(request: Request, alert_id: int, user: CurrentUser, session: SessionDep, state: StateDep) -> Response:
    """One alert with its full timeline."""
    alert = _visible_alert(session, user, alert_id)
    return templates.TemplateResponse(request, "alert.html", {"alert": alert, "user": user,
                                                              "card": _cards(session, state, [alert])[alert.id],
                                                              "csrf": csrf_token(request), "now": utcnow()})


def _act(request: Request, session: SessionDep, user: User, alert_id: int, change: Callable[..., Alert],
         **fields: str) -> Response:
    """The one body of the board's actions: check the user sees the alert, apply ``change`` (a service that
    commits; the board hears of it through the live hub), then answer the board (204) or the page (redirect)."""
    _visible_alert(session, user, alert_id)
    change(session=session, alert_id=alert_id, user=user, now=utcnow(), **fields)
    if request.headers.get("x-requested-with") == "fetch":
        return Response(status_code=204)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/accept", dependencies=[Depends(require_csrf)], include_in_schema=False)
def accept(request: Request, alert_id: int, user: CurrentUser, session: SessionDep) -> Response:
    """The signed-in user accepts the alert."""
    return _act(request, session, user, alert_id, alert_service.accept_alert)


@router.post("/alerts/{alert_id}/arrived", dependencies=[Depends(require_csrf)], include_in_schema=False)
def arrived(request: Request, alert_id: int, user: CurrentUser, session: SessionDep) -> Response:
    """The signed-in user is with the resident (已到达): the arrival timer stops."""
    return _act(request, session, user, alert_id, alert_service.mark_arrived)


@router.post("/alerts/{alert_id}/resolve", dependencies=[Depends(require_csrf)], include_in_schema=False)
def resolve(request: Request, alert_id: int, user: CurrentUser, session: SessionDep,
            outcome: Annotated[PlainText, Form(max_length=1000)] = "") -> Response:
    """The signed-in user closes the alert with an outcome note."""
    return _act(request, session, user, alert_id, alert_service.resolve_alert, outcome=outcome)


def _signed_in_user(request: Request, state: PortalState) -> User:
    with state.session_factory() as session:
        return current_user(optional_user(request, session))


@router.post("/alerts/{alert_id}/cancel", dependencies=[Depends(require_csrf)], include_in_schema=False)
def cancel(request: Request, alert_id: int, user: CurrentUser, session: SessionDep,
           reason: Annotated[PlainText, Form(min_length=1, max_length=500)]) -> Response:
    """The signed-in user cancels a false alarm, saying why."""
    return _act(request, session, user, alert_id, alert_service.cancel_alert, reason=reason)


@router.post("/alerts/{alert_id}/notes", dependencies=[Depends(require_csrf)], include_in_schema=False)
def add_note(request: Request, alert_id: int, user: CurrentUser, session: SessionDep,
             text: Annotated[PlainText, Form(min_length=1, max_length=1000)]) -> Response:
    """The signed-in user adds a note to the alert's timeline."""
    return _act(request, session, user, alert_id, alert_service.add_note, text=text)


@router.get("/board/events", include_in_schema=False)
async def board_events(request: Request, state: StateDep,
                       last_event_id: Annotated[str | None, Header()] = None) -> Response:
    """Server-sent events: one message per alert change; resumes after ``Last-Event-ID``.

    The stream lives for hours, so it must not hold a database session (on SQLite that
    would hold the write lock): the user is checked in a short session of its own. The hub
    encodes each event once per audience and a board's stream only writes the bytes
    (``core.fanout``), which keeps the fan-out to a thousand boards cheap.
    """
    user = await asyncio.to_thread(_signed_in_user, request, state)
    replay = None
    if last_event_id and last_event_id.isdigit():
        replay = partial(_events_after, state, int(last_event_id))
    return await state.hub.stream(site_id=visible_site_id(user), replay=replay)


def _events_after(state: PortalState, after_id: int) -> list[BoardEvent]:
    with state.session_factory() as session:
        return fetch_events_after(session, after_id)
