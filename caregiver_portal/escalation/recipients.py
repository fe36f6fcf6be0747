"""Who an escalation step reaches: audiences resolved to users, contacts and bot routes.

A :class:`Directory` loads a site's active users, grid memberships, who is on call at ``now``
(their roster and leave, :mod:`caregiver_portal.roster`) and enabled bots once and answers for
many alerts (one sweep), so a sweep of thousands of alerts stays cheap.

Routing rule: a bot carries a step when it serves the alert's grid (or the whole site,
``grid_id`` NULL) and its ``audience`` lists the role of at least one recipient; those
recipients' phones are @-mentioned. An emergency contact is reached through the bot or
webhook named on the contact (a family group, an SMS gateway); without one, the timeline
tells the volunteers to phone them. A non-emergency request never reaches a volunteer who paused
offers or reached their daily limit (:mod:`caregiver_portal.offers`); an emergency reaches everyone on call.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Site, User, UserGrid
from caregiver_portal.alerts.models import Alert
from caregiver_portal.escalation.policy import Audience
from caregiver_portal.notifications.calls import Callee
from caregiver_portal.notifications.models import NotificationChannel
from caregiver_portal.offers.service import blocked_volunteers
from caregiver_portal.residents.models import EmergencyContact, Resident
from caregiver_portal.roster.service import available_user_ids

# When a step would reach nobody (no grid, nobody on duty there), widen to these.
FALLBACK_AUDIENCES = frozenset({Audience.SITE_VOLUNTEERS, Audience.CAREGIVERS, Audience.ADMINS})


@dataclass(frozen=True)
class Recipients:
    """The people one step notifies."""

    users: tuple[User, ...] = ()
    contacts: tuple[EmergencyContact, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nobody would be told."""
        return not self.users and not self.contacts

    def names(self) -> list[str]:
        """Who is called, for the bots: staff by name, the resident's family only counted (PIPL)."""
        family = [f"{len(self.contacts)} 位紧急联系人"] if self.contacts else []
        return [user.display_name for user in self.users] + family


@dataclass
class Route:
    """One bot message for one step: the channel and whom to @-mention in it."""

    channel: NotificationChannel
    mentions: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)


@dataclass
class _SiteBook:
    users: list[User]
    grids_of: dict[int, set[int]]
    channels: list[NotificationChannel]
    available: frozenset[int]
    """Users who may be called now (on shift and not on leave; admins unless on leave)."""

    def channel(self, channel_id: int) -> NotificationChannel | None:
        """The enabled bot ``channel_id`` of this site, if any."""
        return next((c for c in self.channels if c.id == channel_id), None)


class Directory:
    """Resolves audiences for alerts of any site, caching each site's people and bots."""

    def __init__(self, session: Session, *, now: datetime) -> None:
        self._session = session
        self._now = now
        self._books: dict[int, _SiteBook] = {}
        self._blocked: dict[int, frozenset[int]] = {}

    def resolve(self, alert: Alert, audiences: frozenset[Audience]) -> Recipients:
        """The users and contacts ``audiences`` mean for ``alert``, each once, in a stable order."""
        blocked = frozenset[int]() if alert.emergency else self.blocked(alert.site_id)
        chosen = {user.id: user for user in self.people(alert.site_id, _grid_of(alert), audiences)
                  if user.id not in blocked}
        if Audience.ACCEPTOR in audiences and alert.accepted_by_id and alert.accepted_by_id not in chosen:
            acceptor = self._session.get(User, alert.accepted_by_id)
            if acceptor is not None:
                chosen[acceptor.id] = acceptor
        contacts: tuple[EmergencyContact, ...] = ()
        if Audience.CONTACTS in audiences and alert.resident_id is not None:
            contacts = tuple(self._session.scalars(
                select(EmergencyContact).where(EmergencyContact.resident_id == alert.resident_id)
                .order_by(EmergencyContact.priority, EmergencyContact.id)))
        return Recipients(users=tuple(chosen.values()), contacts=contacts)

    def blocked(self, site_id: int) -> frozenset[int]:
        """Volunteers who paused offers or reached their daily limit: not told of non-emergency requests."""
        if site_id not in self._blocked:
            site = self._session.get(Site, site_id)
            blocked = blocked_volunteers(self._session, site=site, now=self._now) if site else frozenset[int]()
            self._blocked[site_id] = blocked
        return self._blocked[site_id]

    def people(self, site_id: int, grid_id: int | None, audiences: frozenset[Audience]) -> list[User]:
        """The users of ``site_id`` that ``audiences`` reach now for an alert in ``grid_id`` (not the acceptor)."""
        book = self._book(site_id)
        return [user for user in book.users if any(_belongs(user, audience, grid_id, book) for audience in audiences)]

    def routes(self, alert: Alert, recipients: Recipients) -> list[Route]:
        """The bot messages that carry one step to ``recipients``."""
        book = self._book(alert.site_id)
        grid_id = _grid_of(alert)
        routes: dict[int, Route] = {}
        for channel in book.channels:
            if channel.grid_id is not None and channel.grid_id != grid_id:
                continue
            targets = [user for user in recipients.users if user.role in (channel.audience or [])]
            if targets:
                route = routes.setdefault(channel.id, Route(channel))
                route.mentions += [user.phone for user in targets if user.phone]
                route.names += [user.display_name for user in targets]
        for contact in recipients.contacts:
            bot = book.channel(contact.channel_id) if contact.channel_id else None
            if bot is not None:
                route = routes.setdefault(bot.id, Route(bot))
                route.mentions += [contact.phone] if contact.phone else []
                route.names.append(f"{contact.relation} {contact.name}")
                route.contact_ids.append(contact.id)
        return list(routes.values())

    def _book(self, site_id: int) -> _SiteBook:
        book = self._books.get(site_id)
        if book is None:
            users = list(self._session.scalars(
                select(User).where(User.site_id == site_id, User.active.is_(True)).order_by(User.id)))
            grids_of: dict[int, set[int]] = defaultdict(set)
            memberships = self._session.execute(
                select(UserGrid.user_id, UserGrid.grid_id).join(User, User.id == UserGrid.user_id)
                .where(User.site_id == site_id))
            for user_id, grid_id in memberships:
                grids_of[user_id].add(grid_id)
            channels = list(self._session.scalars(
                select(NotificationChannel).where(NotificationChannel.site_id == site_id,
                                                  NotificationChannel.enabled.is_(True))
                .order_by(NotificationChannel.id)))
            available = available_user_ids(self._session, users, site=self._session.get(Site, site_id), now=self._now)
            book = self._books[site_id] = _SiteBook(users, grids_of, channels, available)
        return book


def _grid_of(alert: Alert) -> int | None:
    resident: Resident | None = alert.resident
    return resident.grid_id if resident is not None else None


def _belongs(user: User, audience: Audience, grid_id: int | None, book: _SiteBook) -> bool:
    if user.id not in book.available:
        return False
    in_grid = grid_id is not None and grid_id in book.grids_of.get(user.id, set())
    match audience:
        case Audience.GRID_VOLUNTEERS:
            return user.role == "volunteer" and in_grid
        case Audience.GRID_WORKER:
            return user.role == "caregiver" and in_grid
        case Audience.SITE_VOLUNTEERS:
            return user.role == "volunteer"
        case Audience.CAREGIVERS:
            return user.role == "caregiver"
        case Audience.ADMINS:
            return user.role == "admin"
    return False


def callees(recipients: Recipients) -> list[Callee]:
    """Everyone a step reaches who has a phone, for urgent calls: staff by name, contacts by relation and name."""
    people = [Callee(user.display_name, user.phone) for user in recipients.users if user.phone]
    return people + [Callee(f"{c.relation} {c.name}".strip(), c.phone) for c in recipients.contacts if c.phone]


def describe(recipients: Recipients, routes: list[Route]) -> str:
    """The timeline text of a "notified" entry: who, through which bots, whom to phone."""
    parts = []
    if recipients.users:
        parts.append("看板：" + "、".join(user.display_name for user in recipients.users))
    for route in routes:
        parts.append(f"{route.channel.name}：" + ("、".join(route.names) or "群内通知"))
    routed = {contact_id for route in routes for contact_id in route.contact_ids}
    unreachable = [c for c in recipients.contacts if c.id not in routed]
    if unreachable:
        parts.append("请电话联系 " + "、".join(f"{c.relation} {c.name} {c.phone}" for c in unreachable))
    return "已通知 " + "；".join(parts) if parts else "无人可通知"
