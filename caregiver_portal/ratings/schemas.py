"""Request and response bodies of the ratings device API (kiosks)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from caregiver_portal.core.schemas import EventId, PlainText

RatingTarget = Literal["order", "activity", "alert", "visit", "service"]


class RatingCreate(BaseModel):
    """A resident's rating of a service; ``event_id`` makes re-sending it harmless."""

    model_config = ConfigDict(extra="forbid")
    event_id: str = EventId
    target_kind: RatingTarget
    target_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    stars: int = Field(ge=1, le=5)
    comment: PlainText = Field(default="", max_length=500)
    resident_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class RatingStored(BaseModel):
    """Answer to a rating."""

    id: int
    event_id: str
    target_kind: str
    target_id: int | None
    stars: int
    duplicate: bool

