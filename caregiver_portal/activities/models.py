"""Tables of the activities: the activity, residents' sign-ups (with the waitlist), reminder timers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base
from caregiver_portal.residents.models import Resident

SIGNUP_STATES = ("confirmed", "waitlisted", "cancelled")
REMINDER_KINDS = ("day_before", "hour_before")
# sent: delivered (e.g. queued for the volunteers' bots); no_channel: the site has no bot for it;
# overdue: too late to be useful (see activities.reminder_delivery)
REMINDER_OUTCOMES = ("sent", "no_channel", "overdue")


class Activity(Base):
    """A community activity residents sign up for (义诊, 讲座, 兴趣班 …)."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_site_start", "site_id", "starts_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    title: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)

    signups: Mapped[list[ActivitySignup]] = relationship(
        order_by=lambda: (ActivitySignup.created_at, ActivitySignup.id), back_populates="activity")


class ActivitySignup(Base):
    """A resident's place on an activity, or on its waitlist; the waitlist moves up in sign-up order."""

    __tablename__ = "activity_signups"
    __table_args__ = (
        UniqueConstraint("source_device_id", "client_event_id", name="uq_signup_device_event"),
        # One live sign-up per resident and activity (cancelled ones may repeat).
        Index("uq_signup_active", "activity_id", "resident_id", unique=True,
              sqlite_where=text("state != 'cancelled'"), postgresql_where=text("state != 'cancelled'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    source_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    client_event_id: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    checked_in_at: Mapped[datetime | None] = mapped_column(default=None)

    activity: Mapped[Activity] = relationship(back_populates="signups")
    resident: Mapped[Resident] = relationship()


class ActivityReminder(Base):
    """A reminder due before an activity (timer row; the ticker handles it and sets ``sent_at`` and ``outcome``)."""

    __tablename__ = "activity_reminders"
    __table_args__ = (
        UniqueConstraint("signup_id", "kind", name="uq_reminder_signup_kind"),
        Index("ix_reminders_due", "sent_at", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("activity_signups.id"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    kind: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    # How it was handled (set with sent_at): one of REMINDER_OUTCOMES; "" while pending.
    outcome: Mapped[str] = mapped_column(String(20), default="", server_default="")
