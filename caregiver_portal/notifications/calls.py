"""Urgent calls when nobody answers: an escalation step marked ``urgent`` queues one call per person
(:func:`enqueue_calls`, in the step's transaction), and :class:`UrgentSender` (a ticker job) places each
through the site's chain of urgent channels (:mod:`.providers`): DingTalk DING, Aliyun SMS, Aliyun voice.

- A failed delivery (refused, throttled, unreachable, over our own per-channel rate limit, a person
  DingTalk does not know) moves to the **next channel at once**, in the same run; when every channel
  failed the timeline says whom to phone by hand.
- A call for an alert someone accepted (or closed) meanwhile is skipped.
- Rows are claimed with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and no transaction stays
  open during HTTP; each attempt is an ``urgent_attempts`` row and a ``delivery`` timeline entry.
- PIPL: the text carries the kind, the place, the wait and a link; never health values or names.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from caregiver_portal.alerts.models import KIND_LABELS, Alert
from caregiver_portal.alerts.timeline import add_timeline
from caregiver_portal.core.db import transaction
from caregiver_portal.notifications.models import UrgentAttempt, UrgentCall, UrgentChannel
from caregiver_portal.notifications.providers import (
    URGENT_LABELS,
    CallText,
    HttpCall,
    aliyun_outcome,
    aliyun_request,
    ding_outcome,
    ding_send_request,
    ding_token_request,
    ding_user_request,
)

log = logging.getLogger(__name__)
WINDOW = timedelta(seconds=60)
MAX_CLAIM = 50


@dataclass(frozen=True)
class Callee:
    """Someone an urgent step reaches by phone."""

    name: str
    phone: str


def enqueue_calls(session: Session, *, alert: Alert, callees: list[Callee], step: str, now: datetime) -> int:
    """Queue one urgent call per person with a phone (once per number); none when the site has no urgent
    channel. Returns how many were queued."""
    has_channel = session.scalar(select(UrgentChannel.id).where(UrgentChannel.site_id == alert.site_id,
                                                                UrgentChannel.enabled.is_(True)).limit(1))
    if has_channel is None:
        return 0
    unique = {c.phone: c for c in callees if c.phone}
    for callee in unique.values():
        session.add(UrgentCall(alert_id=alert.id, site_id=alert.site_id, name=callee.name[:140],
                               phone=callee.phone[:40], step=step[:200], created_at=now, next_attempt_at=now,
                               tried=[]))
    if unique:
        add_timeline(session, alert, type="notified", now=now,
                     message="紧急电话/短信：" + "、".join(f"{c.name} {c.phone}" for c in unique.values()))
    return len(unique)


@dataclass(frozen=True)
class ChannelSpec:
    """A channel's settings, copied out of the session before any HTTP."""

    id: int
    kind: str
    name: str
    url: str
    key_id: str
    key_secret: str
    options: dict[str, Any]
    rate_per_minute: int


@dataclass(frozen=True)
class Job:
    """One claimed call, ready to place."""

    call_id: int
    alert_id: int
    name: str
    phone: str
    text: CallText
    chain: tuple[ChannelSpec, ...]


@dataclass
class UrgentSender:
    """Places queued urgent calls; one per process, driven by the ticker."""

    factory: sessionmaker[Session]
    public_url: str
    http: requests.Session
    lease: timedelta = timedelta(seconds=60)
    timeout_s: float = 5.0
    nonce: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)
    _tokens: dict[int, tuple[str, float]] = field(default_factory=dict)

    def deliver_due(self, *, now: datetime) -> int:
        """Place every due call this process can claim; returns how many were delivered."""
        delivered = 0
        for call_id in self._claim(now):
            try:
                delivered += self._deliver(call_id, now)
            except Exception:
                log.exception("urgent call %s failed; retrying after its lease", call_id)
        return delivered

    def _claim(self, now: datetime) -> list[int]:
        with transaction(self.factory) as session:
            calls = session.scalars(
                select(UrgentCall).where(UrgentCall.state == "pending", UrgentCall.next_attempt_at <= now,
                                         or_(UrgentCall.lease_until.is_(None), UrgentCall.lease_until < now))
                .order_by(UrgentCall.id).limit(MAX_CLAIM).with_for_update(skip_locked=True)).all()
            for call in calls:
                call.lease_until = now + self.lease
            return [call.id for call in calls]

    def _prepare(self, call_id: int, now: datetime) -> Job | None:
        with transaction(self.factory) as session:
            call = session.get(UrgentCall, call_id)
            if call is None or call.state != "pending":
                return None
            alert = call.alert
            if alert.state != "open":
                call.state, call.last_error, call.lease_until = "skipped", f"alert is {alert.state}", None
                return None
            channels = session.scalars(select(UrgentChannel).where(
                UrgentChannel.site_id == call.site_id, UrgentChannel.enabled.is_(True),
                UrgentChannel.id.not_in(call.tried or [])).order_by(UrgentChannel.position, UrgentChannel.id))
            chain = tuple(ChannelSpec(c.id, c.kind, c.name, c.url, c.key_id, c.key_secret, dict(c.options or {}),
                                      c.rate_per_minute) for c in channels)
            waited = max(0, int((now - alert.occurred_at).total_seconds() // 60))
            text = CallText(KIND_LABELS.get(alert.kind, alert.kind), alert.place, waited,
                            f"{self.public_url.rstrip('/')}/alerts/{alert.id}")
            return Job(call.id, alert.id, call.name, call.phone, text, chain)

    def _deliver(self, call_id: int, now: datetime) -> int:
        job = self._prepare(call_id, now)
        if job is None:
            return 0
        for channel in job.chain:
            ok, reason = self._attempt(channel, job, now)
            self._record(job, channel, ok, reason, now)
            if ok:
                return 1
        self._give_up(job, now)
        return 0

    def _attempt(self, channel: ChannelSpec, job: Job, now: datetime) -> tuple[bool, str]:
        if self._sent_last_minute(channel.id, now) >= channel.rate_per_minute:
            return False, f"超过每分钟 {channel.rate_per_minute} 次的限额"
        try:
            if channel.kind == "dingtalk_ding":
                return self._ding(channel, job)
            call = aliyun_request(kind=channel.kind, url=channel.url, key_id=channel.key_id,
                                  key_secret=channel.key_secret, options=channel.options, phone=job.phone,
                                  text=job.text, now=now, nonce=self.nonce())
            status, answer = self._send(call)
            return aliyun_outcome(status, answer)
        except requests.RequestException as exc:
            return False, f"连接失败（{type(exc).__name__}）"

    def _ding(self, channel: ChannelSpec, job: Job) -> tuple[bool, str]:
        token = self._ding_token(channel)
        if token is None:
            return False, "无法取得钉钉访问凭证（请检查 AppKey / AppSecret）"
        oapi = str(channel.options.get("oapi_url", channel.url))
        status, answer = self._send(ding_user_request(oapi_url=oapi, token=token, phone=job.phone))
        result = answer.get("result") if isinstance(answer, dict) and answer.get("errcode") == 0 else None
        user_id = result.get("userid") if isinstance(result, dict) else None
        if not user_id:
            return False, "此号码不是钉钉组织成员"
        status, answer = self._send(ding_send_request(
            base_url=channel.url, token=token, robot_code=str(channel.options.get("robot_code", channel.key_id)),
            remind=str(channel.options.get("remind", "phone")), user_id=str(user_id), text=job.text))
        return ding_outcome(status, answer)

    def _ding_token(self, channel: ChannelSpec) -> str | None:
        cached = self._tokens.get(channel.id)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        status, answer = self._send(ding_token_request(base_url=channel.url, app_key=channel.key_id,
                                                       app_secret=channel.key_secret))
        token = answer.get("accessToken") if status == 200 and isinstance(answer, dict) else None
        if not token:
            return None
        expires = float(answer.get("expireIn", 7200))
        self._tokens[channel.id] = (str(token), time.monotonic() + max(60.0, expires - 300))
        return str(token)

    def _send(self, call: HttpCall) -> tuple[int, Any]:
        response = self.http.request(call.method, call.url, data=call.body, headers=call.headers,
                                     timeout=self.timeout_s)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    def _sent_last_minute(self, channel_id: int, now: datetime) -> int:
        with self.factory() as session:
            return int(session.scalar(select(func.count()).select_from(UrgentAttempt).where(
                UrgentAttempt.channel_id == channel_id, UrgentAttempt.at > now - WINDOW)) or 0)

    def _record(self, job: Job, channel: ChannelSpec, ok: bool, reason: str, now: datetime) -> None:
        label = URGENT_LABELS.get(channel.kind, channel.kind)
        with transaction(self.factory) as session:
            call = session.get(UrgentCall, job.call_id)
            alert = session.get(Alert, job.alert_id)
            if call is None or alert is None:
                return
            session.add(UrgentAttempt(call_id=call.id, channel_id=channel.id, at=now, ok=ok, reason=reason))
            call.tried = [*(call.tried or []), channel.id]
            if ok:
                call.state, call.channel_id, call.lease_until, call.last_error = "sent", channel.id, None, ""
                message = f"{label}（{channel.name}）：已呼叫 {job.name} {job.phone}"
            else:
                call.last_error = reason
                message = f"{label}（{channel.name}）：{job.name} {job.phone} 未送达：{reason}，立即改用下一个渠道"
            add_timeline(session, alert, type="delivery", now=now, message=message)

    def _give_up(self, job: Job, now: datetime) -> None:
        with transaction(self.factory) as session:
            call = session.get(UrgentCall, job.call_id)
            alert = session.get(Alert, job.alert_id)
            if call is None or alert is None:
                return
            call.state, call.lease_until = "failed", None
            add_timeline(session, alert, type="delivery", now=now,
                         message=f"所有紧急电话/短信渠道都没有送达，请人工电话联系 {job.name} {job.phone}")
