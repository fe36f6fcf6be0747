"""Who is calling: the device behind a bearer token, the signed-in user, and role checks
(``Annotated`` aliases for routes)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy.orm import Session

from caregiver_portal.accounts.access import STAFF_ROLES, require_role
from caregiver_portal.accounts.models import Device, User
from caregiver_portal.accounts.service import authenticate_device
from caregiver_portal.accounts.sessions import session_user
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.deps import SessionDep, get_state
from caregiver_portal.core.errors import Forbidden
from caregiver_portal.core.uow import unit_of_work


def current_device(session: SessionDep, authorization: Annotated[str | None, Header()] = None) -> Device:
    """The device whose bearer token is in the Authorization header, or HTTP 401."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "缺少设备令牌 (Authorization: Bearer <token>)",
                            headers={"WWW-Authenticate": "Bearer"})
    device = authenticate_device(session=session, token=token.strip())
    if device is None:
        raise HTTPException(401, "设备令牌无效或已吊销", headers={"WWW-Authenticate": "Bearer"})
    note_device_seen(session, device, utcnow())
    return device


DEVICE_SEEN_RESOLUTION = timedelta(seconds=30)


def note_device_seen(session: Session, device: Device, now: datetime) -> None:
    """Record that ``device`` is alive (at most every 30 s: the "bridge silent" rule reads it)."""
    if device.last_seen_at is None or now - device.last_seen_at >= DEVICE_SEEN_RESOLUTION:
        with unit_of_work(session):
            device.last_seen_at = now


DeviceDep = Annotated[Device, Depends(current_device)]


def current_bridge(device: DeviceDep) -> Device:
    """The calling device, which must be a wristband bridge (HTTP 403 otherwise)."""
    if device.kind != "bridge":
        raise Forbidden("只有手环网关可以使用这个接口")
    return device


def current_kiosk(device: DeviceDep) -> Device:
    """The calling device, which must be a kiosk (HTTP 403 otherwise)."""
    if device.kind != "kiosk":
        raise Forbidden("只有自助机可以使用这个接口")
    return device


BridgeDep = Annotated[Device, Depends(current_bridge)]
KioskDep = Annotated[Device, Depends(current_kiosk)]


class LoginRequired(Exception):
    """Raised by page dependencies when nobody is signed in; answered with a redirect."""


SESSION_KEY = "sid"
"""Where the browser's signed cookie keeps its server-side session token."""


def optional_user(request: Request, session: SessionDep) -> User | None:
    """The signed-in user of this browser session, if the session still lives on the server."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    user = session_user(session, token=token, now=get_state(request).clock())
    if user is None:
        request.session.clear()
    return user


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    """The signed-in user, or a redirect to the sign-in page."""
    if user is None:
        raise LoginRequired()
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def visible_site_id(user: User) -> int | None:
    """The site whose alerts ``user`` sees; None means every site (admins without a site)."""
    return None if user.role == "admin" and user.site_id is None else user.site_id


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
