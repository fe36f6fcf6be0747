"""Tables of the residents: who they are, their profile, their emergency contacts, and who looked at
their health data (PIPL audit)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.accounts.models import Site, User
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base, BigId

GENDERS = ("female", "male", "")


class Resident(Base):
    """An older person the centre cares for."""

    __tablename__ = "residents"
    __table_args__ = (Index("ix_residents_site_room", "site_id", "room", "id"),  # the list's order (0049)
                      Index("ix_residents_grid", "grid_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"))
    name: Mapped[str] = mapped_column(String(100))
    room: Mapped[str] = mapped_column(String(50), default="")
    resident_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    health_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the resident said yes or no to health-data consent; None: nobody has asked yet.
    consent_recorded_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    care_level: Mapped[int | None] = mapped_column(Integer, default=None)
    """GB/T 42195-2022 grade, 0 能力完好 … 4 能力完全丧失 (``residents.care``); None: not assessed."""
    lives_alone: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    site: Mapped[Site] = relationship()


class EmergencyContact(Base):
    """A relative or neighbour to tell when a resident's emergency is not accepted in time."""

    __tablename__ = "emergency_contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    relation: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # The bot or webhook that reaches this contact (a family group, an SMS gateway); None: call by phone.
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("notification_channels.id"), default=None)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)



class ResidentProfile(Base):
    """What the community services add to a resident: gender (for a polite greeting), birth year, phone."""

    __tablename__ = "resident_profiles"
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), primary_key=True)
    gender: Mapped[str] = mapped_column(String(10), default="")
    birth_year: Mapped[int | None] = mapped_column(Integer, default=None)
    phone: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class HealthAccessLog(Base):
    """Who looked at a resident's health data, and when (PIPL: sensitive personal information)."""

    __tablename__ = "health_access_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    at: Mapped[datetime]
    view: Mapped[str] = mapped_column(String(40))
    client: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship()
