"""SQLAlchemy 2.0 typed models: the portal's system of record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from caregiver_portal.db import UTCDateTime, utcnow

ROLES = ("volunteer", "caregiver", "admin")
DEVICE_KINDS = ("kiosk", "bridge")
ALERT_KINDS = ("sos", "fall", "help", "health", "inactivity", "device")
ALERT_STATES = ("open", "accepted", "resolved", "cancelled")
READING_KINDS = ("heart_rate", "spo2", "temperature", "battery")

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

    resident: Mapped[Resident | None] = relationship()
    accepted_by: Mapped[User | None] = relationship()
    timeline: Mapped[list[AlertEvent]] = relationship(order_by="AlertEvent.id", back_populates="alert")


class AlertEvent(Base):
    """One entry of an alert's timeline; its id also orders the live board's event stream."""

    __tablename__ = "alert_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    type: Mapped[str] = mapped_column(String(30))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    message: Mapped[str] = mapped_column(Text, default="")

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
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
