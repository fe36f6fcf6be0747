"""Tables of the volunteers' time bank: points per service, the ledger, the rewards on offer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.accounts.models import User
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base


class PointsRule(Base):
    """Time-bank points a site gives for one kind of completed service."""

    __tablename__ = "points_rules"
    __table_args__ = (UniqueConstraint("site_id", "service", name="uq_points_rule"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    service: Mapped[str] = mapped_column(String(30))
    points: Mapped[int] = mapped_column(Integer)


class PointsEntry(Base):
    """One line of the time-bank ledger: points earned (positive) or redeemed (negative)."""

    __tablename__ = "points_ledger"
    __table_args__ = (
        # A service earns its points once, however often the award runs.
        UniqueConstraint("user_id", "service", "ref_id", name="uq_points_service_ref"),
        Index("ix_points_site_time", "site_id", "created_at"),
        Index("ix_points_user_time", "user_id", "created_at"),  # a volunteer's ledger, a page at a time (0049)
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    points: Mapped[int] = mapped_column(Integer)
    service: Mapped[str] = mapped_column(String(30))
    ref_id: Mapped[int | None] = mapped_column(Integer, default=None)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Reward(Base):
    """Something volunteers can redeem points for (e.g. 一袋大米 for 100 points)."""

    __tablename__ = "rewards"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    name: Mapped[str] = mapped_column(String(100))
    points: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
