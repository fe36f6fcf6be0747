"""Who may see which residents: a user's scope (site, grids), shared by every page that lists residents
or their orders, visits and sign-ups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.deps import CurrentUser
from caregiver_portal.accounts.models import Grid, User, UserGrid
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import NotFound
from caregiver_portal.residents.models import Resident


@dataclass(frozen=True)
class Scope:
    """The part of the portal's data a user works on.

    ``site_id`` None means every site (an admin without a site); ``grid_ids`` None means every
    grid of the site. Volunteers and grid workers are limited to their grids once the site
    assigns grids to people; until then they work on their whole site.
    """

    site_id: int | None
    grid_ids: frozenset[int] | None = None

    def allows(self, *, site_id: int, grid_id: int | None) -> bool:
        """True when a row of ``site_id`` / ``grid_id`` is inside this scope."""
        if self.site_id is not None and site_id != self.site_id:
            return False
        return self.grid_ids is None or grid_id in self.grid_ids

    def allows_resident(self, resident: Resident | None) -> bool:
        """True when ``resident`` lives inside this scope (None: a request without a known resident)."""
        if resident is None:
            return True
        return self.allows(site_id=resident.site_id, grid_id=resident.grid_id)

    def filter_residents(self, query: Select[Any]) -> Select[Any]:
        """Restrict a query that selects from ``residents`` to this scope."""
        if self.site_id is not None:
            query = query.where(Resident.site_id == self.site_id)
        if self.grid_ids is not None:
            query = query.where(Resident.grid_id.in_(self.grid_ids))
        return query


def visible_grids(session: Session, scope: Scope) -> list[Grid]:
    """The grids a list inside ``scope`` can be filtered by, by site and name."""
    query = select(Grid).order_by(Grid.site_id, Grid.name)
    if scope.site_id is not None:
        query = query.where(Grid.site_id == scope.site_id)
    if scope.grid_ids is not None:
        query = query.where(Grid.id.in_(scope.grid_ids))
    return list(session.scalars(query))


def member_grid_ids(session: Session, user: User) -> frozenset[int] | None:
    """The grids ``user`` belongs to, or None when the user has none (then the whole site is theirs)."""
    grids = frozenset(session.scalars(select(UserGrid.grid_id).where(UserGrid.user_id == user.id)))
    return grids or None


def user_scope(session: Session, user: User) -> Scope:
    """The scope of ``user``: admins see their site (or every site), others their grids."""
    if user.role == "admin":
        return Scope(site_id=user.site_id)
    return Scope(site_id=user.site_id, grid_ids=member_grid_ids(session, user))


def resident_in_scope(session: Session, scope: Scope, resident_id: int) -> Resident:
    """The resident with ``resident_id`` if it lies in ``scope``, else :class:`NotFound`."""
    resident = session.get(Resident, resident_id)
    if resident is None or not scope.allows_resident(resident):
        raise NotFound("找不到这位居民")
    return resident


def scope_of(session: SessionDep, user: CurrentUser) -> Scope:
    """The signed-in user's scope."""
    return user_scope(session, user)


ScopeDep = Annotated[Scope, Depends(scope_of)]
