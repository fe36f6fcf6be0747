"""Transactions: services own theirs through one unit of work; idempotent inserts through :func:`insert_once`.

A service that writes is decorated with :func:`transactional`: it runs as a unit of work of its
``session`` argument, committed when it returns and rolled back when it raises. Units nest: a
service called by another service (or inside ``core.db.transaction``, or inside a caller's explicit
``session.begin()``) joins the outer unit, and only the outermost one commits. Routes therefore
never commit; they validate, call one service and render. Background jobs open their own session
and unit with :func:`caregiver_portal.core.db.transaction`.

Listeners that must run after a commit (the live board's wake-up,
:meth:`caregiver_portal.core.live.EventHub.follow_commits`) are session events, so no call site
has to remember them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransactionOrigin

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
_DEPTH = "anxin.unit_of_work_depth"


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """The body as one transaction of ``session``: the outermost unit commits on success and rolls back on error.

    A unit inside another unit, or inside a transaction the caller began explicitly with
    ``session.begin()``, joins it and leaves the commit to its owner.
    """
    depth = session.info.get(_DEPTH, 0)
    owner = depth == 0 and not _begun_explicitly(session)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if owner:
            session.commit()
    except BaseException:
        if owner:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth


def _begun_explicitly(session: Session) -> bool:
    root = session.get_transaction()
    return root is not None and root.origin is SessionTransactionOrigin.BEGIN


def transactional(service: Callable[P, R]) -> Callable[P, R]:
    """Run ``service`` as a :func:`unit_of_work` of its ``session`` argument (keyword, or the first positional)."""

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        session = kwargs.get("session", args[0] if args else None)
        if not isinstance(session, Session):
            raise TypeError(f"{service.__qualname__} needs a session argument to own its transaction")
        with unit_of_work(session):
            return service(*args, **kwargs)

    return run


def insert_once(session: Session, row: T, lookup: Callable[[], T | None]) -> tuple[T, bool]:
    """Insert ``row`` unless a unique constraint says it is stored already: ``(row, True)`` or ``(stored, False)``.

    The insert runs in a savepoint, so a concurrent duplicate (another request that stored the
    same event a moment earlier) rolls back only the savepoint; ``lookup`` then re-reads the
    stored row. Callers look for the stored row first; this closes the race between that read and
    the insert. An IntegrityError that ``lookup`` cannot explain (another constraint) is raised.
    """
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        stored = lookup()
        if stored is None:
            raise
        return stored, False
    return row, True
