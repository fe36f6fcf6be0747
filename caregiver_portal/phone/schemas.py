"""Answer bodies of the phone-request device API (kiosks): a resident's requests recorded by the desk."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class RecordedRequest(BaseModel):
    """A request the duty worker recorded for the resident (电话代录), with where it is now."""

    event_id: str = Field(description="follow an order with GET /api/v1/orders/by-event/{event_id}")
    kind: Literal["help", "order", "signup"]
    target_id: int | None = Field(description="the alert, order or activity sign-up it became")
    state: str
    state_label: str
    summary: str = Field(description="the items of an order, the activity's title, or the help request's note")
    detail: str = Field(description="who accepted a help request")
    activity_id: int | None
    recorded_by: str
    created_at: datetime


class RecordedRequests(BaseModel):
    """A resident's phone-recorded requests of the last 14 days, newest first."""

    requests: list[RecordedRequest]
