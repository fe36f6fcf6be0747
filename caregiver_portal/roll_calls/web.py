"""Roll calls in the browser: start one, the live list on grid workers' phones (SSE), answers from a
volunteer's visit or call, the end, and the report."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Header, Request
from fastapi.responses import Response
from sqlalchemy import select

from caregiver_portal.accounts.deps import CurrentUser, StaffUser, current_user, optional_user
from caregiver_portal.accounts.models import Grid, Site, User
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import PortalState, SessionDep, StateDep
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import attempt, redirect, render
from caregiver_portal.residents.scope import Scope, ScopeDep, user_scope
from caregiver_portal.roll_calls import service
from caregiver_portal.roll_calls.live import RollCallChange, read_changes_after
from caregiver_portal.roll_calls.models import RollCall, RollCallEntry
from caregiver_portal.roll_calls.rules import (
    ESCALATE_AFTER_CHOICES,
    REASONS,
    SOURCE_LABELS,
    STATE_LABELS,
    sections,
    summarise,
)

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]
LABELS: dict[str, Any] = {"REASONS": REASONS, "ROLL_STATES": STATE_LABELS, "SOURCES": SOURCE_LABELS}


def _targets(session: SessionDep, user: User, scope: Scope) -> list[tuple[str, str]]:
    """What a user may call the roll of: (value, label) — "site:<id>" or "grid:<id>"."""
    sites = session.scalars(select(Site).order_by(Site.name) if scope.site_id is None
                            else select(Site).where(Site.id == scope.site_id)).all()
    targets: list[tuple[str, str]] = []
    for site in sites:
        if scope.grid_ids is None:
            targets.append((f"site:{site.id}", f"{site.name} · 全站"))
        grids = session.scalars(select(Grid).where(Grid.site_id == site.id).order_by(Grid.name)).all()
        targets += [(f"grid:{g.id}", f"{site.name} · {g.name}") for g in grids if scope.allows(site_id=site.id,
                                                                                                 grid_id=g.id)]
    return targets if user.role in ("caregiver", "admin") else []


@router.get("/roll-calls")
def roll_calls_page(request: Request, user: CurrentUser, session: SessionDep, scope: ScopeDep) -> Response:
    """Open roll calls first, then recent ones; grid workers and admins can start one."""
    return render(request, "roll_calls.html", user, roll_calls=service.roll_calls_for(session, scope=scope),
                  targets=_targets(session, user, scope), choices=ESCALATE_AFTER_CHOICES, **LABELS)


@router.post("/roll-calls", dependencies=CSRF)
def start(request: Request, user: StaffUser, session: SessionDep, scope: ScopeDep,
          target: Annotated[str, Form(max_length=30)], reason: Annotated[str, Form(max_length=20)],
          escalate_after_min: Annotated[int, Form(ge=1, le=24 * 60)] = 30,
          note: Annotated[PlainText, Form(max_length=500)] = "") -> Response:
    """Start a roll call of a grid or the whole site."""
    started: list[RollCall] = []

    def action() -> None:
        kind, _, raw = target.partition(":")
        if kind not in ("site", "grid") or not raw.isdigit():
            raise InvalidTransition("请选择点名范围")
        grid = session.get(Grid, int(raw)) if kind == "grid" else None
        if kind == "grid" and grid is None:
            raise NotFound("找不到这个网格")
        site_id = grid.site_id if grid is not None else int(raw)
        started.append(service.start_roll_call(session=session, user=user, scope=scope, site_id=site_id,
                                               grid_id=grid.id if grid else None, reason=reason, note=note,
                                               escalate_after=timedelta(minutes=escalate_after_min), now=utcnow()))

    response = attempt(request, session, action, done="点名已开始，居民可以用手环、自助机回应", then="/roll-calls")
    return redirect(f"/roll-calls/{started[0].id}") if started else response


def _list_context(session: SessionDep, user: User, scope: Scope, roll_call: RollCall) -> dict[str, Any]:
    rows = service.list_rows(session, roll_call, scope=scope)
    return {"roll_call": roll_call, "sections": sections(rows),
            "summary": summarise(rows, started_at=roll_call.started_at),
            "can_close": user.role in ("caregiver", "admin"), **LABELS}


@router.get("/roll-calls/{roll_call_id}")
def roll_call_page(request: Request, roll_call_id: int, user: CurrentUser, session: SessionDep,
                   scope: ScopeDep) -> Response:
    """The live list: 需要帮助, 没有回应, 平安, with one-tap call links; it follows the roll call's events."""
    roll_call = service.visible_roll_call(session, scope=scope, roll_call_id=roll_call_id)
    return render(request, "roll_call.html", user, **_list_context(session, user, scope, roll_call))


@router.get("/roll-calls/{roll_call_id}/list")
def roll_call_list(request: Request, roll_call_id: int, user: CurrentUser, session: SessionDep,
                   scope: ScopeDep) -> Response:
    """The list alone (HTML fragment), fetched by the page when the roll call changes."""
    roll_call = service.visible_roll_call(session, scope=scope, roll_call_id=roll_call_id)
    return render(request, "_roll_call_list.html", user, **_list_context(session, user, scope, roll_call))


@router.post("/roll-calls/{roll_call_id}/entries/{entry_id}", dependencies=CSRF)
def answer(request: Request, roll_call_id: int, entry_id: int, user: CurrentUser, session: SessionDep,
           scope: ScopeDep, answer: Annotated[str, Form(max_length=10)],
           source: Annotated[str, Form(max_length=10)] = "visit") -> Response:
    """A volunteer or grid worker records what they found on a visit or a call: 平安 or 需要帮助."""
    def action() -> None:
        roll_call = service.visible_roll_call(session, scope=scope, roll_call_id=roll_call_id)
        entry = session.get(RollCallEntry, entry_id, with_for_update=True)
        if entry is None or entry.roll_call_id != roll_call.id or not scope.allows_resident(entry.resident):
            raise NotFound("找不到这位居民")
        if roll_call.closed_at is not None:
            raise InvalidTransition("这次点名已经结束")
        if answer not in ("safe", "help") or source not in ("visit", "phone"):
            raise InvalidTransition("请选择平安或需要帮助")
        service.record_answer(session, entry, answer=answer, source=source, now=utcnow(), user=user)

    return attempt(request, session, action, done="已记录", then=f"/roll-calls/{roll_call_id}")


@router.post("/roll-calls/{roll_call_id}/close", dependencies=CSRF)
def close(request: Request, roll_call_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep) -> Response:
    """End the roll call and go to its report."""
    def action() -> None:
        roll_call = service.visible_roll_call(session, scope=scope, roll_call_id=roll_call_id)
        service.close_roll_call(session=session, roll_call=roll_call, user=user, now=utcnow())

    return attempt(request, session, action, done="点名已结束", then=f"/roll-calls/{roll_call_id}/report")


@router.get("/roll-calls/{roll_call_id}/report")
def report(request: Request, roll_call_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep) -> Response:
    """What the roll call found: answers by state and by way, the time to answer, who never answered."""
    roll_call = service.visible_roll_call(session, scope=scope, roll_call_id=roll_call_id)
    return render(request, "roll_call_report.html", user, **_list_context(session, user, scope, roll_call))


def _signed_in_scope(request: Request, state: PortalState, roll_call_id: int) -> int:
    with state.session_factory() as session:
        user = current_user(optional_user(request, session))
        roll_call = service.visible_roll_call(session, scope=user_scope(session, user), roll_call_id=roll_call_id)
        return roll_call.site_id


def _changes_after(state: PortalState, after_id: int, roll_call_id: int) -> list[RollCallChange]:
    with state.session_factory() as session:
        return [c for c in read_changes_after(session, after_id) if c.roll_call_id == roll_call_id]


@router.get("/roll-calls/{roll_call_id}/events")
async def events(request: Request, roll_call_id: int, state: StateDep,
                 last_event_id: Annotated[str | None, Header()] = None) -> Response:
    """Server-sent events: one message whenever the roll call changes; resumes after ``Last-Event-ID``.

    Like the board's stream it holds no database session; the page re-fetches its list on each message.
    """
    site_id = await asyncio.to_thread(_signed_in_scope, request, state, roll_call_id)
    replay = None
    if last_event_id and last_event_id.isdigit():
        replay = partial(_changes_after, state, int(last_event_id), roll_call_id)
    assert state.roll_call_hub is not None
    return await state.roll_call_hub.stream(site_id=site_id, replay=replay)
