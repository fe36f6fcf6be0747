"""Table of the durable escalation state of each open or accepted alert."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base

ESCALATION_PHASES = ("open", "accepted")


class Escalation(Base):
    """Durable escalation state of one open or accepted alert; the ticker sweeps ``next_due_at``."""

    __tablename__ = "escalations"
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), primary_key=True)
    phase: Mapped[str] = mapped_column(String(12), default="open")
    anchor_at: Mapped[datetime]  # the alert's occurred_at (press) while open, accepted_at once accepted
    fired: Mapped[int] = mapped_column(Integer, default=0)  # steps of this phase already carried out
    next_due_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    open_fired: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Steps of the open ladder fired before acceptance: where an arrival re-escalation goes on."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    alert: Mapped[Alert] = relationship()
