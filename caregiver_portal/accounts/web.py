"""Sign-in and sign-out pages.

Sign-in is throttled per address and per account with backoff, never a lock
(:mod:`caregiver_portal.accounts.throttle`); a browser the user signed in from before skips the account's wait
(:mod:`caregiver_portal.accounts.known_device`). A session lives on the server
(:mod:`caregiver_portal.accounts.sessions`): signing out ends it at once, "sign out everywhere" ends them all.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from caregiver_portal.accounts import known_device
from caregiver_portal.accounts.access import ROLE_LABELS
from caregiver_portal.accounts.deps import SESSION_KEY, CurrentUser
from caregiver_portal.accounts.models import User
from caregiver_portal.accounts.service import authenticate_user
from caregiver_portal.accounts.sessions import end_all_sessions, end_session, start_session
from caregiver_portal.accounts.throttle import LoginThrottle
from caregiver_portal.core.csrf import csrf_token, require_csrf
from caregiver_portal.core.deps import SessionDep, StateDep
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.templating import templates

router = APIRouter()
templates.env.globals["ROLE_LABELS"] = ROLE_LABELS


def login_throttle(request: Request) -> LoginThrottle:
    """The app's sign-in throttle (one per app, so tests and instances do not share counts)."""
    throttle = getattr(request.app.state, "login_throttle", None)
    if throttle is None:
        throttle = request.app.state.login_throttle = LoginThrottle()
    return throttle


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/board") -> Response:
    """The sign-in form."""
    return _login_form(request, next, error=None)


def _login_form(request: Request, next: str, *, error: str | None, status_code: int = 200,
                headers: dict[str, str] | None = None) -> Response:
    return templates.TemplateResponse(request, "login.html", {"csrf": csrf_token(request), "next": _safe_next(next),
                                                              "error": error}, status_code=status_code,
                                      headers=headers)


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/board"


@router.post("/login", dependencies=[Depends(require_csrf)], response_class=HTMLResponse)
def login(request: Request, session: SessionDep, state: StateDep, username: Annotated[PlainText, Form(max_length=64)],
          password: Annotated[PlainText, Form(max_length=256)],
          next: Annotated[PlainText, Form(max_length=500)] = "/board") -> Response:
    """Check the credentials (after the throttle's wait, if any); on success start a fresh session."""
    address = request.client.host if request.client else "?"
    throttle = login_throttle(request)
    account_id = session.scalar(select(User.id).where(User.username == username))
    known = account_id is not None and known_device.known_user_id(
        state.settings.secret_key, request.cookies.get(known_device.COOKIE)) == account_id
    wait = throttle.wait_before(address=address, account=username, known_device=known)
    if wait > 0:
        seconds = math.ceil(wait)
        return _login_form(request, next, error=f"尝试次数过多，请 {seconds} 秒后再试", status_code=429,
                           headers={"Retry-After": str(seconds)})
    user = authenticate_user(session=session, hasher=state.hasher, username=username, password=password)
    if user is None:
        throttle.failed(address=address, account=username)
        return _login_form(request, next, error="用户名或密码不正确", status_code=401)
    throttle.succeeded(account=username)
    token = start_session(session=session, user=user, now=state.clock(), max_age_s=state.settings.session_max_age_s)
    request.session.clear()
    request.session[SESSION_KEY] = token
    csrf_token(request)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(known_device.COOKIE, known_device.issue(state.settings.secret_key, user.id),
                        max_age=known_device.MAX_AGE_S, httponly=True, samesite="lax",
                        secure=state.settings.secure_cookies)
    return response


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout(request: Request, session: SessionDep) -> Response:
    """End this browser's session (on the server too: a copy of the cookie no longer works)."""
    token = request.session.get(SESSION_KEY)
    if isinstance(token, str):
        end_session(session=session, token=token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/logout/everywhere", dependencies=[Depends(require_csrf)])
def logout_everywhere(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """End every session of the signed-in user, on every phone and computer."""
    end_all_sessions(session=session, user_id=user.id)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
