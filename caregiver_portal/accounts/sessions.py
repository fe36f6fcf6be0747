"""Server-side sign-in sessions: the browser's signed cookie carries only a random session token; the portal
keeps its SHA-256 with the user and the expiry. Signing out ends that session at once (a copied cookie dies
with it); a new password, an admin's "sign out everywhere" or the user's own end all of a user's sessions;
a deactivated user has none that count.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import User, UserSession
from caregiver_portal.core.uow import transactional, unit_of_work

LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transactional
def start_session(*, session: Session, user: User, now: datetime, max_age_s: int) -> str:
    """A new session of ``user`` valid for ``max_age_s``; returns its token (for the browser's cookie only).
    Expired sessions of every user are removed on the way."""
    session.execute(delete(UserSession).where(UserSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(UserSession(id=_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                            expires_at=now + timedelta(seconds=max_age_s)))
    session.flush()
    return token


def session_user(session: Session, *, token: str, now: datetime) -> User | None:
    """The active user of the unexpired session ``token``, else None."""
    row = session.get(UserSession, _digest(token))
    if row is None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        with unit_of_work(session):
            row.last_seen_at = now
    return user


@transactional
def end_session(*, session: Session, token: str) -> None:
    """Sign this session out."""
    session.execute(delete(UserSession).where(UserSession.id == _digest(token)))


@transactional
def end_all_sessions(*, session: Session, user_id: int) -> int:
    """Sign ``user_id`` out everywhere; returns how many sessions ended."""
    ended = session.scalars(select(UserSession.id).where(UserSession.user_id == user_id)).all()
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    return len(ended)
