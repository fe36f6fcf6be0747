"""Sign-in and sign-out pages."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from caregiver_portal.accounts.access import ROLE_LABELS
from caregiver_portal.accounts.service import authenticate_user
from caregiver_portal.core.csrf import csrf_token, require_csrf
from caregiver_portal.core.deps import SessionDep, StateDep
from caregiver_portal.core.templating import templates

router = APIRouter()
templates.env.globals["ROLE_LABELS"] = ROLE_LABELS

LOGIN_ATTEMPTS_PER_WINDOW = 10
LOGIN_WINDOW_S = 300.0


class LoginRateLimiter:
    """At most N failed sign-ins per client address and per username within a sliding window."""

    def __init__(self, limit: int = LOGIN_ATTEMPTS_PER_WINDOW, window_s: float = LOGIN_WINDOW_S) -> None:
        self._limit, self._window_s = limit, window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def blocked(self, *keys: str, now: float) -> bool:
        """True when any key has used up its failures."""
        return any(len(self._recent(key, now)) >= self._limit for key in keys)

    def record_failure(self, *keys: str, now: float) -> None:
        """Count one failed attempt against every key."""
        for key in keys:
            self._recent(key, now).append(now)

    def _recent(self, key: str, now: float) -> deque[float]:
        attempts = self._failures[key]
        while attempts and attempts[0] <= now - self._window_s:
            attempts.popleft()
        return attempts


def login_limiter(request: Request) -> LoginRateLimiter:
    """The app's sign-in limiter (one per app, so tests and instances do not share counts)."""
    limiter = getattr(request.app.state, "login_limiter", None)
    if limiter is None:
        limiter = request.app.state.login_limiter = LoginRateLimiter()
    return limiter


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/board") -> Response:
    """The sign-in form."""
    return templates.TemplateResponse(request, "login.html", {"csrf": csrf_token(request), "next": _safe_next(next),
                                                              "error": None})


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/board"


@router.post("/login", dependencies=[Depends(require_csrf)], response_class=HTMLResponse)
def login(request: Request, session: SessionDep, state: StateDep, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=256)], next: Annotated[str, Form()] = "/board") -> Response:
    """Check the credentials; on success start a fresh session."""
    client = request.client.host if request.client else "?"
    keys = (f"ip:{client}", f"user:{username}")
    now = time.monotonic()
    error = None
    limiter = login_limiter(request)
    if limiter.blocked(*keys, now=now):
        error = "尝试次数过多，请 5 分钟后再试"
    else:
        user = authenticate_user(session=session, hasher=state.hasher, username=username, password=password)
        if user is not None:
            request.session.clear()
            request.session["user_id"] = user.id
            csrf_token(request)
            return RedirectResponse(_safe_next(next), status_code=303)
        limiter.record_failure(*keys, now=now)
        error = "用户名或密码不正确"
    return templates.TemplateResponse(request, "login.html", {"csrf": csrf_token(request), "next": _safe_next(next),
                                                              "error": error}, status_code=401)


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout(request: Request) -> Response:
    """End the browser session."""
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
