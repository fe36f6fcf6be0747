"""Table of the grid workers' home visits (民情日记)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.accounts.models import User
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base
from caregiver_portal.residents.models import Resident


class Visit(Base):
    """A grid worker's home visit (民情日记): what was found and what was done about it."""

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_worker_time", "worker_id", "visited_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    visited_at: Mapped[datetime]
    condition: Mapped[str] = mapped_column(String(20), default="good")
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("grocery_orders.id"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resident: Mapped[Resident] = relationship()
    worker: Mapped[User] = relationship()
