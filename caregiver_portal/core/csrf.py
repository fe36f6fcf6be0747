"""CSRF protection: a per-session token checked on every state-changing browser request."""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import FormData

from caregiver_portal.core.schemas import check_text


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def require_csrf(request: Request) -> None:
    """Refuse a POST whose form field or ``X-CSRF-Token`` header does not carry the session token (403), or
    whose form holds text no page or database could take (422, :func:`check_form_text`).

    Every browser form route depends on this, so it is also the one place where every form field — declared
    or read by hand — meets the portal's one text rule (:data:`caregiver_portal.core.schemas.PlainText`)."""
    expected = request.session.get("csrf")
    supplied = request.headers.get("x-csrf-token")
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded",
                                                           "multipart/form-data")):
        form = await request.form()
        check_form_text(form)
        if supplied is None:
            supplied = form.get("csrf_token")  # type: ignore[assignment]
    if not expected or not isinstance(supplied, str) or not supplied.isascii() or not hmac.compare_digest(
            expected, supplied):
        raise HTTPException(403, "CSRF 校验失败，请刷新页面后重试")


def check_form_text(form: FormData) -> None:
    """Raise a 422 (as FastAPI does for a bad field) when any text field holds a control character or an
    unpaired surrogate."""
    problems = []
    for name, value in form.multi_items():
        for text in (name, value) if isinstance(value, str) else (name,):
            try:
                check_text(text)
            except ValueError as exc:
                problems.append({"loc": ("body", name), "msg": str(exc), "type": "value_error", "input": ""})
    if problems:
        raise RequestValidationError(problems)
