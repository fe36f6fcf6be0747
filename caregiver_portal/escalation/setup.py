"""Set-up of who escalation reaches: grid membership, emergency contacts, bots. Used by
``anxin admin`` (and tests); each function works inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Grid, Site, User, UserGrid
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.notifications.models import NotificationChannel, UrgentChannel
from caregiver_portal.notifications.rules import urgent_channel_problem
from caregiver_portal.notifications.service import create_channel
from caregiver_portal.residents.models import EmergencyContact, Resident
from caregiver_portal.residents.service import add_contact


def add_to_grid(session: Session, *, user: User, grid: Grid) -> None:
    """Make ``user`` a member of ``grid`` (a volunteer there, or its grid worker if a caregiver)."""
    if user.site_id != grid.site_id:
        raise ValueError("user and grid belong to different sites")
    if session.get(UserGrid, (user.id, grid.id)) is None:
        session.add(UserGrid(user_id=user.id, grid_id=grid.id))


def add_emergency_contact(session: Session, *, resident: Resident, name: str, relation: str, phone: str,
                          channel: NotificationChannel | None = None) -> EmergencyContact:
    """Record someone to tell when the resident's emergency is not accepted in time, reached through ``channel``
    (a family group, an SMS gateway) or else by phone."""
    if channel is not None and channel.site_id != resident.site_id:
        raise ValueError("the contact's channel belongs to another site")
    return add_contact(session=session, resident=resident, name=name, relation=relation, phone=phone,
                       channel_id=channel.id if channel else None)


def add_channel(session: Session, *, site: Site, kind: str, name: str, url: str, secret: str | None = None,
                audience: list[str] | None = None, grid: Grid | None = None,
                rate_per_minute: int = 20) -> NotificationChannel:
    """Register a bot or webhook; ``audience`` lists the staff roles whose steps it carries. The admin page's
    service and rules: :class:`InvalidTransition` says in Chinese what is refused."""
    return create_channel(session=session, site_id=site.id, kind=kind, name=name, url=url, secret=secret,
                          audience=list(audience or []), grid_id=grid.id if grid else None,
                          rate_per_minute=rate_per_minute)


def add_urgent_channel(session: Session, *, site: Site, kind: str, name: str, url: str, key_id: str,
                       key_secret: str, options: dict[str, Any] | None = None, position: int = 0,
                       rate_per_minute: int = 20) -> UrgentChannel:
    """Register a provider for urgent calls (a link of the site's chain, tried in ``position`` order).

    ``dingtalk_ding``: ``key_id``/``key_secret`` are the internal app's AppKey/AppSecret, options
    ``robot_code`` and ``remind`` (app, sms or phone). ``aliyun_sms``: AccessKey, options ``sign_name`` and
    ``template_code``. ``aliyun_voice``: AccessKey, options ``tts_code`` and ``show_number``. A refusal
    (:func:`rules.urgent_channel_problem`) is an :class:`InvalidTransition` in Chinese.
    """
    problem = urgent_channel_problem(kind=kind, name=name, url=url, key_id=key_id, key_secret=key_secret,
                                     options=options)
    if problem:
        raise InvalidTransition(problem)
    channel = UrgentChannel(site_id=site.id, kind=kind, name=name, url=url, key_id=key_id, key_secret=key_secret,
                            options=dict(options or {}), position=position, rate_per_minute=rate_per_minute,
                            enabled=True)
    session.add(channel)
    session.flush()
    return channel


def parse_urgent_options(items: list[str]) -> dict[str, str]:
    """``["sign_name=安心", ...]`` (the command's ``--option``, the page's lines) as a dict; blank items are
    skipped, anything without ``=`` is an :class:`InvalidTransition` in Chinese."""
    options: dict[str, str] = {}
    for item in items:
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidTransition(f"选项要写成 名称=值，例如 sign_name=安心：“{item.strip()}”不对")
        options[key.strip()] = value.strip()
    return options


def grid_named(session: Session, *, site: Site, name: str) -> Grid:
    """The grid called ``name`` at ``site``, or :class:`NotFound`."""
    grid = session.scalar(select(Grid).where(Grid.site_id == site.id, Grid.name == name))
    if grid is None:
        raise NotFound(f"site {site.name!r} has no grid {name!r}")
    return grid
