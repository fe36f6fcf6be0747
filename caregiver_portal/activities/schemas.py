"""Request and response bodies of the activities device API (kiosks)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from caregiver_portal.core.schemas import EventId

SignupState = Literal["confirmed", "waitlisted", "cancelled"]


class ActivityPublic(BaseModel):
    """An upcoming activity with its places."""

    id: int
    title: str
    category: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    confirmed: int
    waitlisted: int
    spots_left: int
    cancelled: bool


class SignupCreate(BaseModel):
    """A resident signs up at a kiosk; ``event_id`` makes re-sending it harmless."""

    model_config = ConfigDict(extra="forbid")
    event_id: str = EventId
    resident_id: int = Field(ge=1, le=2**31 - 1)


class SignupCancel(BaseModel):
    """A resident cancels their sign-up at a kiosk."""

    model_config = ConfigDict(extra="forbid")
    resident_id: int = Field(ge=1, le=2**31 - 1)
    event_id: str | None = Field(default=None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")


class SignupPublic(BaseModel):
    """A sign-up: ``confirmed``, ``waitlisted`` (with its place in the line) or ``cancelled``."""

    id: int
    activity_id: int
    activity_title: str
    starts_at: datetime
    place: str
    resident_id: int
    state: SignupState
    state_label: str
    waitlist_position: int | None
    checked_in: bool


class SignupResultPublic(SignupPublic):
    """Answer to a sign-up; ``duplicate`` is true when it was stored before (re-send or already signed up)."""

    duplicate: bool

