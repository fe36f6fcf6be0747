"""Request and response bodies of the roll-call device API (kiosks)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from caregiver_portal.core.schemas import EventId

RollCallReply = Literal["safe", "help"]
"""我平安 or 我需要帮助."""


class OpenRollCall(BaseModel):
    """An open roll call that lists the resident, and what they have answered so far."""

    id: int
    reason: str
    reason_label: str
    """高温 / 台风 / 停电 / 其他."""
    started_at: datetime
    state: Literal["waiting", "safe", "help"]


class OpenRollCalls(BaseModel):
    """The open roll calls of one resident (empty: the kiosk shows nothing)."""

    roll_calls: list[OpenRollCall]


class RollCallAnswer(BaseModel):
    """An identified resident's answer at the kiosk: 我平安 (``safe``) or 我需要帮助 (``help``)."""

    model_config = ConfigDict(extra="forbid")
    event_id: str = EventId
    resident_id: int = Field(ge=1, le=2**31 - 1)
    answer: RollCallReply


class RollCallAnswered(BaseModel):
    """How many open roll calls the answer reached; ``duplicate`` when the event was stored before."""

    roll_calls: int
    duplicate: bool
