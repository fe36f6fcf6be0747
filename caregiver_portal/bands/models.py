"""Tables of the wristbands: the registry (paired with residents, with the decoder each needs), their keys
(sealed, ``band_keys``), the latest status bridges report (``band_status``, migration branch ``bands``,
revisions 0004 and 0060) and the bands bridges hear that are not registered yet (``unknown_bands``, 0025)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
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
    last_worn_at: Mapped[datetime | None] = mapped_column(default=None)
    """The latest heart-rate or SpO2 reading: the band was on a wrist then (silent-band rules)."""
    scheme: Mapped[str] = mapped_column(String(16), default="anxin", server_default="anxin")
    """How the bridge decodes it: anxin, bthome, mibeacon, hrs or itag (``wearable.keys.Scheme``)."""

    resident: Mapped[Resident | None] = relationship()


class BandKey(Base):
    """The AES-128 key of one band, sealed with AES-GCM under a key derived from the portal's secret
    (``caregiver_portal.bands.keys``); only its fingerprint is ever shown."""

    __tablename__ = "band_keys"
    wristband_id: Mapped[int] = mapped_column(ForeignKey("wristbands.id"), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(16))
    set_at: Mapped[datetime]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


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
    radio: Mapped[str | None] = mapped_column(String(80), default=None)
    """The radio that heard the band last: ``adapter`` or ``proxy:<home>``."""
    suspicious_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Suspicious frames under this band's address so far (forged, replayed, plaintext from a keyed band)."""
    suspicious_radio: Mapped[str | None] = mapped_column(String(80), default=None)
    """The radio that heard the latest of them: where the spoofer is."""
    suspicious_at: Mapped[datetime | None] = mapped_column(default=None)
    """When the latest of them was reported."""


class UnknownBand(Base):
    """A band or button a bridge of the site hears that is not registered (enrolment by pressing it)."""

    __tablename__ = "unknown_bands"
    __table_args__ = (UniqueConstraint("site_id", "address", name="uq_unknown_band"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    address: Mapped[str] = mapped_column(String(64))
    """Upper case."""
    kind: Mapped[str] = mapped_column(String(16))
    """What it looks like: anxin, bthome, mibeacon, itag or hrs (the scheme to enrol it with)."""
    name: Mapped[str | None] = mapped_column(String(100), default=None)
    rssi: Mapped[int | None] = mapped_column(Integer, default=None)
    radio: Mapped[str | None] = mapped_column(String(80), default=None)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    """The bridge whose report is stored."""
    last_seen_at: Mapped[datetime]
    pressed_at: Mapped[datetime | None] = mapped_column(default=None)
    """When the bridge last heard a press (a new event frame) from it."""
    reported_at: Mapped[datetime]
