"""Tables of money settled (migration 0044): the residents' prepaid ledger and payouts to volunteers.

Balances are never stored: a resident's balance is the sum of their ledger, what the centre still owes a
volunteer is the month's settled orders minus the payouts recorded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.accounts.models import User
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base

ENTRY_KINDS = ("topup", "charge", "refund")


class BalanceEntry(Base):
    """One line of a resident's prepaid ledger (预存款): a top-up (+), a grocery charge (−) or a refund (+)."""

    __tablename__ = "resident_balance_entries"
    __table_args__ = (
        # An order is charged once, however often the kiosk's confirmation arrives.
        UniqueConstraint("order_id", "kind", name="uq_balance_order_kind"),
        Index("ix_balance_resident_time", "resident_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    kind: Mapped[str] = mapped_column(String(10))
    amount_fen: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("grocery_orders.id"), default=None)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()


class VolunteerPayout(Base):
    """Money the centre paid a volunteer back for a month's groceries (recorded by an admin)."""

    __tablename__ = "volunteer_payouts"
    __table_args__ = (Index("ix_payout_user_month", "user_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    month: Mapped[str] = mapped_column(String(7))
    """``2026-12``: the month of the orders it settles (China time)."""
    amount_fen: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
