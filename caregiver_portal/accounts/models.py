"""Tables of the people and places that use the portal: sites, grids, users (and their grids), devices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base

ROLES = ("volunteer", "caregiver", "admin")
DEVICE_KINDS = ("kiosk", "bridge")
DEFAULT_TIMEZONE = "Asia/Shanghai"


class Site(Base):
    """A community centre."""

    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    duty_phone: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    timezone: Mapped[str] = mapped_column(String(50), default=DEFAULT_TIMEZONE, server_default=DEFAULT_TIMEZONE)
    # PIPL: chat-bot messages carry kind, place and a link only, unless the site turns this on.
    bot_personal_details: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Kiosk grocery orders and activity sign-ups also go to the volunteers' bots (not only the live queue).
    bot_requests: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # A band worn that morning counts as the daily check-in (平安打卡) of its resident.
    checkin_counts_worn: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A grocery bill further than this share (percent) from the estimate needs the resident's yes at the kiosk.
    settle_confirm_percent: Mapped[int] = mapped_column(Integer, default=20, server_default="20")


class Grid(Base):
    """A grid (网格) of a site; residents and users belong to grids."""

    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("site_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    name: Mapped[str] = mapped_column(String(100))


class User(Base):
    """A person who signs in to the portal: volunteer, caregiver (grid worker) or admin."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")  # for @-mentions by chat bots
    # When this user is called is their weekly roster and leave: caregiver_portal.roster.

    grids: Mapped[list[Grid]] = relationship(secondary="user_grids")


class UserGrid(Base):
    """Membership of a user in a grid: a volunteer helps there, a caregiver is its grid worker."""

    __tablename__ = "user_grids"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), primary_key=True, index=True)


class UserSession(Base):
    """A signed-in browser: the SHA-256 of the token its cookie carries (:mod:`caregiver_portal.accounts.sessions`)."""

    __tablename__ = "user_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Device(Base):
    """A kiosk or bridge of a site; authenticates with a bearer token stored as a SHA-256 hash."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)

    site: Mapped[Site] = relationship()
