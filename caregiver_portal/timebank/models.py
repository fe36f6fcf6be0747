"""Tables of the time bank: the site's scheme, points per service, the ledger, the rewards on offer and their
hand-over.

The ledger is the only record of points: a balance is the sum of a holder's lines and is never stored.
A holder is a volunteer (``user_id``) or a resident (``resident_id``), exactly one of them per line.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
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


def new_entry_uid() -> str:
    """A stable id for a new ledger line: it travels with the line in exports, so an import stores it once."""
    return f"anxin-{uuid.uuid4().hex}"


class TimebankScheme(Base):
    """A site's time-bank scheme (:class:`caregiver_portal.timebank.rules.Scheme`); no row: the defaults."""

    __tablename__ = "timebank_schemes"
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    points_per_hour: Mapped[int] = mapped_column(Integer, default=10)
    cap_hours: Mapped[int | None] = mapped_column(Integer, default=1500)
    star_hours: Mapped[str] = mapped_column(String(100), default="100,300,600,1000,1500")
    expiry_months: Mapped[int | None] = mapped_column(Integer, default=None)


class PointsEntry(Base):
    """One line of the time-bank ledger: points earned (positive) or spent, donated or expired (negative)."""

    __tablename__ = "points_ledger"
    __table_args__ = (
        # A service earns its points once, however often the award runs.
        UniqueConstraint("user_id", "service", "ref_id", name="uq_points_service_ref"),
        UniqueConstraint("resident_id", "service", "ref_id", name="uq_points_resident_service_ref"),
        # A line travels with its id: a bank (site) stores each id once, however often a file is imported.
        UniqueConstraint("site_id", "uid", name="uq_points_site_uid"),
        CheckConstraint("(user_id IS NULL) <> (resident_id IS NULL)", name="ck_points_one_holder"),
        Index("ix_points_site_time", "site_id", "created_at"),
        Index("ix_points_user_time", "user_id", "created_at"),  # a volunteer's ledger, a page at a time (0049)
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), default=new_entry_uid)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    points: Mapped[int] = mapped_column(Integer)
    service: Mapped[str] = mapped_column(String(30))
    ref_id: Mapped[int | None] = mapped_column(Integer, default=None)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """Who wrote the line by hand (a paper record, a donation, a redemption); None: written by the portal."""
    origin: Mapped[str] = mapped_column(String(100), default="", server_default="")
    """The centre or bank an imported line came from; empty for lines made here."""

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class Reward(Base):
    """Something volunteers can redeem points for (e.g. 一袋大米 for 100 points)."""

    __tablename__ = "rewards"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    name: Mapped[str] = mapped_column(String(100))
    points: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Redemption(Base):
    """A reward someone spent points on, until the centre hands it over."""

    __tablename__ = "redemptions"
    __table_args__ = (UniqueConstraint("source_device_id", "client_event_id", name="uq_redemption_device_event"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("points_ledger.id"))
    reward_name: Mapped[str] = mapped_column(String(100))
    points: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    source_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    client_event_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    given_at: Mapped[datetime | None] = mapped_column(default=None)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
