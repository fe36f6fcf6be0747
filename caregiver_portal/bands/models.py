"""Tables of the wristbands: the registry (paired with residents) and the latest status bridges report
(``band_status``, migration branch ``bands``, revision 0004)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.core.models import Base
from caregiver_portal.residents.models import Resident


class Wristband(Base):
    """A registered wristband, paired with a resident."""

    __tablename__ = "wristbands"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    address: Mapped[str] = mapped_column(String(64), unique=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    label: Mapped[str] = mapped_column(String(100), default="")
    battery_percent: Mapped[int | None] = mapped_column(default=None)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)

    resident: Mapped[Resident | None] = relationship()



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
