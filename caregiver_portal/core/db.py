"""Database engine and sessions for SQLite (embedded default) and PostgreSQL.

SQLite uses WAL and ``BEGIN IMMEDIATE`` for every transaction (SQLAlchemy's documented
pysqlite recipe): a plain deferred BEGIN lets concurrent writers die with
"database is locked". ``synchronous=FULL`` because a device is told "stored" only
after commit, and that promise must survive a power cut.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, DateTime, Engine, Executable, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from caregiver_portal.core.uow import unit_of_work


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def create_db_engine(url: str, *, busy_timeout_ms: int = 15_000, pool_size: int = 10, max_overflow: int = 20) -> Engine:
    """An engine for ``url`` with the per-backend settings described in the module docstring; on PostgreSQL it
    holds up to ``pool_size + max_overflow`` connections (several instances share the server's
    ``max_connections``: docs/operations.md)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False})
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow, pool_recycle=1800)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose sessions keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A new session in one unit of work (:mod:`caregiver_portal.core.uow`): committed on success, rolled back
    on error; the services it calls join it. For background jobs and scripts, which have no request."""
    with factory() as session, unit_of_work(session):
        yield session


def rows_changed(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE and return how many rows it changed."""
    result = session.execute(statement)
    if not isinstance(result, CursorResult):
        raise TypeError("rows_changed takes an UPDATE or DELETE statement")
    return int(result.rowcount)
