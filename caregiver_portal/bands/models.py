"""Table of the wristband status (migration branch ``bands``, revision 0004)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from caregiver_portal.models import Base


class BandStatus(Base):
    """The latest state of one wristband as a bridge reported it (one row per wristband, upserted)."""

    __tablename__ = "band_status"
    __table_args__ = (Index("ix_band_status_site_seen", "site_id", "last_seen_at"),)
    wristband_id: Mapped[int] = mapped_column(ForeignKey("wristbands.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))  # the bridge whose report is stored
    connected: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)
    rssi: Mapped[int | None] = mapped_column(Integer, default=None)
    battery_percent: Mapped[int | None] = mapped_column(Integer, default=None)
    reported_at: Mapped[datetime]
