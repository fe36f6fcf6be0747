"""Table of the review items: one per emergency that was not accepted within the review time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.accounts.models import User
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.models import Base


class ReviewItem(Base):
    """An emergency that waited too long for someone to accept it; open until an admin closes it with a reason."""

    __tablename__ = "review_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    opened_at: Mapped[datetime]
    started_at: Mapped[datetime]  # when the emergency began (the press, else its arrival)
    waited_s: Mapped[int | None] = mapped_column(Integer, default=None)  # until accepted; None: never accepted
    reason: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    close_reason: Mapped[str] = mapped_column(Text, default="")

    alert: Mapped[Alert] = relationship()
    closed_by: Mapped[User | None] = relationship()
