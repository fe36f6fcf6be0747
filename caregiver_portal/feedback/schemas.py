"""Request and response bodies of the residents' voice device API (kiosks)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from caregiver_portal.core.schemas import EventId, PlainText

FeedbackKind = Literal["problem", "suggestion"]
FeedbackCategory = Literal["facilities", "environment", "safety", "service", "neighbours", "other"]


class FeedbackCreate(BaseModel):
    """A resident's problem or suggestion from the kiosk; ``event_id`` makes re-sending it harmless."""

    model_config = ConfigDict(extra="forbid")
    event_id: str = EventId
    resident_id: int = Field(ge=1, le=2**31 - 1)
    kind: FeedbackKind
    category: FeedbackCategory
    text: PlainText = Field(default="", max_length=500)
    """What the resident said (a spoken sentence); empty for a touch report (the grid worker calls back)."""


class FeedbackStored(BaseModel):
    """Answer to a report: its number and who it went to."""

    id: int
    event_id: str
    assigned: bool
    duplicate: bool


class FeedbackReply(BaseModel):
    """A closed report whose reply the resident has not heard yet."""

    id: int
    kind: FeedbackKind
    category: str
    category_label: str
    reply: str
    reported_at: datetime
    closed_at: datetime


class ReplyHeard(BaseModel):
    """The kiosk said a reply to the resident."""

    model_config = ConfigDict(extra="forbid")
    event_id: str = EventId
