"""Tables of the community services (migration branch ``community``, revision 0003).

Money is stored in fen (1/100 yuan) as integers; every timestamp is an aware UTC datetime.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.db import utcnow
from caregiver_portal.models import Base, BigId, Device, Resident, User

ORDER_STATES = ("submitted", "claimed", "bought", "delivered", "received", "cancelled")
SIGNUP_STATES = ("confirmed", "waitlisted", "cancelled")
REMINDER_KINDS = ("day_before", "hour_before")
# sent: delivered (e.g. queued for the volunteers' bots); no_channel: the site has no bot for it;
# overdue: too late to be useful (see community.reminder_delivery)
REMINDER_OUTCOMES = ("sent", "no_channel", "overdue")
GENDERS = ("female", "male", "")
RATING_TARGETS = ("order", "activity", "alert", "visit", "service")


class CatalogItem(Base):
    """Something a volunteer can buy for a resident (一件代购商品)."""

    __tablename__ = "catalog_items"
    __table_args__ = (UniqueConstraint("site_id", "name", name="uq_catalog_site_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    category: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(10))
    usual_price_fen: Mapped[int | None] = mapped_column(Integer, default=None)
    synonyms: Mapped[list[str]] = mapped_column(JSON, default=list)
    picture: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroceryOrder(Base):
    """A grocery proxy order: a resident asks, a volunteer claims, buys, delivers; the resident confirms."""

    __tablename__ = "grocery_orders"
    __table_args__ = (
        UniqueConstraint("source_device_id", "client_event_id", name="uq_order_device_event"),
        Index("ix_grocery_orders_site_state", "site_id", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="submitted")
    note: Mapped[str] = mapped_column(String(500), default="")
    source_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    client_event_id: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    bought_at: Mapped[datetime | None] = mapped_column(default=None)
    amount_paid_fen: Mapped[int | None] = mapped_column(Integer, default=None)
    receipt_file: Mapped[str | None] = mapped_column(String(100), default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    received_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")

    resident: Mapped[Resident | None] = relationship()
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    source_device: Mapped[Device | None] = relationship()
    lines: Mapped[list[GroceryOrderLine]] = relationship(order_by="GroceryOrderLine.id", back_populates="order",
                                                         cascade="all, delete-orphan")


class GroceryOrderLine(Base):
    """One line of an order: an item (from the catalog or free text), how much, in which unit."""

    __tablename__ = "grocery_order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("grocery_orders.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_items.id"))
    name: Mapped[str] = mapped_column(String(50))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(10))
    unit_price_fen: Mapped[int | None] = mapped_column(Integer, default=None)

    order: Mapped[GroceryOrder] = relationship(back_populates="lines")
    item: Mapped[CatalogItem | None] = relationship()


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


class PointsRule(Base):
    """Time-bank points a site gives for one kind of completed service."""

    __tablename__ = "points_rules"
    __table_args__ = (UniqueConstraint("site_id", "service", name="uq_points_rule"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    service: Mapped[str] = mapped_column(String(30))
    points: Mapped[int] = mapped_column(Integer)


class PointsEntry(Base):
    """One line of the time-bank ledger: points earned (positive) or redeemed (negative)."""

    __tablename__ = "points_ledger"
    __table_args__ = (
        # A service earns its points once, however often the award runs.
        UniqueConstraint("user_id", "service", "ref_id", name="uq_points_service_ref"),
        Index("ix_points_site_time", "site_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    points: Mapped[int] = mapped_column(Integer)
    service: Mapped[str] = mapped_column(String(30))
    ref_id: Mapped[int | None] = mapped_column(Integer, default=None)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Reward(Base):
    """Something volunteers can redeem points for (e.g. 一袋大米 for 100 points)."""

    __tablename__ = "rewards"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    name: Mapped[str] = mapped_column(String(100))
    points: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Rating(Base):
    """A resident's rating of a service from a kiosk (1–5 stars, optional comment)."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("source_device_id", "client_event_id", name="uq_rating_device_event"),
        Index("ix_ratings_site_time", "site_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    source_device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    client_event_id: Mapped[str] = mapped_column(String(100))
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None] = mapped_column(Integer, default=None)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Visit(Base):
    """A grid worker's home visit (民情日记): what was found and what was done about it."""

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_worker_time", "worker_id", "visited_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    visited_at: Mapped[datetime]
    condition: Mapped[str] = mapped_column(String(20), default="good")
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("grocery_orders.id"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resident: Mapped[Resident] = relationship()
    worker: Mapped[User] = relationship()
