"""Tables of the grocery proxy orders (代购) and their catalog (migration branch ``community``, revision 0003).

Money is stored in fen (1/100 yuan) as integers; every timestamp is an aware UTC datetime.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.accounts.models import Device, User
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base
from caregiver_portal.residents.models import Resident

ORDER_STATES = ("submitted", "claimed", "bought", "delivered", "received", "cancelled")
LINE_OUTCOMES = ("bought", "not_bought", "substitute")
PAYMENT_METHODS = ("cash", "balance")


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
        Index("ix_grocery_orders_site_created", "site_id", "created_at"),  # lists (migration 0049)
        Index("ix_grocery_orders_site_state_created", "site_id", "state", "created_at"),
        Index("ix_grocery_orders_claimer_time", "claimed_by_id", "claimed_at"),  # a volunteer's daily count
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
    # Money settled (migration 0044): what the resident owes after declined substitutes, how they paid it back
    # (``cash`` to the volunteer at the door, or ``balance``: charged to the centre's prepaid ledger), and the
    # resident's own confirmation at the kiosk when the amount is far from the estimate.
    amount_due_fen: Mapped[int | None] = mapped_column(Integer, default=None)
    needs_confirmation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    amount_confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    amount_confirmed_by: Mapped[str] = mapped_column(String(20), default="", server_default="")
    amount_disputed_at: Mapped[datetime | None] = mapped_column(default=None)
    payment_method: Mapped[str | None] = mapped_column(String(10), default=None)
    cash_collected_fen: Mapped[int | None] = mapped_column(Integer, default=None)

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
    # What the volunteer found (migration 0044): ``bought``, ``not_bought`` (没买到) or ``substitute`` (替代品,
    # with its name and price), and the resident's answer to a substitute at the kiosk.
    outcome: Mapped[str] = mapped_column(String(12), default="", server_default="")
    substitute_name: Mapped[str] = mapped_column(String(50), default="", server_default="")
    substitute_price_fen: Mapped[int | None] = mapped_column(Integer, default=None)
    substitute_answer: Mapped[str] = mapped_column(String(10), default="", server_default="")

    order: Mapped[GroceryOrder] = relationship(back_populates="lines")
    item: Mapped[CatalogItem | None] = relationship()


