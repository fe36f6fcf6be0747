"""Users and devices: creation, sign-in and bearer-token authentication."""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import DEVICE_KINDS, ROLES, Device, Site, User
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.security import hash_device_token, hash_password, new_device_token, verify_password
from caregiver_portal.core.uow import transactional


@transactional
def create_user(*, session: Session, hasher: PasswordHasher, username: str, password: str, role: str,
                display_name: str, site: Site | None, phone: str = "") -> User:
    """Create a portal user with an argon2 password hash (when they are called: :mod:`caregiver_portal.roster`)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise InvalidTransition(f"user {username!r} exists already")
    user = User(username=username, display_name=display_name, password_hash=hash_password(hasher, password),
                role=role, site_id=site.id if site else None, phone=phone)
    session.add(user)
    session.flush()
    return user


def authenticate_user(*, session: Session, hasher: PasswordHasher, username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        hasher.hash(password)  # spend the same time as a real check: no user enumeration by timing
        return None
    return user if verify_password(hasher, user.password_hash, password) else None


@transactional
def create_device(*, session: Session, site: Site, kind: str, name: str) -> tuple[Device, str]:
    """Create a kiosk or bridge; returns the device and its token (shown once, stored hashed)."""
    if kind not in DEVICE_KINDS:
        raise ValueError(f"kind must be one of {DEVICE_KINDS}")
    token = new_device_token()
    device = Device(site_id=site.id, kind=kind, name=name, token_hash=hash_device_token(token))
    session.add(device)
    session.flush()
    return device, token


def authenticate_device(*, session: Session, token: str) -> Device | None:
    """The non-revoked device holding ``token``, or None."""
    device = session.scalar(select(Device).where(Device.token_hash == hash_device_token(token)))
    if device is None or device.revoked_at is not None:
        return None
    return device


@transactional
def revoke_device(*, session: Session, device_id: int, now: datetime) -> Device:
    """Revoke a device's token at once."""
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound(f"device {device_id} not found")
    device.revoked_at = device.revoked_at or now
    return device


def get_or_create_site(*, session: Session, name: str, duty_phone: str = "", address: str = "") -> Site:
    """The site called ``name``, created if missing."""
    site = session.scalar(select(Site).where(Site.name == name))
    if site is None:
        site = Site(name=name, duty_phone=duty_phone, address=address)
        session.add(site)
        session.flush()
    return site
