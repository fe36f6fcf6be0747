"""Volunteers accepting and cancelling alerts while two escalation sweepers fire their steps, all at once on one
database: the load that made PostgreSQL detect deadlocks (issue 18, point 2). Used by
``tests/reliability/test_alert_lock_order.py`` (a short run) and ``benchmarks/alert_lock_contention.py`` (30 s)."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError

from caregiver_portal.accounts.models import User
from caregiver_portal.alerts import service as alert_service
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.db import transaction
from caregiver_portal.core.errors import InvalidTransition
from tests.portal.escalation_world import World

VOLUNTEERS = ("li1", "zhao2", "wang", "sun")


@dataclass
class ContentionReport:
    """What one run did and what went wrong."""

    seconds: float = 0.0
    raised: int = 0
    accepts: int = 0
    cancels: int = 0
    refused: int = 0
    """Accepts and cancels that lost a race (the alert was no longer open): the 409 a volunteer sees."""
    sweeps: int = 0
    steps: int = 0
    failed_steps: int = 0
    """Alerts the sweep had to retry alert by alert after its batch failed."""
    deadlocks: int = 0
    """Deadlocks PostgreSQL detected in the run's database (``pg_stat_database``)."""
    unavailable: list[str] = field(default_factory=list)
    """Database errors an accept, cancel or raise met: each would have been a 503."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __str__(self) -> str:
        errors = sorted({message for message in self.unavailable})
        return (f"{self.seconds:.1f} s: {self.raised} raised, {self.accepts} accepted, {self.cancels} cancelled, "
                f"{self.refused} refused (409), {self.sweeps} sweeps firing {self.steps} steps "
                f"({self.failed_steps} retried alert by alert); {self.deadlocks} deadlocks, "
                f"{len(self.unavailable)} database errors (503) {errors}")

    def add(self, name: str, amount: int = 1) -> None:
        """Count ``amount`` more of ``name`` (thread-safe)."""
        with self.lock:
            setattr(self, name, getattr(self, name) + amount)


def deadlocks_so_far(engine: Engine) -> int:
    """Deadlocks PostgreSQL has detected in this database since its statistics were reset."""
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_stat_force_next_flush()"))
        connection.execute(text("SELECT pg_stat_clear_snapshot()"))
        return int(connection.scalar(text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"))
                   or 0)


def run_contention(world: World, *, seconds: float, acceptors: int = 2, sweepers: int = 2,
                   enough: Callable[[ContentionReport], bool] = lambda _report: True,
                   max_seconds: float | None = None) -> ContentionReport:
    """Raise SOS alerts, accept and cancel them from several threads, and sweep from ``sweepers`` more, for
    ``seconds`` — longer, up to ``max_seconds``, until ``enough(report)`` (a loaded machine does less per
    second); the sweepers' clock runs 31 minutes ahead per sweep, so every claimed alert fires a step."""
    report = ContentionReport()
    before = deadlocks_so_far(world.engine)
    stop = threading.Event()
    counter = itertools.count()
    workers: list[Callable[[], None]] = [lambda: _raise(world, report, counter)]
    workers += [lambda: _accept(world, report)] * acceptors + [lambda: _cancel(world, report)]
    workers += [lambda: _sweep(world, report)] * sweepers
    threads = [threading.Thread(target=_repeat, args=(work, stop, report), daemon=True) for work in workers]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    deadline = started + max(seconds, max_seconds or seconds)
    while not enough(report) and time.monotonic() < deadline:
        time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(60)
    report.seconds = time.monotonic() - started
    report.deadlocks = deadlocks_so_far(world.engine) - before
    return report


def _repeat(work: Callable[[], None], stop: threading.Event, report: ContentionReport) -> None:
    while not stop.is_set():
        try:
            work()
        except OperationalError as exc:  # what the portal answers with 503
            with report.lock:
                report.unavailable.append(str(exc.orig).splitlines()[0])


def _raise(world: World, report: ContentionReport, counter: itertools.count[int]) -> None:
    world.raise_alert(utcnow(), f"sos-{next(counter)}")
    report.add("raised")
    time.sleep(0.01)


def _some_alert(world: World, states: tuple[str, ...]) -> int | None:
    with world.factory() as session:
        ids = list(session.scalars(select(Alert.id).where(Alert.state.in_(states)).order_by(Alert.id.desc())
                                   .limit(20)))
    return random.choice(ids) if ids else None


def _accept(world: World, report: ContentionReport) -> None:
    alert_id = _some_alert(world, ("open",))
    if alert_id is None:
        return
    try:
        with transaction(world.factory) as session:
            user = session.get(User, world.users[random.choice(VOLUNTEERS)])
            assert user is not None
            alert_service.accept_alert(session=session, alert_id=alert_id, user=user, now=utcnow())
        report.add("accepts")
    except InvalidTransition:
        report.add("refused")


def _cancel(world: World, report: ContentionReport) -> None:
    alert_id = _some_alert(world, ("open", "accepted"))
    if alert_id is None:
        return
    try:
        with transaction(world.factory) as session:
            user = session.get(User, world.users["admin"])
            alert_service.cancel_alert(session=session, alert_id=alert_id, reason="误报", user=user, now=utcnow())
        report.add("cancels")
    except InvalidTransition:
        report.add("refused")


def _sweep(world: World, report: ContentionReport) -> None:
    with report.lock:
        report.sweeps += 1
        ahead = report.sweeps
    result = world.sweep(utcnow() + timedelta(minutes=31 * ahead))
    report.add("steps", result.steps)
    report.add("failed_steps", result.failed)
