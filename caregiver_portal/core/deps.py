"""Request dependencies every feature uses: the app's shared state and a database session
(``Annotated`` aliases, as in the FastAPI template). Who is calling is in :mod:`caregiver_portal.accounts.deps`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from argon2 import PasswordHasher
from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from caregiver_portal.core.live import EventHub
from caregiver_portal.core.settings import PortalSettings


@dataclass
class PortalState:
    """What the app shares between requests; built once in ``create_app``."""

    settings: PortalSettings
    session_factory: sessionmaker[Session]
    hasher: PasswordHasher
    hub: EventHub


def get_state(request: Request) -> PortalState:
    """The app's shared state."""
    return request.app.state.portal  # type: ignore[no-any-return]


StateDep = Annotated[PortalState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    """A database session for one request; the services the route calls commit it (:mod:`caregiver_portal.core.uow`)."""
    with state.session_factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
