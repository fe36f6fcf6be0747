"""Tables of the wristband readings: raw readings, ingested batches, hourly roll-ups, per-resident thresholds."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base, BigId

READING_KINDS = ("heart_rate", "spo2", "temperature", "battery")


class Reading(Base):
    """One health or device measurement from a wristband, kept with the resident who wore it then."""

    __tablename__ = "readings"
    __table_args__ = (Index("ix_readings_band_time", "wristband_id", "measured_at"),
                      Index("ix_readings_resident_time", "resident_id", "measured_at"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    wristband_id: Mapped[int] = mapped_column(ForeignKey("wristbands.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), default=None)
    """The band's resident when the reading was taken in: a band moved to someone else leaves its history here."""
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Float)
    measured_at: Mapped[datetime]


class ReadingBatch(Base):
    """A batch of readings already ingested, so a re-sent batch is stored once."""

    __tablename__ = "reading_batches"
    __table_args__ = (UniqueConstraint("device_id", "batch_id", name="uq_reading_batch"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    batch_id: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    rejected_by_kind: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    """The rejected readings per kind, as first answered (a re-sent batch gets the same answer)."""
    withheld: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Health readings not stored because the wristband's resident has not consented (PIPL)."""
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class HealthThresholds(Base):
    """Per-resident overrides of the health rules' defaults; a None column keeps the default."""

    __tablename__ = "health_thresholds"
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), primary_key=True)
    heart_rate_high: Mapped[float | None] = mapped_column(Float, default=None)
    heart_rate_low: Mapped[float | None] = mapped_column(Float, default=None)
    heart_rate_sustain_s: Mapped[int | None] = mapped_column(Integer, default=None)
    spo2_low: Mapped[float | None] = mapped_column(Float, default=None)
    spo2_sustain_s: Mapped[int | None] = mapped_column(Integer, default=None)
    temperature_high: Mapped[float | None] = mapped_column(Float, default=None)
    inactivity_s: Mapped[int | None] = mapped_column(Integer, default=None)
    day_start: Mapped[time | None] = mapped_column(Time, default=None)
    day_end: Mapped[time | None] = mapped_column(Time, default=None)
    battery_low: Mapped[float | None] = mapped_column(Float, default=None)


class ReadingRollup(Base):
    """Hourly summary of one wristband's readings of one kind, kept after raw readings expire."""

    __tablename__ = "reading_rollups"
    wristband_id: Mapped[int] = mapped_column(ForeignKey("wristbands.id"), primary_key=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), default=None)
    """The resident of the hour's readings (of the first of them, in the rare hour a band changed hands)."""
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    bucket_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    minimum: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float] = mapped_column(Float)
    total: Mapped[float] = mapped_column(Float)
