"""Tables of the on-call roster: weekly shifts and leave of the people escalation calls."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base


class OnCallShift(Base):
    """A weekly window when a user is on call, in the site's local time (see :class:`roster.rules.Shift`)."""

    __tablename__ = "on_call_shifts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 = Monday
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class OnCallLeave(Base):
    """Time off (请假): the user is not called between ``starts_at`` and ``ends_at``."""

    __tablename__ = "on_call_leaves"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
