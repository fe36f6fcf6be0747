"""The transaction helpers of ``core.uow`` and the live hub's commit hook, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from caregiver_portal.app import create_app
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.live import EventHub, reader_engine
from caregiver_portal.core.settings import PortalSettings
from caregiver_portal.core.uow import insert_once, transactional, unit_of_work
from tests.support.databases import DATABASE_BACKENDS, fresh_database_url
from tests.support.seeding import seed_for_tests


class Base(DeclarativeBase):
    pass


class Thing(Base):
    """A row stored once per (device, event id); its name is unique on its own too."""

    __tablename__ = "uow_thing"
    __table_args__ = (UniqueConstraint("device", "event_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    device: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(20), unique=True)


class Mark(Base):
    """A row of the test feed: inserting one is what the board would hear about."""

    __tablename__ = "uow_mark"
    id: Mapped[int] = mapped_column(primary_key=True)
    thing_id: Mapped[int | None] = mapped_column(ForeignKey("uow_thing.id"))


_READER: dict[str, sessionmaker[Session]] = {}


@pytest.fixture(scope="module", params=DATABASE_BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One fresh database per backend for this module, holding only the two test tables."""
    with fresh_database_url(request.param, tmp_path_factory.mktemp("uow"), schema=False) as url:
        engine = create_db_engine(url)
        Base.metadata.create_all(engine)
        reader = reader_engine(engine)  # on SQLite it reads while a writer holds the lock
        _READER["current"] = create_session_factory(reader)
        yield engine
        reader.dispose()
        engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on the module's database, emptied for each test."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    return create_session_factory(engine)


def names() -> list[str]:
    """What another session sees committed."""
    with _READER["current"]() as session:
        return sorted(session.scalars(select(Thing.name)))


class Boom(Exception):
    pass


def _add(session: Session, name: str) -> None:
    session.add(Thing(device="d", event_id=name, name=name))
    session.flush()


def _fail() -> None:
    raise Boom


@transactional
def store(*, session: Session, name: str, then: Callable[[], None] = lambda: None) -> None:
    """A service owning its transaction."""
    _add(session, name)
    then()


@transactional
def store_two(session: Session, first: str, second: str) -> None:
    """A service that calls another service (and takes its session positionally)."""
    store(session=session, name=first)
    store(session=session, name=second, then=_fail if second == "fail" else lambda: None)


def run_plain(session: Session) -> None:
    store(session=session, name="a")


def run_failing(session: Session) -> None:
    store(session=session, name="a", then=_fail)


def run_nested(session: Session) -> None:
    store_two(session, "a", "b")


def run_nested_failing(session: Session) -> None:
    store_two(session, "a", "fail")


def run_inside_unit_that_fails(session: Session) -> None:
    with unit_of_work(session):
        store(session=session, name="a")
        _fail()


def run_inside_explicit_begin(session: Session) -> None:
    with session.begin():
        store(session=session, name="a")
        assert names() == []  # joined: not committed yet
        store(session=session, name="b")


def run_inside_explicit_begin_that_fails(session: Session) -> None:
    with session.begin():
        store(session=session, name="a")
        _fail()


def run_after_reads(session: Session) -> None:
    session.scalars(select(Thing)).all()  # a route reads first: the transaction is already begun
    store(session=session, name="a")
    store(session=session, name="b")


@pytest.mark.parametrize(("run", "stored", "raises"), [
    (run_plain, ["a"], None),
    (run_failing, [], Boom),
    (run_nested, ["a", "b"], None),
    (run_nested_failing, [], Boom),
    (run_inside_unit_that_fails, [], Boom),
    (run_inside_explicit_begin, ["a", "b"], None),
    (run_inside_explicit_begin_that_fails, [], Boom),
    (run_after_reads, ["a", "b"], None),
], ids=lambda value: getattr(value, "__name__", str(value)))
def test_a_service_owns_its_transaction(factory: sessionmaker[Session], run: Callable[[Session], None],
                                        stored: list[str], raises: type[Exception] | None) -> None:
    with factory() as session:
        if raises is None:
            run(session)
        else:
            with pytest.raises(raises):
                run(session)
        assert names() == stored
        session.rollback()  # whatever is left open is not committed later by accident
    assert names() == stored


def test_the_units_of_a_session_commit_one_after_another(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        store(session=session, name="a")
        with pytest.raises(Boom):
            store(session=session, name="b", then=_fail)
        store(session=session, name="c")
    assert names() == ["a", "c"]


def test_a_background_transaction_is_one_unit_its_services_join(factory: sessionmaker[Session]) -> None:
    with pytest.raises(Boom), transaction(factory) as session:
        store(session=session, name="a")
        _fail()
    with transaction(factory) as session:
        store(session=session, name="b")
        assert names() == []
    assert names() == ["b"]


def test_a_service_without_a_session_is_refused() -> None:
    with pytest.raises(TypeError, match="session"):
        store(name="x")  # type: ignore[call-arg]


Spec = tuple[str, str, str]
"""A row as (device, event id, name); rows are built fresh for each database."""


@dataclass(frozen=True)
class InsertCase:
    """A row to insert once, what is stored before, and the outcome."""

    row: Spec
    stored_before: list[Spec]
    created: bool
    raises: bool = False


INSERT_CASES = {
    "new event": InsertCase(("d", "e1", "a"), [], created=True),
    "same event stored by a racing request": InsertCase(("d", "e1", "b"), [("d", "e1", "a")], created=False),
    "same event id from another device": InsertCase(("d2", "e1", "b"), [("d", "e1", "a")], created=True),
    "another constraint broken": InsertCase(("d", "e2", "a"), [("d", "e1", "a")], created=False, raises=True),
}


def _thing(spec: Spec) -> Thing:
    device, event_id, name = spec
    return Thing(device=device, event_id=event_id, name=name)


@pytest.mark.parametrize("case", INSERT_CASES.values(), ids=INSERT_CASES.keys())
def test_insert_once(factory: sessionmaker[Session], case: InsertCase) -> None:
    with transaction(factory) as setup:
        before = [_thing(spec) for spec in case.stored_before]
        setup.add_all(before)
    wanted = _thing(case.row)
    with factory() as session:
        session.add(Mark())  # earlier work of the same transaction survives a duplicate
        session.flush()

        def lookup() -> Thing | None:
            return session.scalar(select(Thing).where(Thing.device == wanted.device,
                                                      Thing.event_id == wanted.event_id))

        if case.raises:
            with pytest.raises(IntegrityError):
                insert_once(session, wanted, lookup)
            return
        row, created = insert_once(session, wanted, lookup)
        session.commit()
        assert created is case.created
        assert (row is wanted) is case.created
        if not created:
            assert row.id == before[0].id
        assert session.scalar(select(Mark.id)) is not None
    expected = [name for _d, _e, name in case.stored_before] + ([wanted.name] if case.created else [])
    assert names() == sorted(expected)


class MarkFeed:
    """A feed whose rows are :class:`Mark` rows (only its model matters to the commit hook)."""

    model = Mark
    channel = "uow_test"

    def read_after(self, session: Session, after_id: int, *, limit: int = 500) -> list[Any]:
        return []

    def merge(self, events: Any) -> list[Any]:
        return list(events)

    def event_of(self, row: Any) -> Any:
        return row.id


class CountingHub(EventHub[Any]):
    """A hub that notes what commits hand it instead of delivering: "n rows", or "poll" (None: read the table)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.handed: list[str] = []

    def publish(self, events: Any) -> None:
        self.handed.append("poll" if events is None else f"{len(events)} rows")

    @property
    def wakes(self) -> int:
        """How many commits told the hub anything."""
        return len(self.handed)


def commit_a_mark(session: Session) -> None:
    session.add(Mark())
    session.commit()


def commit_other_rows(session: Session) -> None:
    _add(session, "a")
    session.commit()


def roll_back_a_mark_then_commit(session: Session) -> None:
    session.add(Mark())
    session.flush()
    session.rollback()
    _add(session, "a")
    session.commit()


def commit_a_mark_after_a_failed_savepoint(session: Session) -> None:
    session.add(Mark())
    session.flush()
    with pytest.raises(Boom), session.begin_nested():
        _fail()
    session.commit()


def commit_a_mark_in_a_service(session: Session) -> None:
    store(session=session, name="a", then=lambda: session.add(Mark()))


def commit_two_marks_in_two_units(session: Session) -> None:
    commit_a_mark(session)
    commit_a_mark(session)


def commit_two_marks_in_one_flush(session: Session) -> None:
    session.add_all([Mark(), Mark()])
    session.commit()


@pytest.mark.parametrize(("run", "handed"), [
    (commit_a_mark, ["1 rows"]),
    (commit_two_marks_in_one_flush, ["2 rows"]),
    (commit_other_rows, []),
    (roll_back_a_mark_then_commit, []),
    (commit_a_mark_after_a_failed_savepoint, ["poll"]),  # the savepoint might have taken rows away
    (commit_a_mark_in_a_service, ["1 rows"]),
    (commit_two_marks_in_two_units, ["1 rows", "1 rows"]),
], ids=lambda value: getattr(value, "__name__", str(value)))
def test_the_hub_hears_of_commits_that_wrote_its_feed(factory: sessionmaker[Session],
                                                      run: Callable[[Session], None], handed: list[str]) -> None:
    hub = CountingHub(factory, feed=MarkFeed())
    hub.follow_commits(factory)
    with factory() as session:
        run(session)
    assert hub.handed == handed
    other = create_session_factory(factory.kw["bind"])  # another factory's sessions are not followed
    with other() as session:
        commit_a_mark(session)
    assert hub.handed == handed


class ThingFeed(MarkFeed):
    """A second feed on the same sessions, whose rows are :class:`Thing` rows."""

    model = Thing  # type: ignore[assignment]
    channel = "uow_test_things"


def test_two_hubs_on_one_factory_wake_for_their_own_feed(factory: sessionmaker[Session]) -> None:
    marks, things = CountingHub(factory, feed=MarkFeed()), CountingHub(factory, feed=ThingFeed())
    marks.follow_commits(factory)
    things.follow_commits(factory)
    with factory() as session:
        commit_a_mark(session)
        commit_other_rows(session)
        store(session=session, name="b", then=lambda: session.add(Mark()))
    assert (marks.wakes, things.wakes) == (2, 2)


def test_a_raised_alert_reaches_the_hub_through_the_commit_hook_alone(portal_settings: PortalSettings) -> None:
    """End to end: the hub polls once an hour here, so on SQLite only the commit hook can bring the new alert
    in time (on PostgreSQL LISTEN/NOTIFY may wake it too)."""
    settings = replace(portal_settings, event_poll_interval_s=3600)
    _kiosk, bridge = seed_for_tests(settings.database_url)
    with TestClient(create_app(settings)) as client:
        hub = client.app.state.portal.hub  # type: ignore[attr-defined]
        mailbox = hub.subscribe(None)

        async def next_chunk() -> bytes:
            return await asyncio.wait_for(mailbox.take(), timeout=60)

        raised = client.post("/api/v1/alerts", headers={"Authorization": f"Bearer {bridge}"},
                             json={"event_id": "hook-1", "kind": "sos", "wristband": "F0:00:00:00:00:01"})
        assert raised.status_code == 201
        chunk = client.portal.call(next_chunk)  # type: ignore[union-attr]
    assert f'"alert_id":{raised.json()["id"]},"type":"raised"'.encode() in chunk
