"""Table of the queue's events: one row per new or changed order or sign-up (the live queue's feed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base, BigId

SUBJECTS = ("order", "signup")


class QueueEvent(Base):
    """An order or sign-up that is new or changed; its id orders the live queue's event stream."""

    __tablename__ = "queue_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    subject: Mapped[str] = mapped_column(String(10))
    """"order" or "signup"."""
    subject_id: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    """What happened: "placed", "claimed", "released", "bought", "delivered", "received", "cancelled", "signed_up"."""
    at: Mapped[datetime] = mapped_column(default=utcnow)
