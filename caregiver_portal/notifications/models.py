"""Tables of the notifications: bots and webhooks of a site, the transactional outbox, every post made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base, BigId

CHANNEL_KINDS = ("wecom", "dingtalk", "feishu", "webhook")
NOTIFICATION_STATES = ("pending", "sent", "failed", "skipped")


class NotificationChannel(Base):
    """A chat bot or webhook of a site: WeCom group robot, DingTalk or Feishu custom bot, JSON webhook."""

    __tablename__ = "notification_channels"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), default=None)  # None: the whole site
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(String(200), default=None)
    # Roles whose escalation steps this bot carries ("volunteer", "caregiver", "admin"); [] = contacts only.
    audience: Mapped[list[str]] = mapped_column(JSON, default=list)
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=20)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)  # a sender is delivering to it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """Transactional outbox: one message for one bot, written in the transaction of the change it reports.

    Most rows belong to an alert. A row without one is a notice (an activity reminder) whose
    ready text, title and link path are in ``payload``.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "channel_id", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("notification_channels.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    event: Mapped[str] = mapped_column(String(30))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")

    alert: Mapped[Alert | None] = relationship()


class NotificationSend(Base):
    """One HTTP request to a bot (possibly carrying several grouped messages): rate limit and audit."""

    __tablename__ = "notification_sends"
    __table_args__ = (Index("ix_notification_sends_channel_at", "channel_id", "at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("notification_channels.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str] = mapped_column(Text, default="")
    messages: Mapped[int] = mapped_column(Integer, default=1)


class UrgentChannel(Base):
    """A provider that places urgent calls or texts (DingTalk DING, Aliyun SMS or voice call); a site's
    channels form a chain in ``position`` order: a failed delivery moves to the next one at once."""

    __tablename__ = "urgent_channels"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # dingtalk_ding, aliyun_sms, aliyun_voice
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(500))  # the provider's endpoint (DingTalk: api base; Aliyun: gateway)
    key_id: Mapped[str] = mapped_column(String(200))  # DingTalk appKey, Aliyun AccessKeyId
    key_secret: Mapped[str] = mapped_column(String(200))  # DingTalk appSecret, Aliyun AccessKeySecret
    # DingTalk: robot_code, remind (app|sms|phone), oapi_url; Aliyun: sign_name, template_code, tts_code, show_number
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=20)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class UrgentCall(Base):
    """Outbox of urgent calls: one person to reach about one alert, through the site's chain of channels."""

    __tablename__ = "urgent_calls"
    __table_args__ = (Index("ix_urgent_calls_due", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    name: Mapped[str] = mapped_column(String(140))  # "女儿 张小红", "李一"
    phone: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending, sent, failed, skipped
    tried: Mapped[list[int]] = mapped_column(JSON, default=list)  # channel ids already tried, in order
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("urgent_channels.id"), default=None)  # delivered by
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")

    alert: Mapped[Alert] = relationship()


class UrgentAttempt(Base):
    """One request to an urgent-call provider: the rate limit counts these, and admins audit them."""

    __tablename__ = "urgent_attempts"
    __table_args__ = (Index("ix_urgent_attempts_channel_at", "channel_id", "at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("urgent_calls.id"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("urgent_channels.id"))
    at: Mapped[datetime]
    ok: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
