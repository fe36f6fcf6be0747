"""Table of the residents' ratings of services (from kiosks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base

RATING_TARGETS = ("order", "activity", "alert", "visit", "service")


class Rating(Base):
    """A resident's rating of a service from a kiosk (1–5 stars, optional comment)."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("source_device_id", "client_event_id", name="uq_rating_device_event"),
        Index("ix_ratings_site_time", "site_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    source_device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    client_event_id: Mapped[str] = mapped_column(String(100))
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None] = mapped_column(Integer, default=None)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
