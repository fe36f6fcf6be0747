"""Table of the dead letters devices report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.accounts.models import Device
from caregiver_portal.core.models import Base

PROBLEM_LABELS = {"refused": "门户拒收（内容有误）", "forbidden": "无权提交（设备令牌有效，但这类请求不允许）",
                  "conflict": "编号冲突（同一编号已提交过不同内容）"}


class DeadLetter(Base):
    """A request a device stored but the portal refused for good; one row per (device, event id)."""

    __tablename__ = "device_dead_letters"
    __table_args__ = (UniqueConstraint("device_id", "event_id", name="uq_dead_letter_device_event"),
                      Index("ix_dead_letters_site_open", "site_id", "resolved_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    event_id: Mapped[str] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(200))
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    problem: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(500), default="")
    summary: Mapped[str] = mapped_column(String(200), default="")
    failed_at: Mapped[datetime]
    reported_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    device: Mapped[Device] = relationship()
