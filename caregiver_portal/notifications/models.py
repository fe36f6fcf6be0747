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
