"""Request dependencies every feature uses: the app's shared state and a database session
(``Annotated`` aliases, as in the FastAPI template). Who is calling is in :mod:`caregiver_portal.accounts.deps`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from argon2 import PasswordHasher
from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.live import EventHub
from caregiver_portal.core.settings import PortalSettings


@dataclass
class PortalState:
    """What the app shares between requests; built once in ``create_app``."""

    settings: PortalSettings
    session_factory: sessionmaker[Session]
    hasher: PasswordHasher
    hub: EventHub
    roll_call_hub: EventHub | None = None
    """The live roll-call lists' hub (:mod:`caregiver_portal.roll_calls.live`)."""
    queue_hub: EventHub | None = None
    """The live volunteers' queue hub: orders and sign-ups (:mod:`caregiver_portal.queue.live`)."""
    clock: Callable[[], datetime] = field(default=utcnow)
    """The time for sign-in sessions (aware UTC); tests pass a clock they move instead of waiting."""


def get_state(request: Request) -> PortalState:
    """The app's shared state."""
    return request.app.state.portal


StateDep = Annotated[PortalState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    """A database session for one request; the services the route calls commit it (:mod:`caregiver_portal.core.uow`)."""
    with state.session_factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
