"""The roster page's picture of a site: per grid, who is on call now, whom an SOS there would call at each
step of the emergency ladder right now, and the hours of the coming week when nobody covers the grid.

It answers with the same :class:`~caregiver_portal.escalation.recipients.Directory` the escalation sweep
uses, so the page shows exactly whom the next alert would reach.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Grid, Site, User, UserGrid
from caregiver_portal.escalation.policy import Audience, PolicySet
from caregiver_portal.escalation.recipients import FALLBACK_AUDIENCES, Directory
from caregiver_portal.roster.rules import Gap, format_roster, gaps
from caregiver_portal.roster.service import ROSTERED_ROLES, Availability, is_available, rosters, site_zone

WEEK_DAYS = 7


@dataclass(frozen=True)
class Member:
    """One person of a grid as the roster page shows them."""

    user: User
    roster: str
    on_call: bool
    availability: Availability


@dataclass(frozen=True)
class StepCover:
    """Whom one step of the ladder would reach now."""

    label: str
    names: tuple[str, ...]
    contacts: bool
    """The step also calls the resident's emergency contacts."""
    fallback: tuple[str, ...] = ()
    """When the step reaches nobody: whom the sweep widens to instead."""


@dataclass(frozen=True)
class GridCover:
    """A grid's cover now and over the coming week (``grid`` None: people serving the whole site)."""

    grid: Grid | None
    members: tuple[Member, ...]
    steps: tuple[StepCover, ...]
    gaps: tuple[Gap, ...]

    @property
    def nobody_now(self) -> bool:
        """A grid where nobody is on call at the moment (the people without a grid are not a grid)."""
        return self.grid is not None and not any(member.on_call for member in self.members)


def site_cover(session: Session, *, site: Site, policies: PolicySet, now: datetime) -> list[GridCover]:
    """Every grid of ``site`` (then the people with no grid), with its cover at ``now``."""
    grids = list(session.scalars(select(Grid).where(Grid.site_id == site.id).order_by(Grid.name)))
    users = list(session.scalars(select(User).where(User.site_id == site.id, User.active.is_(True),
                                                    User.role.in_(ROSTERED_ROLES)).order_by(User.display_name)))
    books = rosters(session, (user.id for user in users), now=now)
    local_now = now.astimezone(site_zone(site))
    grids_of: dict[int, set[int]] = defaultdict(set)
    for user_id, grid_id in session.execute(select(UserGrid.user_id, UserGrid.grid_id)
                                            .where(UserGrid.user_id.in_([u.id for u in users]))):
        grids_of[user_id].add(grid_id)
    members = {user.id: Member(user, format_roster(books[user.id].shifts),
                               is_available(user, books[user.id], local_now=local_now), books[user.id])
               for user in users}
    directory = Directory(session, now=now)
    ladder = policies.for_alert("sos", emergency=True).open
    covers = []
    for grid in [*grids, None]:
        people = tuple(members[u.id] for u in users if (grid.id in grids_of[u.id] if grid else not grids_of[u.id]))
        if grid is None and not people:
            continue
        steps = tuple(_step(directory, site.id, grid.id, step.label, step.audiences)
                      for step in ladder.steps) if grid else ()
        holes = gaps([(m.availability.shifts, m.availability.leaves) for m in people], start=local_now,
                     days=WEEK_DAYS)
        covers.append(GridCover(grid, people, steps, tuple(holes)))
    return covers


def _step(directory: Directory, site_id: int, grid_id: int | None, label: str,
          audiences: frozenset[Audience]) -> StepCover:
    names = tuple(user.display_name for user in directory.people(site_id, grid_id, audiences))
    contacts = Audience.CONTACTS in audiences
    fallback: tuple[str, ...] = ()
    if not names and not contacts:
        fallback = tuple(user.display_name for user in directory.people(site_id, grid_id, FALLBACK_AUDIENCES))
    return StepCover(label, names, contacts, fallback)
