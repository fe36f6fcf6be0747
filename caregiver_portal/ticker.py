"""The in-process ticker: APScheduler 3 ``BackgroundScheduler`` with its in-memory job store.

APScheduler only provides the heartbeat. Durable state (escalation deadlines, the
notification outbox, rule episodes, activity reminders) lives in our own tables, so a
restart loses nothing and several portal processes can tick against one PostgreSQL
database: each job claims its rows with ``FOR UPDATE SKIP LOCKED`` (SQLite: ``BEGIN IMMEDIATE``). Never share an
APScheduler job store between processes (its FAQ: "You can't").

Jobs are thin (as in Netflix dispatch): each reads the clock once, calls one service
function with ``now`` and logs failures; a failing item never stops a sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from caregiver_portal.activities.reminder_delivery import deliver_due_reminders, due_query
from caregiver_portal.core.clock import utcnow
from caregiver_portal.escalation.models import Escalation
from caregiver_portal.escalation.policy import DEFAULT_POLICIES, PolicySet
from caregiver_portal.escalation.sweep import sweep_escalations
from caregiver_portal.health.retention import RetentionPolicy, downsample_readings
from caregiver_portal.health.service import sweep_periodic_rules
from caregiver_portal.notifications.calls import UrgentSender
from caregiver_portal.notifications.models import Notification, UrgentCall
from caregiver_portal.notifications.sender import Sender
from caregiver_portal.offers import service as offers
from caregiver_portal.reviews.service import open_due_reviews
from caregiver_portal.roll_calls.service import sweep_roll_calls
from caregiver_portal.safety.sweep import sweep_safety
from caregiver_portal.timebank.ledger import expire_every_site

log = logging.getLogger(__name__)
HEALTH_SWEEP_S = 30.0
REMINDER_SWEEP_S = 60.0
RETENTION_SWEEP_S = 3600.0
SAFETY_SWEEP_S = 30.0
REVIEW_SWEEP_S = 5.0
ROLL_CALL_SWEEP_S = 5.0
OFFER_SWEEP_S = 15.0


class Ticker:
    """Runs the escalation sweep, the notification sender, activity reminders, the periodic health rules, the
    safety sweep (check-ins, silent bands), widening offers and retention."""

    def __init__(self, *, factory: sessionmaker[Session], public_url: str, tick_interval_s: float = 1.0,
                 policies: PolicySet = DEFAULT_POLICIES, clock: Callable[[], datetime] = utcnow,
                 http: requests.Session | None = None,
                 retention: RetentionPolicy | None = None, reads: sessionmaker[Session] | None = None) -> None:
        self.factory = factory
        self.reads = reads or factory  # lock-free reads for the idle checks (see events.reader_engine)
        self.policies = policies
        self.tick_interval_s = tick_interval_s
        self.retention = retention or RetentionPolicy()
        self._clock = clock
        self.sender = Sender(factory=factory, public_url=public_url, http=http or requests.Session())
        self.urgent = UrgentSender(factory=factory, public_url=public_url, http=requests.Session())
        self._scheduler = BackgroundScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})

    def start(self) -> None:
        """Start the scheduler thread. Escalation and delivery catch up at once after a restart;
        the heavier periodic jobs start later so they do not slow down the first requests."""
        now = datetime.now(UTC)
        jobs: list[tuple[Callable[[], None], float, str, float]] = [
            (self.run_escalations, self.tick_interval_s, "escalation", 0),
            (self.run_notifications, self.tick_interval_s, "notifications", 0),
            (self.run_urgent_calls, self.tick_interval_s, "urgent-calls", 0),
            (self.run_health_rules, max(HEALTH_SWEEP_S, self.tick_interval_s), "health-rules", 5),
            (self.run_reminders, max(REMINDER_SWEEP_S, self.tick_interval_s), "activity-reminders", 10),
            (self.run_safety, max(SAFETY_SWEEP_S, self.tick_interval_s), "safety-sweep", 15),
            (self.run_retention, RETENTION_SWEEP_S, "readings-retention", 60),
            (self.run_reviews, max(REVIEW_SWEEP_S, self.tick_interval_s), "reviews", 2),
            (self.run_roll_calls, max(ROLL_CALL_SWEEP_S, self.tick_interval_s), "roll-calls", 1),
            (self.run_offers, max(OFFER_SWEEP_S, self.tick_interval_s), "offers", 3),
            (self.run_timebank_expiry, max(RETENTION_SWEEP_S, self.tick_interval_s), "timebank-expiry", 20),
        ]
        for func, seconds, job_id, delay_s in jobs:
            self._scheduler.add_job(func, "interval", seconds=seconds, id=job_id,
                                    next_run_time=now + timedelta(seconds=delay_s))
        self._scheduler.start()

    def shutdown(self) -> None:
        """Stop the scheduler and wait for running jobs."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self.sender.close()
        self.urgent.http.close()

    def run_escalations(self) -> None:
        """Job: fire every escalation step that is due."""
        now = self._clock()
        try:
            if not self._any_due(select(Escalation.alert_id).where(Escalation.next_due_at <= now)):
                return  # the common case: no write transaction at all
            sweep_escalations(factory=self.factory, policies=self.policies, now=now)
        except Exception:
            log.exception("escalation sweep failed")

    def run_notifications(self) -> None:
        """Job: deliver the notification outbox."""
        now = self._clock()
        try:
            if self._any_due(select(Notification.id).where(Notification.state == "pending",
                                                            Notification.next_attempt_at <= now)):
                self.sender.deliver_due(now=now)
        except Exception:
            log.exception("notification sender failed")

    def run_urgent_calls(self) -> None:
        """Job: place queued urgent calls (DING, SMS, voice), each channel failing over to the next at once."""
        now = self._clock()
        try:
            if self._any_due(select(UrgentCall.id).where(UrgentCall.state == "pending",
                                                         UrgentCall.next_attempt_at <= now)):
                self.urgent.deliver_due(now=now)
        except Exception:
            log.exception("urgent-call sender failed")

    def _any_due(self, query: Select[Any]) -> bool:
        with self.reads() as session:
            return session.execute(query.limit(1)).first() is not None

    def run_reminders(self) -> None:
        """Job: tell the volunteers' bots about activities due a reminder (the day before, an hour before)."""
        now = self._clock()
        try:
            if not self._any_due(due_query(now)):
                return
            handled = deliver_due_reminders(factory=self.factory, now=now)
        except Exception:
            log.exception("activity reminders failed")
            return
        if handled:
            log.info("%d activity reminders handled", handled)

    def run_health_rules(self) -> None:
        """Job: rules that fire on silence (inactivity, a silent bridge)."""
        try:
            sweep_periodic_rules(factory=self.factory, now=self._clock())
        except Exception:
            log.exception("health rule sweep failed")

    def run_safety(self) -> None:
        """Job: missed daily check-ins (``no_checkin``) and silent bands (``band_silent``)."""
        try:
            sweep_safety(factory=self.factory, now=self._clock())
        except Exception:
            log.exception("safety sweep failed")

    def run_reviews(self) -> None:
        """Job: open a review item for every emergency not accepted within 180 s."""
        try:
            open_due_reviews(factory=self.factory, reads=self.reads, now=self._clock())
        except Exception:
            log.exception("review sweep failed")

    def run_roll_calls(self) -> None:
        """Job: raise an alert for every resident still unanswered when a roll call's time is up."""
        try:
            sweep_roll_calls(factory=self.factory, reads=self.reads, now=self._clock())
        except Exception:
            log.exception("roll-call sweep failed")

    def run_offers(self) -> None:
        """Job: offer every order nobody claimed in time to the whole site."""
        now = self._clock()
        try:
            if self._any_due(offers.due_query(now)):
                offers.widen_due_offers(factory=self.factory, now=now)
        except Exception:
            log.exception("offer sweep failed")

    def run_timebank_expiry(self) -> None:
        """Job: write the expiry lines of sites whose time-bank scheme has an expiry (idempotent)."""
        try:
            expire_every_site(factory=self.factory, now=self._clock())
        except Exception:
            log.exception("time-bank expiry failed")

    def run_retention(self) -> None:
        """Job: roll old readings up into hourly summaries."""
        try:
            downsample_readings(factory=self.factory, policy=self.retention, now=self._clock())
        except Exception:
            log.exception("readings retention failed")
