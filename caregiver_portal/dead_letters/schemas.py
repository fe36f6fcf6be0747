"""Request and response bodies of the dead-letter device API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from caregiver_portal.core.schemas import DeviceTimestamp, EventId, PlainText


class DeadLetterReport(BaseModel):
    """One request the device stored but the portal refused for good (as the device's outbox recorded it)."""

    model_config = ConfigDict(extra="forbid")
    event_id: str = EventId
    method: Literal["POST", "PUT", "PATCH", "DELETE"] = "POST"
    path: PlainText = Field(min_length=1, max_length=200)
    status_code: int | None = Field(default=None, ge=100, le=599)
    problem: Literal["refused", "forbidden", "conflict"]
    detail: PlainText = Field(default="", max_length=500)
    summary: PlainText = Field(default="", max_length=200)
    failed_at: DeviceTimestamp


DeadLetterReports = Annotated[list[DeadLetterReport], Field(min_length=1, max_length=50)]


class DeadLettersStored(BaseModel):
    """Answer to a report: how many dead letters were new and how many the portal knew already."""

    stored: int
    known: int

