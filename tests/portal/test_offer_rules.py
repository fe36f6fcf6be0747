"""Whom a new request is offered to and when the offer widens: pure rules, time passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from caregiver_portal.offers.rules import (
    Candidate,
    Need,
    OfferSettings,
    building_of,
    can_take,
    newly_told,
    plan_offer,
)

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
RULE = OfferSettings(nearest_n=2, widen_after=timedelta(minutes=15))
NEED = Need(grid_id=1, building=3, created_at=T0)


def vol(user_id: int, *, grid: int | None = 1, building: int | None = None, on_call: bool = True,
        paused: bool = False, taken: int = 0, limit: int | None = None) -> Candidate:
    return Candidate(user_id=user_id, grid_ids=frozenset({grid} if grid else set()), building=building,
                     on_call=on_call, paused=paused, taken_today=taken, daily_limit=limit)


@pytest.mark.parametrize(("room", "building"), [
    pytest.param("3号楼201", 3, id="hao-lou"),
    pytest.param("12栋3单元402", 12, id="dong"),
    pytest.param("5-302", 5, id="dash"),
    pytest.param("7幢", 7, id="zhuang"),
    pytest.param("社区服务中心", None, id="no-building"),
    pytest.param("", None, id="empty"),
])
def test_building_is_read_from_the_address(room: str, building: int | None) -> None:
    assert building_of(room) == building


@pytest.mark.parametrize(("candidate", "able"), [
    pytest.param(vol(1), True, id="free"),
    pytest.param(vol(1, paused=True), False, id="paused"),
    pytest.param(vol(1, taken=2, limit=3), True, id="under-limit"),
    pytest.param(vol(1, taken=3, limit=3), False, id="at-limit"),
    pytest.param(vol(1, taken=9), True, id="no-limit"),
])
def test_paused_or_at_limit_volunteers_cannot_take(candidate: Candidate, able: bool) -> None:
    assert can_take(candidate) is able


CASES = [
    pytest.param([vol(1), vol(2), vol(3, grid=2)], 0, "near", (1, 2), T0 + timedelta(minutes=15),
                 id="grid-on-call-first"),
    pytest.param([vol(1, on_call=False), vol(2), vol(3, grid=2)], 0, "near", (2,), T0 + timedelta(minutes=15),
                 id="off-duty-grid-volunteer-left-out"),
    pytest.param([vol(1, paused=True), vol(2, taken=2, limit=2), vol(3, grid=2, building=3), vol(4, grid=2)], 0,
                 "near", (3, 4), T0 + timedelta(minutes=15), id="paused-and-at-limit-skipped-then-nearest"),
    pytest.param([vol(5, grid=2, building=9), vol(6, grid=2, building=2), vol(7, grid=2, building=3),
                  vol(8, grid=2, building=4)], 0, "near", (7, 6), T0 + timedelta(minutes=15),
                 id="no-grid-volunteer-nearest-by-building"),
    pytest.param([vol(1), vol(2), vol(3, grid=2)], 15, "site", (1, 2, 3), None, id="widens-after-set-time"),
    pytest.param([vol(1), vol(3, grid=2), vol(4, grid=2, on_call=False)], 14, "near", (1,),
                 T0 + timedelta(minutes=15), id="not-yet-widened-a-minute-before"),
    pytest.param([vol(1), vol(3, grid=2, paused=True), vol(4, grid=2, on_call=False)], 20, "site", (1,), None,
                 id="site-is-those-on-call-and-able"),
    pytest.param([vol(1, on_call=False), vol(3, grid=2, on_call=False)], 20, "site", (1, 3), None,
                 id="nobody-on-call-site-is-everyone-able"),
    pytest.param([vol(1, paused=True)], 0, "site", (), None, id="nobody-able-site-offer-is-empty"),
]


@pytest.mark.parametrize(("people", "minutes", "stage", "offered", "widens"), CASES)
def test_offer_goes_to_the_nearest_first_then_widens(people: list[Candidate], minutes: int, stage: str,
                                                     offered: tuple[int, ...], widens: datetime | None) -> None:
    plan = plan_offer(NEED, people, RULE, T0 + timedelta(minutes=minutes))
    assert (plan.stage, plan.user_ids, plan.widens_at) == (stage, offered, widens)


def test_a_resident_without_grid_or_building_goes_to_the_first_on_call_volunteers() -> None:
    plan = plan_offer(Need(grid_id=None, building=None, created_at=T0),
                      [vol(3, on_call=False), vol(2), vol(1)], RULE, T0)
    assert (plan.stage, plan.user_ids, plan.reason) == ("near", (1, 2), "住得最近的 2 位志愿者")


def test_widening_tells_only_those_not_told_before() -> None:
    plan = plan_offer(NEED, [vol(1), vol(2), vol(3, grid=2)], RULE, T0 + timedelta(hours=1))
    assert newly_told([1, 2], plan) == (3,)
