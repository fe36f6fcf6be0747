"""Types shared by the device API schemas: text without control characters, sane timestamps, event ids,
the error body."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EARLIEST_TIMESTAMP = datetime(2000, 1, 1, tzinfo=UTC)


def _no_control_characters(value: str) -> str:
    if CONTROL_CHARACTERS.search(value):
        raise ValueError("text must not contain control characters (such as NUL)")
    return value


def _plausible_time(value: datetime) -> datetime:
    if value < EARLIEST_TIMESTAMP:
        raise ValueError("timestamp before 2000-01-01: the device clock is not set")
    return value


PlainText = Annotated[str, AfterValidator(_no_control_characters)]
"""Text a person or device typed: any characters but control characters (PostgreSQL refuses NUL)."""

DeviceTimestamp = Annotated[AwareDatetime, AfterValidator(_plausible_time)]
"""A timestamp with a time zone, not before 2000 (a band whose clock was never set)."""

EventId = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")
"""A device-chosen id that makes re-sending a write harmless."""


class ErrorBody(BaseModel):
    """Every error answer of the API."""

    detail: Any

