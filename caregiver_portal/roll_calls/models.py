"""Tables of the roll calls: the call, one entry per resident it covers, and its event log (the live list's feed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.accounts.models import Grid, User
from caregiver_portal.core.models import Base, BigId
from caregiver_portal.residents.models import Resident

ENTRY_STATES = ("waiting", "safe", "help")
ANSWER_SOURCES = ("band", "kiosk", "visit", "phone", "checkin")


class RollCall(Base):
    """A roll call of a grid (or the whole site, ``grid_id`` None); open until someone ends it."""

    __tablename__ = "roll_calls"
    __table_args__ = (Index("ix_roll_calls_due", "closed_at", "escalate_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), default=None)
    reason: Mapped[str] = mapped_column(String(20))  # heatwave, typhoon, power_cut, other
    note: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime]
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    escalate_at: Mapped[datetime]  # unanswered residents raise an alert then
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    grid: Mapped[Grid | None] = relationship()
    started_by: Mapped[User] = relationship(foreign_keys=[started_by_id])
    entries: Mapped[list[RollCallEntry]] = relationship(back_populates="roll_call", order_by="RollCallEntry.id")


class RollCallEntry(Base):
    """One resident in one roll call: waiting, safe (平安) or needing help (需要帮助)."""

    __tablename__ = "roll_call_entries"
    __table_args__ = (UniqueConstraint("roll_call_id", "resident_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    roll_call_id: Mapped[int] = mapped_column(ForeignKey("roll_calls.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="waiting")
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    source: Mapped[str] = mapped_column(String(10), default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), default=None)  # help, or escalated

    roll_call: Mapped[RollCall] = relationship(back_populates="entries")
    resident: Mapped[Resident] = relationship()
    answered_by: Mapped[User | None] = relationship()


class RollCallEvent(Base):
    """One change of a roll call (started, answered, escalated, closed); its id orders the live list's stream.

    A device's answer keeps its idempotency key here: ``UNIQUE(device_id, client_event_id)``.
    """

    __tablename__ = "roll_call_events"
    __table_args__ = (UniqueConstraint("device_id", "client_event_id", name="uq_roll_call_event_device_event"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    roll_call_id: Mapped[int] = mapped_column(ForeignKey("roll_calls.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("roll_call_entries.id"), default=None)
    at: Mapped[datetime]
    type: Mapped[str] = mapped_column(String(20))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), default=None)
    client_event_id: Mapped[str | None] = mapped_column(String(100), default=None)
    answer: Mapped[str] = mapped_column(String(10), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
