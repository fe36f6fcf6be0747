"""CSRF protection: a per-session token checked on every state-changing browser request."""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def require_csrf(request: Request) -> None:
    """Refuse a POST whose form field or ``X-CSRF-Token`` header does not carry the session token."""
    expected = request.session.get("csrf")
    supplied = request.headers.get("x-csrf-token")
    if supplied is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        supplied = (await request.form()).get("csrf_token")  # type: ignore[assignment]
    if not expected or not isinstance(supplied, str) or not hmac.compare_digest(expected, supplied):
        raise HTTPException(403, "CSRF 校验失败，请刷新页面后重试")
