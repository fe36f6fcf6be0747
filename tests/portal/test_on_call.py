"""Escalation calls whoever the roster has on call at that moment: new volunteers at once, nobody off shift
or on leave (T0 is Wednesday 2026-11-25, 14:00 in Shanghai)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select

from caregiver_portal.accounts.models import Site, User, UserGrid
from caregiver_portal.accounts.service import create_user
from caregiver_portal.core.db import transaction
from caregiver_portal.core.security import password_hasher
from caregiver_portal.roster.service import add_leave, set_roster, start_on_call
from tests.portal.escalation_world import World, at, build_world


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    community = build_world(database_url)
    yield community
    community.close()


def first_notified(world: World, alert_id: int) -> str:
    return next(message for kind, message in world.timeline(alert_id) if kind == "notified")


def add_volunteer(world: World, username: str, name: str, *, grid: int = 1) -> int:
    with transaction(world.factory) as session:
        site = session.get(Site, world.site_id)
        user = create_user(session=session, hasher=password_hasher("fast"), username=username, password="password-1",
                           role="volunteer", display_name=name, site=site, phone="13900000099")
        session.add(UserGrid(user_id=user.id, grid_id=world.grid_ids[grid - 1]))
        start_on_call(session=session, user=user)
        return user.id


def roster(world: World, username: str, text: str) -> None:
    with transaction(world.factory) as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        set_roster(session=session, user=user, text=text)


def test_a_volunteer_added_now_is_called_by_the_next_alert(world: World) -> None:
    add_volunteer(world, "new1", "陈新")
    alert_id = world.raise_alert(at(1), "e-new")
    world.sweep(at(1))
    assert first_notified(world, alert_id) == "已通知 看板：李一、王网格、陈新"


def test_only_volunteers_whose_shift_covers_the_moment_are_called(world: World) -> None:
    roster(world, "li1", "周三 08:00-12:00")  # morning only: 14:00 is outside
    roster(world, "zhou", "周三 13:00-15:00")
    alert_id = world.raise_alert(at(0), "e-shift")
    world.sweep(at(0))
    assert first_notified(world, alert_id) == "已通知 看板：周休、王网格"


def test_a_volunteer_on_leave_is_not_called_and_is_again_after_it(world: World) -> None:
    with transaction(world.factory) as session:
        user = session.get(User, world.users["li1"])
        assert user is not None
        add_leave(session=session, user=user, first=date(2026, 11, 25), last=date(2026, 11, 25), reason="看病",
                  now=at(0))
    today = world.raise_alert(at(0), "e-leave")
    world.sweep(at(0))
    assert first_notified(world, today) == "已通知 看板：王网格"
    tomorrow = world.raise_alert(at(24 * 3600), "e-back")
    world.sweep(at(24 * 3600))
    assert first_notified(world, tomorrow) == "已通知 看板：李一、王网格"


def test_a_grid_with_nobody_on_call_falls_back_to_the_site(world: World) -> None:
    roster(world, "li1", "不值班")
    roster(world, "wang", "周一 全天")
    alert_id = world.raise_alert(at(0), "e-empty")
    world.sweep(at(0))
    escalated = [message for kind, message in world.timeline(alert_id) if kind == "escalated"]
    assert escalated == ["第1级：通知本网格值班志愿者和网格员（本级无人可通知，改为通知全站值班人员和管理员）"]
    assert first_notified(world, alert_id) == "已通知 看板：赵二、孙网格、管理员"
