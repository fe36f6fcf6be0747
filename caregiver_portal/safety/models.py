"""Tables of the safety net (issue 16): each resident's plan (daily check-in, when the band should be worn),
the check-ins themselves, and what the silent-band rules remember per band (migration 0030)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base, BigId
from caregiver_portal.residents.models import Resident

CHECKIN_SOURCES = ("band", "kiosk", "staff", "worn")
"""How a check-in was made: a double press, 我今天很好 at the kiosk, a volunteer who saw the resident,
the band worn that morning (when the site allows it)."""


class SafetyPlan(Base):
    """One resident's daily check-in and band-wearing schedule; times are minutes after local midnight."""

    __tablename__ = "safety_plans"
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), primary_key=True)
    checkin: Mapped[bool] = mapped_column(Boolean, default=False)
    """The resident is on the daily check-in (平安打卡)."""
    checkin_deadline_min: Mapped[int] = mapped_column(Integer, default=600)
    """The deadline before the care-level advance (600: 10:00)."""
    wear_start_min: Mapped[int] = mapped_column(Integer, default=420)
    """From when the band should be worn (420: 07:00)."""
    wear_end_min: Mapped[int] = mapped_column(Integer, default=1320)
    """Until when the band should be worn (1320: 22:00)."""
    silent_after_s: Mapped[int] = mapped_column(Integer, default=7200)
    """Wearing time without a sound from the band before it is called silent."""
    charge_at_min: Mapped[int] = mapped_column(Integer, default=1260)
    """When the band is charged each day (1260: 21:00): a battery that dies before then is an alert."""
    alerted_on: Mapped[date | None] = mapped_column(Date, default=None)
    """The local day a ``no_checkin`` alert was last raised for (one per day)."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    resident: Mapped[Resident] = relationship()


class Checkin(Base):
    """A resident said "I am fine" today, in one of :data:`CHECKIN_SOURCES`."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("device_id", "client_event_id", name="uq_checkin_device_event"),
                      Index("ix_checkins_day_resident", "day", "resident_id"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    day: Mapped[date] = mapped_column(Date)
    """The resident's local day the check-in counts for."""
    at: Mapped[datetime]
    """When it happened (the press, the tap, the visit)."""
    source: Mapped[str] = mapped_column(String(10))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), default=None)
    client_event_id: Mapped[str | None] = mapped_column(String(100), default=None)
    wristband_id: Mapped[int | None] = mapped_column(ForeignKey("wristbands.id"), default=None)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    radio: Mapped[str | None] = mapped_column(String(80), default=None)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class BandWatch(Base):
    """What the silent-band rules remember about one band: since when it is supervised, the battery level
    the drain is measured from, and which findings were already raised (one alert per episode)."""

    __tablename__ = "band_watch"
    wristband_id: Mapped[int] = mapped_column(ForeignKey("wristbands.id"), primary_key=True)
    since: Mapped[datetime]
    """When supervision began (a band never worn is judged from here)."""
    battery_ref_percent: Mapped[int | None] = mapped_column(Integer, default=None)
    battery_ref_at: Mapped[datetime | None] = mapped_column(default=None)
    alerted: Mapped[str] = mapped_column(String(240), default="")
    """The episodes raised, ``;``-joined, one per reason, e.g. ``silent:<last seen>`` (each is raised once)."""
