"""Request and response bodies of the check-in device API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from caregiver_portal.bands.schemas import BAND_ADDRESS
from caregiver_portal.core.schemas import DeviceTimestamp, EventId, PlainText


class CheckinCreate(BaseModel):
    """A daily check-in (平安打卡): a band's double press (``wristband``) or 我今天很好 at a kiosk
    (``resident_id`` of the person it identified); ``event_id`` makes re-sending it harmless."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"oneOf": [  # what _one_subject checks
        {"required": ["wristband"], "properties": {"wristband": {"type": "string"}}},
        {"required": ["resident_id"], "properties": {"resident_id": {"type": "integer"}}}]})
    event_id: str = EventId
    wristband: str | None = Field(default=None, max_length=64, pattern=BAND_ADDRESS)
    resident_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    occurred_at: DeviceTimestamp | None = None
    radio: PlainText | None = Field(default=None, max_length=80)

    @model_validator(mode="after")
    def _one_subject(self) -> CheckinCreate:
        if (self.wristband is None) == (self.resident_id is None):
            raise ValueError("give either wristband or resident_id")
        return self


class CheckinStored(BaseModel):
    """The stored check-in; ``duplicate`` is true when the same event was stored before."""

    id: int
    event_id: str
    resident_id: int
    day: date
    at: datetime
    source: str
    duplicate: bool
