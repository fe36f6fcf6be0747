"""Roll calls against a real database (SQLite and PostgreSQL): a roll call of a grid lists its residents;
a band's SOS, a kiosk's answer (idempotent) and a volunteer's visit answer it; the ticker's sweep
escalates those still unanswered once; a closed roll call takes no more answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from caregiver_portal.accounts.models import Device, User
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.db import transaction
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.scope import user_scope
from caregiver_portal.roll_calls import service
from caregiver_portal.roll_calls.models import RollCall, RollCallEntry, RollCallEvent
from tests.portal.escalation_world import World, at, build_world


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    community = build_world(database_url)
    with transaction(community.factory) as session:  # two more residents in grid 1, one in grid 2
        session.add_all([Resident(site_id=community.site_id, grid_id=community.grid_ids[0], name=name, room=room)
                         for name, room in (("李建国", "3号楼502"), ("张桂兰", "5号楼101"))])
        session.add(Resident(site_id=community.site_id, grid_id=community.grid_ids[1], name="刘德明", room="9号楼1"))
    yield community
    community.close()


def start(world: World, username: str = "wang") -> int:
    with transaction(world.factory) as session:
        user = session.get(User, world.users[username])
        assert user is not None
        call = service.start_roll_call(session=session, user=user, scope=user_scope(session, user),
                                       site_id=world.site_id, grid_id=world.grid_ids[0], reason="heatwave",
                                       escalate_after=timedelta(minutes=30), now=at(0))
        return call.id


def states(world: World, roll_call_id: int) -> dict[str, tuple[str, str, bool]]:
    with world.factory() as session:
        entries = session.scalars(select(RollCallEntry).where(RollCallEntry.roll_call_id == roll_call_id)).all()
        return {e.resident.name: (e.state, e.source, e.alert_id is not None) for e in entries}


def test_answers_by_band_kiosk_and_visit_then_escalation_of_the_rest(world: World) -> None:
    call_id = start(world)
    assert set(states(world, call_id)) == {"王秀英", "李建国", "张桂兰"}  # grid 1 only
    sos = world.raise_alert(at(60), "rc-sos")  # 王秀英's band: the API route links it (here: the service)
    with transaction(world.factory) as session:
        alert = session.get(Alert, sos)
        assert alert is not None
        assert service.note_alert(session, alert, now=at(60)) == 1
    with transaction(world.factory) as session:
        kiosk = session.get(Device, world.kiosk_id)
        lee = session.scalar(select(Resident).where(Resident.name == "李建国"))
        assert kiosk is not None and lee is not None
        first = service.device_answer(session=session, device=kiosk, client_event_id="k-1", resident_id=lee.id,
                                      answer="safe", now=at(120))
    with transaction(world.factory) as session:
        kiosk = session.get(Device, world.kiosk_id)
        assert kiosk is not None
        again = service.device_answer(session=session, device=kiosk, client_event_id="k-1", resident_id=lee.id,
                                      answer="safe", now=at(130))
    assert (first, again) == ((1, False), (0, True))
    assert states(world, call_id) == {"王秀英": ("help", "band", True), "李建国": ("safe", "kiosk", False),
                                      "张桂兰": ("waiting", "", False)}

    sweep = dict(factory=world.factory, reads=world.factory)
    assert service.sweep_roll_calls(**sweep, now=at(30 * 60 - 1)) == 0
    assert service.sweep_roll_calls(**sweep, now=at(30 * 60)) == 1
    assert service.sweep_roll_calls(**sweep, now=at(30 * 60 + 5)) == 0  # once
    assert states(world, call_id)["张桂兰"] == ("waiting", "", True)
    with world.factory() as session:
        raised = session.scalars(select(Alert).where(Alert.kind == "roll_call")).all()
        assert [(a.place, a.emergency, a.state) for a in raised] == [("5号楼101", False, "open")]
        types = list(session.scalars(select(RollCallEvent.type).where(RollCallEvent.roll_call_id == call_id)
                                     .order_by(RollCallEvent.id)))
    assert world.timeline(raised[0].id, "raised")[0][1] == "高温点名 30 分钟未回应"
    assert types[0] == "started" and types[-1] == "escalated"
    world.sweep(at(30 * 60))  # the roll-call alert escalates like any standard alert
    assert world.timeline(raised[0].id, "escalated")


def test_a_visit_marks_help_raising_an_alert_and_a_closed_roll_call_takes_no_answers(world: World) -> None:
    call_id = start(world)
    with transaction(world.factory) as session:
        volunteer = session.get(User, world.users["li1"])
        entry = session.scalar(select(RollCallEntry).join(Resident).where(RollCallEntry.roll_call_id == call_id,
                                                                          Resident.name == "张桂兰"))
        assert volunteer is not None and entry is not None
        assert service.record_answer(session, entry, answer="help", source="visit", now=at(300), user=volunteer)
    assert states(world, call_id)["张桂兰"] == ("help", "visit", True)
    with transaction(world.factory) as session:
        grid_worker = session.get(User, world.users["wang"])
        call = session.get(RollCall, call_id)
        assert grid_worker is not None and call is not None
        service.close_roll_call(session=session, roll_call=call, user=grid_worker, now=at(600))
    with transaction(world.factory) as session:
        kiosk = session.get(Device, world.kiosk_id)
        lee = session.scalar(select(Resident).where(Resident.name == "李建国"))
        assert kiosk is not None and lee is not None
        assert service.device_answer(session=session, device=kiosk, client_event_id="late", resident_id=lee.id,
                                     answer="safe", now=at(700)) == (0, False)
    assert service.sweep_roll_calls(factory=world.factory, reads=world.factory, now=at(3600)) == 0


def test_a_volunteer_cannot_start_and_a_grid_worker_only_for_their_grids(world: World) -> None:
    from caregiver_portal.core.errors import InvalidTransition, NotFound

    with transaction(world.factory) as session:
        volunteer = session.get(User, world.users["li1"])
        grid_worker = session.get(User, world.users["wang"])
        assert volunteer is not None and grid_worker is not None
        with pytest.raises(InvalidTransition):
            service.start_roll_call(session=session, user=volunteer, scope=user_scope(session, volunteer),
                                    site_id=world.site_id, grid_id=world.grid_ids[0], reason="typhoon", now=at(0))
        with pytest.raises(NotFound):
            service.start_roll_call(session=session, user=grid_worker, scope=user_scope(session, grid_worker),
                                    site_id=world.site_id, grid_id=world.grid_ids[1], reason="typhoon", now=at(0))
        with pytest.raises(InvalidTransition):
            service.start_roll_call(session=session, user=grid_worker, scope=user_scope(session, grid_worker),
                                    site_id=world.site_id, grid_id=None, reason="power_cut", now=at(0))
