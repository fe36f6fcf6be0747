"""SQLAlchemy 2.0 typed models: the portal's system of record."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from caregiver_portal.db import UTCDateTime, utcnow

ROLES = ("volunteer", "caregiver", "admin")
DEVICE_KINDS = ("kiosk", "bridge")
ALERT_KINDS = ("sos", "fall", "help", "health", "inactivity", "device")
ALERT_STATES = ("open", "accepted", "resolved", "cancelled")
READING_KINDS = ("heart_rate", "spo2", "temperature", "battery")
CHANNEL_KINDS = ("wecom", "dingtalk", "feishu", "webhook")
NOTIFICATION_STATES = ("pending", "sent", "failed", "skipped")
ESCALATION_PHASES = ("open", "accepted")
DEFAULT_TIMEZONE = "Asia/Shanghai"

BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base of every portal table."""

    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Site(Base):
    """A community centre."""

    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    duty_phone: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    timezone: Mapped[str] = mapped_column(String(50), default=DEFAULT_TIMEZONE, server_default=DEFAULT_TIMEZONE)
    # PIPL: chat-bot messages carry kind, place and a link only, unless the site turns this on.
    bot_personal_details: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Grid(Base):
    """A grid (网格) of a site; residents and users belong to grids."""

    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("site_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    name: Mapped[str] = mapped_column(String(100))


class Resident(Base):
    """An older person the centre cares for."""

    __tablename__ = "residents"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"))
    name: Mapped[str] = mapped_column(String(100))
    room: Mapped[str] = mapped_column(String(50), default="")
    resident_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    health_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site] = relationship()


class User(Base):
    """A person who signs in to the portal: volunteer, caregiver (grid worker) or admin."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")  # for @-mentions by chat bots

    grids: Mapped[list[Grid]] = relationship(secondary="user_grids")


class UserGrid(Base):
    """Membership of a user in a grid: a volunteer helps there, a caregiver is its grid worker."""

    __tablename__ = "user_grids"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), primary_key=True, index=True)


class Device(Base):
    """A kiosk or bridge of a site; authenticates with a bearer token stored as a SHA-256 hash."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)

    site: Mapped[Site] = relationship()


class Wristband(Base):
    """A registered wristband, paired with a resident."""

    __tablename__ = "wristbands"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    address: Mapped[str] = mapped_column(String(64), unique=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    label: Mapped[str] = mapped_column(String(100), default="")
    battery_percent: Mapped[int | None] = mapped_column(default=None)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)

    resident: Mapped[Resident | None] = relationship()


class Alert(Base):
    """An alarm or request that someone must accept and resolve."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("source_device_id", "client_event_id", name="uq_alert_device_event"),
        Index("ix_alerts_site_state", "site_id", "state"),
        Index("ix_alerts_dedupe", "kind", "dedupe_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    kind: Mapped[str] = mapped_column(String(20))
    emergency: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(20), default="open")
    place: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    wristband_id: Mapped[int | None] = mapped_column(ForeignKey("wristbands.id"))
    source_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    client_event_id: Mapped[str | None] = mapped_column(String(100))
    occurred_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(Text, default="")
    # Health, inactivity and device alerts about the same subject share one active alert.
    dedupe_key: Mapped[str | None] = mapped_column(String(100), default=None)
    repeat_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    resident: Mapped[Resident | None] = relationship()
    accepted_by: Mapped[User | None] = relationship()
    timeline: Mapped[list[AlertEvent]] = relationship(order_by="AlertEvent.id", back_populates="alert")


class AlertEvent(Base):
    """One entry of an alert's timeline; its id also orders the live board's event stream."""

    __tablename__ = "alert_events"
    __table_args__ = (UniqueConstraint("actor_device_id", "client_event_id", name="uq_alert_event_device_event"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    type: Mapped[str] = mapped_column(String(30))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    message: Mapped[str] = mapped_column(Text, default="")
    # A device's repeated alert attached to an open one keeps its idempotency key here.
    client_event_id: Mapped[str | None] = mapped_column(String(100), default=None)

    alert: Mapped[Alert] = relationship(back_populates="timeline")
    actor_user: Mapped[User | None] = relationship()


class Reading(Base):
    """One health or device measurement from a wristband."""

    __tablename__ = "readings"
    __table_args__ = (Index("ix_readings_band_time", "wristband_id", "measured_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    wristband_id: Mapped[int] = mapped_column(ForeignKey("wristbands.id"))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Float)
    measured_at: Mapped[datetime]


class ReadingBatch(Base):
    """A batch of readings already ingested, so a re-sent batch is stored once."""

    __tablename__ = "reading_batches"
    __table_args__ = (UniqueConstraint("device_id", "batch_id", name="uq_reading_batch"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    batch_id: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    withheld: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Health readings not stored because the wristband's resident has not consented (PIPL)."""
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmergencyContact(Base):
    """A relative or neighbour to tell when a resident's emergency is not accepted in time."""

    __tablename__ = "emergency_contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    relation: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # The bot or webhook that reaches this contact (a family group, an SMS gateway); None: call by phone.
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("notification_channels.id"), default=None)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HealthThresholds(Base):
    """Per-resident overrides of the health rules' defaults; a None column keeps the default."""

    __tablename__ = "health_thresholds"
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), primary_key=True)
    heart_rate_high: Mapped[float | None] = mapped_column(Float, default=None)
    heart_rate_low: Mapped[float | None] = mapped_column(Float, default=None)
    heart_rate_sustain_s: Mapped[int | None] = mapped_column(Integer, default=None)
    spo2_low: Mapped[float | None] = mapped_column(Float, default=None)
    spo2_sustain_s: Mapped[int | None] = mapped_column(Integer, default=None)
    temperature_high: Mapped[float | None] = mapped_column(Float, default=None)
    inactivity_s: Mapped[int | None] = mapped_column(Integer, default=None)
    day_start: Mapped[time | None] = mapped_column(Time, default=None)
    day_end: Mapped[time | None] = mapped_column(Time, default=None)
    battery_low: Mapped[float | None] = mapped_column(Float, default=None)


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


class Escalation(Base):
    """Durable escalation state of one open or accepted alert; the ticker sweeps ``next_due_at``."""

    __tablename__ = "escalations"
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), primary_key=True)
    phase: Mapped[str] = mapped_column(String(12), default="open")
    anchor_at: Mapped[datetime]  # created_at while open, accepted_at once accepted
    fired: Mapped[int] = mapped_column(Integer, default=0)  # steps of this phase already carried out
    next_due_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    alert: Mapped[Alert] = relationship()


class ReadingRollup(Base):
    """Hourly summary of one wristband's readings of one kind, kept after raw readings expire."""

    __tablename__ = "reading_rollups"
    wristband_id: Mapped[int] = mapped_column(ForeignKey("wristbands.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    bucket_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    minimum: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float] = mapped_column(Float)
    total: Mapped[float] = mapped_column(Float)
