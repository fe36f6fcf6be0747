"""Tables of the offers (migration 0048): who a request is offered to, volunteers' limits, each site's rule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from caregiver_portal.core.models import Base

SUBJECTS = ("order", "help")


class Offer(Base):
    """The offer of one order or help request: the stage, who was told, and when it widens."""

    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("subject", "subject_id", name="uq_offer_subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    subject: Mapped[str] = mapped_column(String(10))
    """"order" (a grocery order id) or "help" (a non-emergency alert id)."""
    subject_id: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(10))
    """"near" (grid on call or nearest) or "site" (widened to the whole site)."""
    reason: Mapped[str] = mapped_column(String(60), default="")
    user_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    """Everyone told so far, in the order they were told."""
    created_at: Mapped[datetime]
    widens_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    """When the ticker widens it to the whole site; None once widened or no longer open."""
    widened_at: Mapped[datetime | None] = mapped_column(default=None)


class VolunteerOfferPrefs(Base):
    """What a volunteer set on their phone: pause, a daily limit, the building they live in."""

    __tablename__ = "volunteer_offer_prefs"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    paused_until: Mapped[datetime | None] = mapped_column(default=None)
    """Paused for today only: offered again from this moment (the next local midnight, migration 0050)."""
    daily_limit: Mapped[int | None] = mapped_column(Integer, default=None)
    building: Mapped[str] = mapped_column(String(20), default="", server_default="")
    updated_at: Mapped[datetime]


class OfferSiteSettings(Base):
    """A site's offer rule (defaults apply when a site has no row)."""

    __tablename__ = "offer_site_settings"
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    nearest_n: Mapped[int] = mapped_column(Integer, default=3)
    widen_minutes: Mapped[int] = mapped_column(Integer, default=15)
