"""The mark a phone-recorded request carries (migration 0044): who recorded it, how the resident asked, and
the form's token that makes a double-submitted form store one request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.accounts.models import User
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base
from caregiver_portal.residents.models import Resident

REQUEST_KINDS = ("help", "order", "signup")
CHANNELS = ("phone", "desk")


class PhoneRequest(Base):
    """A request the duty worker recorded (电话代录): a help request, a grocery order or an activity sign-up."""

    __tablename__ = "phone_requests"
    __table_args__ = (Index("ix_phone_requests_resident", "resident_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    kind: Mapped[str] = mapped_column(String(10))
    token: Mapped[str] = mapped_column(String(100), unique=True)
    """The form's one-time id; also the request's ``event_id`` when a kiosk follows it."""
    target_id: Mapped[int | None] = mapped_column(Integer, default=None)
    """The alert, order or activity sign-up it became."""
    channel: Mapped[str] = mapped_column(String(10), default="phone")
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User] = relationship()
    resident: Mapped[Resident] = relationship()
