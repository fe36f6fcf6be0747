"""Offers against a real database (SQLite and PostgreSQL): a new order is offered to the grid's on-call
volunteers and @-mentions them, a paused or at-limit volunteer is left out, and the ticker's sweep widens an
unclaimed order to the whole site after the site's time, exactly once (a claimed one never)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from caregiver_portal.accounts.models import Device, User
from caregiver_portal.core.db import transaction
from caregiver_portal.notifications.models import Notification
from caregiver_portal.offers import service as offers
from caregiver_portal.offers.models import Offer
from caregiver_portal.orders import service as orders
from caregiver_portal.residents.scope import Scope
from caregiver_portal.ticker import Ticker
from tests.portal.escalation_world import T0, World, build_world


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """The escalation tests' community: grid 1 has 李一 (on call) and 周休 (off duty), grid 2 赵二."""
    community = build_world(database_url)
    community.add_channel("webhook", "http://127.0.0.1:9/hook", audience=["volunteer"])
    yield community
    community.close()


def place(world: World, event_id: str, minutes: float = 0) -> int:
    with transaction(world.factory) as session:
        kiosk = session.get(Device, world.kiosk_id)
        assert kiosk is not None
        placed = orders.place_order(session=session, device=kiosk, client_event_id=event_id,
                                    resident_id=world.resident_id, lines=[orders.LineRequest(1, name="鸡蛋")],
                                    note="", now=T0 + timedelta(minutes=minutes))
        return placed.order.id


def offer_of(world: World, order_id: int) -> Offer:
    with world.factory() as session:
        offer = session.scalar(select(Offer).where(Offer.subject == "order", Offer.subject_id == order_id))
        assert offer is not None
        session.expunge(offer)
        return offer


def notices(world: World) -> list[dict[str, object]]:
    with world.factory() as session:
        return [dict(row.payload) for row in session.scalars(select(Notification).order_by(Notification.id))]


def set_prefs(world: World, username: str, **prefs: object) -> None:
    with transaction(world.factory) as session:
        user = session.get(User, world.users[username])
        assert user is not None
        offers.set_prefs(session=session, user=user, now=T0, **{"paused": False, "daily_limit": None,
                                                                "building": "", **prefs})  # type: ignore[arg-type]


def test_new_order_is_offered_to_the_grids_on_call_volunteer_and_the_ticker_widens_it_once(world: World) -> None:
    order_id = place(world, "o-1")
    first = offer_of(world, order_id)
    assert (first.stage, first.user_ids, first.widens_at) == ("near", [world.users["li1"]], T0 + timedelta(minutes=15))
    [notice] = notices(world)
    assert notice["mentions"] == ["13800000001"] and "推送给：李一" in str(notice["text"])
    claimed_id = place(world, "o-2")
    with transaction(world.factory) as session:
        user = session.get(User, world.users["zhao2"])
        assert user is not None
        orders.claim_order(session=session, order_id=claimed_id, user=user, now=T0 + timedelta(minutes=3),
                           scope=Scope(site_id=world.site_id, grid_ids=None))

    assert offers.widen_due_offers(factory=world.factory, now=T0 + timedelta(minutes=14)) == 0
    clock = [T0 + timedelta(minutes=15)]
    Ticker(factory=world.factory, public_url="http://portal.test", clock=lambda: clock[0]).run_offers()
    widened = offer_of(world, order_id)
    assert (widened.stage, widened.widens_at) == ("site", None)
    assert widened.user_ids == [world.users["li1"], world.users["zhao2"]]  # 周休 is off duty: not told
    assert notices(world)[-1]["mentions"] == ["13800000004"] and len(notices(world)) == 3
    assert offer_of(world, claimed_id).stage == "near"  # claimed in time: closed, never widened
    assert offers.widen_due_offers(factory=world.factory, now=T0 + timedelta(hours=1)) == 0
    with world.factory() as session:
        line = offers.card_lines(session, subject="order", ids=[order_id])[order_id]
    assert (line.stage, line.names) == ("site", ("李一", "赵二"))


def test_paused_and_at_limit_volunteers_are_not_offered(world: World) -> None:
    set_prefs(world, "li1", paused_until=T0 + timedelta(hours=10))  # paused for today (midnight in Shanghai)
    set_prefs(world, "zhao2", daily_limit=1, building="3号楼")
    first = offer_of(world, place(world, "o-3"))
    assert (first.stage, first.user_ids) == ("near", [world.users["zhao2"]])  # nearest: 李一 paused
    with transaction(world.factory) as session:
        user = session.get(User, world.users["zhao2"])
        assert user is not None
        orders.claim_order(session=session, order_id=first.subject_id, user=user, now=T0 + timedelta(minutes=1),
                           scope=Scope(site_id=world.site_id, grid_ids=None))
    second = offer_of(world, place(world, "o-4", minutes=2))
    # 赵二 reached the limit of 1 today, 李一 paused: nobody able is on call, so the nearest of all (周休)
    assert (second.stage, second.user_ids) == ("near", [world.users["zhou"]])
    tomorrow = offer_of(world, place(world, "o-5", minutes=10 * 60))  # 李一's pause is over, 赵二's count is new
    assert (tomorrow.stage, tomorrow.user_ids) == ("near", [world.users["li1"]])
