"""Table of the residents' problems and suggestions (反映问题), from report to the reply they heard."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.accounts.models import User
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base
from caregiver_portal.residents.models import Resident

KINDS = {"problem": "问题", "suggestion": "建议"}
CATEGORIES = {"facilities": "设施维修", "environment": "环境卫生", "safety": "安全隐患", "service": "服务和活动",
              "neighbours": "邻里关系", "other": "其他"}


class Feedback(Base):
    """A resident's problem or suggestion: assigned to the grid worker, closed with a reply the resident hears."""

    __tablename__ = "resident_feedback"
    __table_args__ = (
        UniqueConstraint("source_device_id", "client_event_id", name="uq_feedback_device_event"),
        Index("ix_feedback_site_time", "site_id", "created_at"),
        Index("ix_feedback_resident_reply", "resident_id", "closed_at", "reply_heard_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"))
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(20))
    """``kiosk`` (the resident at the kiosk) or ``visit`` (a grid worker recorded it)."""
    source_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    client_event_id: Mapped[str | None] = mapped_column(String(100))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reply: Mapped[str] = mapped_column(String(300), default="")
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reply_heard_at: Mapped[datetime | None] = mapped_column(default=None)
    useful_at: Mapped[datetime | None] = mapped_column(default=None)
    """When the centre marked the suggestion useful (and credited the resident's points)."""

    resident: Mapped[Resident] = relationship()
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
