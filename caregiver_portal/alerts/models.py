"""Tables of the alerts and their timeline (the timeline is also the live board's event log)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from caregiver_portal.accounts.models import User
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base, BigId
from caregiver_portal.residents.models import Resident

ALERT_KINDS = ("sos", "fall", "help", "health", "inactivity", "device", "no_checkin", "band_silent", "roll_call")
ALERT_STATES = ("open", "accepted", "resolved", "cancelled")
ACTIVE_STATES = ("open", "accepted")
KIND_LABELS = {
    "sos": "紧急呼叫",
    "fall": "跌倒报警",
    "help": "求助",
    "health": "健康异常",
    "inactivity": "长时间无数据",
    "device": "设备问题",
    "no_checkin": "未平安打卡",
    "band_silent": "手环失联",
    "roll_call": "点名",
}
STATE_LABELS = {"open": "待接单", "accepted": "已接单", "resolved": "已处理", "cancelled": "已取消"}


def _received_at(context: DefaultExecutionContext) -> datetime:
    """An alert whose time of occurrence nobody gave occurred when it was received."""
    received: datetime = context.get_current_parameters()["received_at"]
    return received


class Alert(Base):
    """An alarm or request that someone must accept and resolve."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("source_device_id", "client_event_id", name="uq_alert_device_event"),
        Index("ix_alerts_site_state", "site_id", "state"),
        Index("ix_alerts_dedupe", "kind", "dedupe_key"),
        Index("ix_alerts_site_occurred", "site_id", "occurred_at"),
        Index("ix_alerts_acceptor_time", "accepted_by_id", "accepted_at"),  # a volunteer's daily count (0049)
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
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    """When the portal stored the alert."""
    occurred_at: Mapped[datetime] = mapped_column(default=_received_at)
    """When it happened: the button press or fall the device reports (never after ``received_at``), or when
    the portal found it. Waits, escalation deadlines and report figures count from here."""
    created_at: Mapped[datetime] = synonym("received_at")
    """The former name of ``received_at`` (the column was renamed in migration 0016)."""
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    arrived_at: Mapped[datetime | None] = mapped_column(default=None)  # the acceptor marked 已到达
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
