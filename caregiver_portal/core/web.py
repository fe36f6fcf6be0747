"""Shared pieces of the browser pages: rendering with flash messages, running a form action that may be
refused (the refusal becomes a message, not an error page), and reading money and times from forms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import User
from caregiver_portal.core.clock import CHINA_TIME
from caregiver_portal.core.csrf import csrf_token
from caregiver_portal.core.errors import PortalError
from caregiver_portal.core.templating import templates
from caregiver_portal.core.uow import unit_of_work


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
    """Run ``action`` as one unit of work (the services it calls join it) and flash ``done`` (or what it
    returns); a refusal (PortalError) rolls back and flashes why, then goes to ``failed`` (default ``then``)."""
    try:
        with unit_of_work(session):
            action()
    except PortalError as exc:
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


templates.env.filters["yuan"] = yuan
templates.env.filters["datetime_input"] = local_datetime_input
