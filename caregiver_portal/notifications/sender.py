"""The outbox sender the ticker runs: per bot, claim -> rate limit -> group -> send -> record.

1. **Claim** bots with due rows by setting a lease (``lease_until``) in a short transaction
   (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so two portal processes never post the same
   rows and no database transaction stays open during HTTP (on SQLite that would hold the
   write lock). A crashed sender's lease simply expires; its rows are sent again
   (at-least-once; the vendors offer no idempotency key).
2. **Rate limit**: at most ``rate_per_minute`` HTTP posts per bot in any 60 s, counted from
   ``notification_sends``; over budget, the rows wait for the window.
3. **Group**: every due row of a bot goes out in one post (a burst becomes one message).
   Notices (rows without an alert: activity reminders) never share a post with alerts: while
   alerts are due they wait, and go out in the bot's next post.
4. **Send** with tenacity: a few quick retries with exponential backoff on transient
   failures; then the rows are rescheduled with a durable backoff, up to ``max_attempts``.
5. **Record** each attempt in ``notification_sends`` and in the timeline of every alert it
   carried ("delivery"); a notice has no timeline, its row keeps state, attempts and last error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from caregiver_portal.accounts.models import Site
from caregiver_portal.alerts.models import KIND_LABELS, Alert
from caregiver_portal.alerts.timeline import add_timeline
from caregiver_portal.core.db import transaction
from caregiver_portal.notifications.channels import Verdict, build_request
from caregiver_portal.notifications.delivery import Attempt, Batch, post_with_retries
from caregiver_portal.notifications.messages import AlertFacts, Message, Notice, Outgoing, compose, compose_notices
from caregiver_portal.notifications.models import Notification, NotificationChannel, NotificationSend

log = logging.getLogger(__name__)
WINDOW = timedelta(seconds=60)
MAX_ROWS_PER_POST = 50


def durable_backoff(attempts: int) -> timedelta:
    """Wait before the next round after ``attempts`` failed posts: 10 s doubling, at most 10 min."""
    return timedelta(seconds=min(600, 10 * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class DeliveryReport:
    """What one run of the sender did."""

    posts: int = 0
    delivered: int = 0
    deferred: int = 0
    failed: int = 0


class Sender:
    """Delivers the notification outbox; one instance per process, driven by the ticker."""

    def __init__(self, *, factory: sessionmaker[Session], public_url: str, http: requests.Session,
                 lease: timedelta = timedelta(seconds=60),
                 timeout_s: float = 5.0, quick_attempts: int = 3, max_attempts: int = 8,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._factory = factory
        self._public_url = public_url.rstrip("/")
        self._http = http
        self._lease = lease
        self._timeout_s = timeout_s
        self._quick_attempts = quick_attempts
        self._max_attempts = max_attempts
        self._sleep = sleep

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def deliver_due(self, *, now: datetime) -> DeliveryReport:
        """Deliver every due row of every bot this process can claim."""
        report = DeliveryReport()
        for channel_id in self._claim_channels(now):
            try:
                report = _add(report, self._deliver_channel(channel_id, now))
            except Exception:
                log.exception("delivery to notification channel %s failed", channel_id)
                self._release(channel_id)
        return report

    def _claim_channels(self, now: datetime) -> list[int]:
        due = exists().where(Notification.channel_id == NotificationChannel.id, Notification.state == "pending",
                             Notification.next_attempt_at <= now)
        with transaction(self._factory) as session:
            channels = session.scalars(
                select(NotificationChannel)
                .where(NotificationChannel.enabled.is_(True), due,
                       or_(NotificationChannel.lease_until.is_(None), NotificationChannel.lease_until < now))
                .order_by(NotificationChannel.id).with_for_update(skip_locked=True, of=NotificationChannel)
            ).all()
            for channel in channels:
                channel.lease_until = now + self._lease
            return [channel.id for channel in channels]

    def _release(self, channel_id: int) -> None:
        with transaction(self._factory) as session:
            channel = session.get(NotificationChannel, channel_id)
            if channel is not None:
                channel.lease_until = None

    def _deliver_channel(self, channel_id: int, now: datetime) -> DeliveryReport:
        batch, deferred = self._prepare(channel_id, now)
        if batch is None:
            return DeliveryReport(deferred=deferred)
        started = time.monotonic()
        attempts = post_with_retries(self._http, batch, attempts=min(self._quick_attempts, batch.budget),
                                     timeout_s=self._timeout_s, sleep=self._sleep,
                                     clock=lambda: now + timedelta(seconds=time.monotonic() - started))
        return self._record(batch, attempts, now)

    def _prepare(self, channel_id: int, now: datetime) -> tuple[Batch | None, int]:
        """Choose the rows to post and build the request; (None, n) when nothing can go now."""
        with transaction(self._factory) as session:
            channel = session.get(NotificationChannel, channel_id)
            if channel is None:
                return None, 0
            rows = _one_post(row for row in self._due_rows(session, channel_id, now) if not _superseded(row))
            count, oldest = session.execute(
                select(func.count(), func.min(NotificationSend.at))
                .where(NotificationSend.channel_id == channel_id, NotificationSend.at > now - WINDOW)).one()
            budget = channel.rate_per_minute - count
            if not rows or budget <= 0:
                for row in rows:
                    row.next_attempt_at = (oldest or now) + WINDOW
                channel.lease_until = None
                return None, len(rows)
            site = session.get(Site, channel.site_id)
            outgoing, document = self._render(rows, site)
            document = {"event": rows[0].event if len(rows) == 1 else "grouped", "site": site.name if site else "",
                        "sent_at": now.isoformat(), **document}
            request = build_request(kind=channel.kind, url=channel.url, secret=channel.secret, outgoing=outgoing,
                                    now=now, webhook_document=document)
            return Batch(channel.id, channel.kind, channel.name, tuple(row.id for row in rows), request, budget), 0

    def _due_rows(self, session: Session, channel_id: int, now: datetime) -> list[Notification]:
        return list(session.scalars(
            select(Notification)
            .where(Notification.channel_id == channel_id, Notification.state == "pending",
                   Notification.next_attempt_at <= now)
            .order_by(Notification.id).limit(MAX_ROWS_PER_POST)
            .options(selectinload(Notification.alert).selectinload(Alert.resident))))

    def _render(self, rows: list[Notification], site: Site | None) -> tuple[Outgoing, dict[str, object]]:
        """The post for ``rows`` (all alerts, or all notices) and their part of the webhook document."""
        if rows[0].alert is None:
            notices = [self._notice(row) for row in rows]
            documents = [{**(row.payload or {}), "event": row.event, "link": notice.link}
                         for row, notice in zip(rows, notices, strict=True)]
            return compose_notices(notices, more_link=f"{self._public_url}/activities"), {"alerts": [],
                                                                                         "notices": documents}
        messages = [self._message(row, site) for row in rows]
        alerts = [_alert_document(row, message) for row, message in zip(rows, messages, strict=True)]
        return compose(messages, board_link=f"{self._public_url}/board"), {"alerts": alerts}

    def _notice(self, row: Notification) -> Notice:
        payload = row.payload or {}
        return Notice(text=str(payload.get("text", "")), title=str(payload.get("title", "")),
                      link=f"{self._public_url}{payload.get('path', '/')}",
                      mentions=tuple(str(m) for m in payload.get("mentions", ())))

    def _message(self, row: Notification, site: Site | None) -> Message:
        alert = row.alert
        assert alert is not None  # _render passes alert rows only
        personal = bool(site and site.bot_personal_details)
        facts = AlertFacts(id=alert.id, kind_label=KIND_LABELS.get(alert.kind, alert.kind), place=alert.place,
                           emergency=alert.emergency, link=f"{self._public_url}/alerts/{alert.id}",
                           resident_name=alert.resident.name if personal and alert.resident else None,
                           detail=str(alert.details.get("finding")) if personal and alert.details.get("finding")
                           else None)
        payload = row.payload or {}
        return Message(event=row.event, facts=facts, step=str(payload.get("step", "")),
                       waited_s=payload.get("waited_s"), mentions=tuple(payload.get("mentions", ())),
                       called=tuple(payload.get("called", ())))

    def _record(self, batch: Batch, attempts: list[Attempt], now: datetime) -> DeliveryReport:
        final = attempts[-1]
        with transaction(self._factory) as session:
            rows = list(session.scalars(select(Notification).where(Notification.id.in_(batch.notification_ids))
                                        .options(selectinload(Notification.alert))))
            for attempt in attempts:
                session.add(NotificationSend(channel_id=batch.channel_id, at=attempt.at, ok=attempt.ok,
                                             status_code=attempt.status_code, messages=len(rows),
                                             error="" if attempt.ok else attempt.reason))
            outcome = ""
            for row in rows:
                first_attempt = row.attempts + 1
                row.attempts += len(attempts)
                outcome = self._settle(row, final, now)
                if row.alert is not None and row.id == min(r.id for r in rows if r.alert_id == row.alert_id):
                    self._timeline(session, row.alert, batch, attempts, first_attempt, len(rows), outcome, now)
            channel = session.get(NotificationChannel, batch.channel_id)
            if channel is not None:
                channel.lease_until = None
        delivered = len(rows) if final.ok else 0
        failed = sum(1 for row in rows if row.state == "failed")
        return DeliveryReport(posts=len(attempts), delivered=delivered, failed=failed,
                              deferred=len(rows) - delivered - failed)

    def _settle(self, row: Notification, final: Attempt, now: datetime) -> str:
        """Move a row on after its attempts; returns what the timeline should add."""
        row.last_error = "" if final.ok else final.reason
        if final.ok:
            row.state, row.sent_at = "sent", final.at
            return ""
        if final.verdict is Verdict.RATE_LIMITED:
            row.next_attempt_at = now + WINDOW
            return "，被限流，1 分钟后重发"
        if final.verdict is Verdict.GIVE_UP or row.attempts >= self._max_attempts:
            row.state = "failed"
            return "，不再重试，请检查机器人设置"
        wait = durable_backoff(row.attempts)
        row.next_attempt_at = now + wait
        return f"，{int(wait.total_seconds())} 秒后重试"

    @staticmethod
    def _timeline(session: Session, alert: Alert, batch: Batch, attempts: list[Attempt], first: int, grouped: int,
                  outcome: str, now: datetime) -> None:
        merged = f"（合并 {grouped} 条）" if grouped > 1 else ""
        for offset, attempt in enumerate(attempts):
            result = "成功" if attempt.ok else f"失败：{attempt.reason}"
            tail = outcome if offset == len(attempts) - 1 else ""
            add_timeline(session, alert, type="delivery", now=attempt.at,
                         message=f"{batch.channel_name}：第 {first + offset} 次发送{result}{merged}{tail}")


def _one_post(rows: Iterable[Notification]) -> list[Notification]:
    """The rows one post carries: the due alerts, or if there are none, the due notices."""
    rows = list(rows)
    alerts = [row for row in rows if row.alert is not None]
    return alerts or rows


def _superseded(row: Notification) -> bool:
    """An alarm for an alert someone accepted meanwhile, or a reminder for a closed one.

    Notices are withdrawn by their own service (state "skipped"), so they are never superseded here.
    """
    if row.alert is None:
        return False
    state = row.alert.state
    if (row.event == "alarm" and state != "open") or (row.event == "reminder" and state != "accepted"):
        row.state, row.last_error = "skipped", f"alert is {state}"
        return True
    return False


def _alert_document(row: Notification, message: Message) -> dict[str, object]:
    facts = message.facts
    assert row.alert is not None
    return {"id": facts.id, "kind": row.alert.kind, "kind_label": facts.kind_label, "emergency": facts.emergency,
            "state": row.alert.state, "place": facts.place, "link": facts.link, "event": row.event,
            "step": message.step, "called": list(message.called)}


def _add(a: DeliveryReport, b: DeliveryReport) -> DeliveryReport:
    return DeliveryReport(a.posts + b.posts, a.delivered + b.delivered, a.deferred + b.deferred, a.failed + b.failed)
