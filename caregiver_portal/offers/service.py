"""Offers in the database: the first offer of a new order, widening the due ones, what a card shows, and the
volunteers' own settings (pause, daily limit, building).

The rule itself is pure (:mod:`caregiver_portal.offers.rules`); this module loads the facts it needs (who is
on call from the roster, what each volunteer took today) and tells the chosen volunteers through the
volunteers' bots, @-mentioning them (the same outbox as alarms). The widening sweep follows the escalation
sweep: rows with a due ``widens_at``, claimed with ``FOR UPDATE SKIP LOCKED`` (SQLite: ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from caregiver_portal.accounts.models import Site, User, UserGrid
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.db import transaction
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.uow import transactional
from caregiver_portal.notifications.outbox import enqueue
from caregiver_portal.offers.models import Offer, OfferSiteSettings, VolunteerOfferPrefs
from caregiver_portal.offers.rules import (
    Candidate,
    Need,
    OfferPlan,
    OfferSettings,
    building_of,
    can_take,
    newly_told,
    plan_offer,
    site_offer,
)
from caregiver_portal.orders.models import GroceryOrder
from caregiver_portal.queue import service as queue_service
from caregiver_portal.roster.service import available_user_ids, site_zone

log = logging.getLogger(__name__)
MAX_DAILY_LIMIT = 50
STAGE_LABELS = {"near": "优先推送", "site": "已扩大到全站"}


@dataclass(frozen=True)
class Announcement:
    """What the bots say about a new request, and where it links."""

    text: str
    title: str
    path: str


@dataclass(frozen=True)
class OfferLine:
    """What an order card shows about its offer."""

    stage: str
    names: tuple[str, ...]
    reason: str
    widens_at: datetime | None


def site_settings(session: Session, site_id: int) -> OfferSettings:
    """The site's offer rule (the defaults when the admin never changed it)."""
    row = session.get(OfferSiteSettings, site_id)
    if row is None:
        return OfferSettings()
    return OfferSettings(nearest_n=row.nearest_n, widen_after=timedelta(minutes=row.widen_minutes))


def local_midnight(site: Site | None, now: datetime) -> datetime:
    """The start of the site's local day containing ``now``."""
    return now.astimezone(site_zone(site)).replace(hour=0, minute=0, second=0, microsecond=0)


def taken_today(session: Session, user_ids: Iterable[int], *, since: datetime) -> dict[int, int]:
    """Orders claimed and help requests accepted by each user since ``since``."""
    ids = list(user_ids)
    counts: dict[int, int] = defaultdict(int)
    if not ids:
        return counts
    for user_id, count in session.execute(
            select(GroceryOrder.claimed_by_id, func.count()).where(GroceryOrder.claimed_by_id.in_(ids),
                                                                   GroceryOrder.claimed_at >= since)
            .group_by(GroceryOrder.claimed_by_id)):
        counts[int(user_id)] += int(count)
    for user_id, count in session.execute(
            select(Alert.accepted_by_id, func.count()).where(Alert.accepted_by_id.in_(ids), Alert.emergency.is_(False),
                                                             Alert.accepted_at >= since)
            .group_by(Alert.accepted_by_id)):
        counts[int(user_id)] += int(count)
    return counts


def candidates(session: Session, *, site: Site, now: datetime) -> tuple[list[Candidate], dict[int, User]]:
    """Every active volunteer of ``site`` as the rule sees them, and the users by id."""
    users = list(session.scalars(select(User).where(User.site_id == site.id, User.active.is_(True),
                                                    User.role == "volunteer").order_by(User.id)))
    ids = [user.id for user in users]
    grids: dict[int, set[int]] = defaultdict(set)
    prefs: dict[int, VolunteerOfferPrefs] = {}
    if ids:
        for user_id, grid_id in session.execute(select(UserGrid.user_id, UserGrid.grid_id)
                                                .where(UserGrid.user_id.in_(ids))):
            grids[user_id].add(grid_id)
        prefs = {row.user_id: row for row in session.scalars(
            select(VolunteerOfferPrefs).where(VolunteerOfferPrefs.user_id.in_(ids)))}
    on_call = available_user_ids(session, users, site=site, now=now)
    taken = taken_today(session, ids, since=local_midnight(site, now))
    result = []
    for user in users:
        pref = prefs.get(user.id)
        result.append(Candidate(user_id=user.id, grid_ids=frozenset(grids[user.id]),
                                building=building_of(pref.building) if pref else None, on_call=user.id in on_call,
                                paused=is_paused(pref, now), taken_today=taken.get(user.id, 0),
                                daily_limit=pref.daily_limit if pref else None))
    return result, {user.id: user for user in users}


def is_paused(pref: VolunteerOfferPrefs | None, now: datetime) -> bool:
    """Paused until they resume, or paused for today and today is not over."""
    if pref is None:
        return False
    return pref.paused or (pref.paused_until is not None and now < pref.paused_until)


def _tell(session: Session, *, site: Site, grid_id: int | None, users: list[User], news: Announcement, note: str,
          now: datetime) -> int:
    """Queue one notice to the volunteers' bots naming and @-mentioning ``users``; returns how many bots."""
    if not users or not site.bot_requests:
        return 0
    names = "、".join(user.display_name for user in users)
    mentions = [user.phone for user in users if user.phone]
    channels = queue_service.volunteer_channels(session, site_id=site.id, grid_id=grid_id)
    for channel in channels:
        enqueue(session, alert=None, channel_id=channel.id, event=queue_service.EVENT, now=now,
                payload={"text": f"{news.text}（{note}：{names}）", "title": news.title, "path": news.path,
                         "mentions": mentions})
    return len(channels)


def offer_new(session: Session, *, subject: str, subject_id: int, site: Site, grid_id: int | None, room: str,
              news: Announcement, now: datetime) -> Offer:
    """Offer a new request (in the caller's transaction): store who gets it and tell them."""
    need = Need(grid_id=grid_id, building=building_of(room), created_at=now)
    people, users = candidates(session, site=site, now=now)
    plan = plan_offer(need, people, site_settings(session, site.id), now)
    offer = Offer(site_id=site.id, subject=subject, subject_id=subject_id, stage=plan.stage, reason=plan.reason,
                  user_ids=list(plan.user_ids), created_at=now, widens_at=plan.widens_at,
                  widened_at=now if plan.stage == "site" else None)
    session.add(offer)
    _tell(session, site=site, grid_id=grid_id, users=[users[i] for i in plan.user_ids], news=news,
          note="推送给" if plan.stage == "near" else "全站推送", now=now)
    return offer


def _still_open(session: Session, offer: Offer) -> GroceryOrder | None:
    if offer.subject != "order":
        return None
    order = session.get(GroceryOrder, offer.subject_id)
    return order if order is not None and order.state == "submitted" else None


def widen(session: Session, offer: Offer, *, now: datetime) -> OfferPlan | None:
    """Widen one due offer to the whole site if its request is still unclaimed (else just close it)."""
    offer.widens_at = None
    order = _still_open(session, offer)
    site = session.get(Site, offer.site_id)
    if order is None or site is None:
        return None
    grid_id = order.resident.grid_id if order.resident else None
    people, users = candidates(session, site=site, now=now)
    plan = site_offer(people)
    fresh = newly_told(offer.user_ids, plan)
    offer.stage, offer.reason, offer.widened_at = "site", plan.reason, now
    offer.user_ids = list(offer.user_ids) + list(fresh)
    minutes = max(int((now - offer.created_at).total_seconds() // 60), 0)
    news = Announcement(text=f"代购单 #{order.id} {minutes} 分钟无人认领，现推送全站", title=f"代购单 #{order.id}",
                        path=f"/orders/{order.id}")
    _tell(session, site=site, grid_id=grid_id, users=[users[i] for i in fresh], news=news, note="新推送给", now=now)
    queue_service.record(session, site_id=site.id, subject="order", subject_id=order.id, type="widened", now=now)
    return plan


def due_query(now: datetime) -> Select[tuple[int]]:
    """Offers whose widening is due at ``now`` (the ticker checks this without a write transaction)."""
    return select(Offer.id).where(Offer.widens_at <= now)


def widen_due_offers(*, factory: sessionmaker[Session], now: datetime, batch_size: int = 200) -> int:
    """The ticker's job: widen every offer due at ``now``, each in a savepoint (one failure never stops the rest)."""
    handled = 0
    while True:
        with transaction(factory) as session:
            rows = session.scalars(select(Offer).where(Offer.widens_at <= now)
                                   .order_by(Offer.widens_at, Offer.id).limit(batch_size)
                                   .with_for_update(skip_locked=True)).all()
            for offer in rows:
                try:
                    with session.begin_nested():
                        widen(session, offer, now=now)
                except Exception:
                    log.exception("widening offer %s failed; trying again in a minute", offer.id)
                    offer.widens_at = now + timedelta(minutes=1)
        handled += len(rows)
        if len(rows) < batch_size:
            return handled


def blocked_volunteers(session: Session, *, site: Site, now: datetime) -> frozenset[int]:
    """Volunteers of ``site`` who must not be offered anything now (paused, or at their daily limit)."""
    people, _ = candidates(session, site=site, now=now)
    return frozenset(c.user_id for c in people if not can_take(c))


def card_lines(session: Session, *, subject: str, ids: Iterable[int]) -> dict[int, OfferLine]:
    """What each card of ``ids`` shows about its offer (requests without an offer are left out)."""
    wanted = list(ids)
    if not wanted:
        return {}
    offers = list(session.scalars(select(Offer).where(Offer.subject == subject, Offer.subject_id.in_(wanted))))
    user_ids = {user_id for offer in offers for user_id in offer.user_ids}
    names = {row.id: row.display_name for row in session.execute(
        select(User.id, User.display_name).where(User.id.in_(user_ids)))} if user_ids else {}
    return {offer.subject_id: OfferLine(stage=offer.stage, names=tuple(names.get(i, "?") for i in offer.user_ids),
                                        reason=offer.reason, widens_at=offer.widens_at) for offer in offers}


def prefs_of(session: Session, user_id: int) -> VolunteerOfferPrefs | None:
    """A volunteer's offer settings, if they ever set any."""
    return session.get(VolunteerOfferPrefs, user_id)


@transactional
def set_prefs(*, session: Session, user: User, paused: bool, daily_limit: int | None, building: str,
              now: datetime, paused_until: datetime | None = None) -> VolunteerOfferPrefs:
    """Store what a volunteer set: pause (until they resume, or until ``paused_until``), a daily limit (None: no
    limit), the building they live in."""
    if daily_limit is not None and not 1 <= daily_limit <= MAX_DAILY_LIMIT:
        raise InvalidTransition(f"每天最多接单数请填 1 到 {MAX_DAILY_LIMIT}，不限就留空")
    row = session.get(VolunteerOfferPrefs, user.id)
    if row is None:
        row = VolunteerOfferPrefs(user_id=user.id, updated_at=now)
        session.add(row)
    row.paused, row.paused_until, row.updated_at = paused, paused_until, now
    row.daily_limit, row.building = daily_limit, building.strip()[:20]
    return row


@transactional
def set_site_settings(*, session: Session, site_id: int, nearest_n: int, widen_minutes: int) -> OfferSiteSettings:
    """Store a site's offer rule."""
    if not 1 <= nearest_n <= 20:
        raise InvalidTransition("优先推送人数请填 1 到 20")
    if not 1 <= widen_minutes <= 24 * 60:
        raise InvalidTransition("扩大到全站的时间请填 1 到 1440 分钟")
    row = session.get(OfferSiteSettings, site_id)
    if row is None:
        row = OfferSiteSettings(site_id=site_id)
        session.add(row)
    row.nearest_n, row.widen_minutes = nearest_n, widen_minutes
    return row
