"""Shared pieces of the community pages: role dependencies, rendering with flash messages, and
running a form action that may be refused (the refusal becomes a message, not an error page)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from caregiver_portal.community.scope import STAFF_ROLES, Scope, require_role, user_scope
from caregiver_portal.deps import CurrentUser, SessionDep
from caregiver_portal.errors import PortalError
from caregiver_portal.models import User
from caregiver_portal.web.csrf import csrf_token
from caregiver_portal.web.templating import CHINA_TIME, templates

ROLE_LABELS = {"volunteer": "志愿者", "caregiver": "网格员", "admin": "管理员"}


def staff_user(user: CurrentUser) -> User:
    """The signed-in grid worker (caregiver) or admin."""
    require_role(user, STAFF_ROLES)
    return user


def admin_user(user: CurrentUser) -> User:
    """The signed-in admin."""
    require_role(user, {"admin"})
    return user


StaffUser = Annotated[User, Depends(staff_user)]
AdminUser = Annotated[User, Depends(admin_user)]


def scope_of(session: SessionDep, user: CurrentUser) -> Scope:
    """The signed-in user's scope."""
    return user_scope(session, user)


ScopeDep = Annotated[Scope, Depends(scope_of)]


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """Show ``message`` once on the next page (kind "ok" or "error")."""
    request.session["flash"] = {"message": message, "kind": kind}


def render(request: Request, template: str, user: User | None, *, status_code: int = 200,
           **context: Any) -> Response:
    """Render a page with the base context (user, CSRF token, pending flash message, current section)."""
    base = {"user": user, "csrf": csrf_token(request), "flash": request.session.pop("flash", None),
            "section": request.url.path.strip("/").split("/")[0]}
    return templates.TemplateResponse(request, template, {**base, **context}, status_code=status_code)


def redirect(url: str) -> Response:
    """See-other redirect after a form post."""
    return RedirectResponse(url, status_code=303)


def attempt(request: Request, session: Session, action: Callable[[], object], *, done: str | Callable[[], str],
            then: str, failed: str | None = None) -> Response:
    """Run ``action``, commit and flash ``done`` (or what it returns); a refusal (PortalError) rolls back
    and flashes why, then goes to ``failed`` (default ``then``)."""
    try:
        action()
        session.commit()
    except PortalError as exc:
        session.rollback()
        flash(request, str(exc), "error")
        return redirect(failed or then)
    flash(request, done() if callable(done) else done)
    return redirect(then)


def parse_yuan(text: str) -> int:
    """"12.5" or "12.50元" -> 1250 fen; raises ValueError on anything else."""
    cleaned = text.strip().removesuffix("元").strip().replace("，", ".").replace(",", ".")
    if not cleaned:
        raise ValueError("empty amount")
    whole, _, fraction = cleaned.partition(".")
    if not whole.isdigit() and whole != "" or not (fraction == "" or fraction.isdigit()) or len(fraction) > 2:
        raise ValueError(f"not an amount: {text!r}")
    return int(whole or "0") * 100 + int((fraction + "00")[:2])


def yuan(fen: int | None) -> str:
    """1250 -> "12.50"; None -> ""."""
    return "" if fen is None else f"{fen // 100}.{fen % 100:02d}"


def local_datetime_input(value: datetime | None) -> str:
    """A timestamp as the value of an ``<input type="datetime-local">`` in China time."""
    return value.astimezone(CHINA_TIME).strftime("%Y-%m-%dT%H:%M") if value else ""


def parse_local_datetime(text: str) -> datetime:
    """The value of a datetime-local input (China time) as an aware datetime."""
    return datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M").replace(tzinfo=CHINA_TIME)


templates.env.globals["ROLE_LABELS"] = ROLE_LABELS
templates.env.filters["yuan"] = yuan
templates.env.filters["datetime_input"] = local_datetime_input
