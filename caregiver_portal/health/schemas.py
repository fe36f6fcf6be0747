"""Request and response bodies of the readings device API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from caregiver_portal.bands.schemas import BAND_ADDRESS
from caregiver_portal.core.schemas import DeviceTimestamp, EventId

ReadingKind = Literal["heart_rate", "spo2", "temperature", "battery"]


class ReadingIn(BaseModel):
    """One measurement from a wristband."""

    model_config = ConfigDict(extra="forbid")
    wristband: str = Field(min_length=1, max_length=64, pattern=BAND_ADDRESS)
    kind: ReadingKind
    value: float = Field(allow_inf_nan=False, ge=-1000, le=100000)
    measured_at: DeviceTimestamp


class ReadingBatchIn(BaseModel):
    """A batch of readings; ``batch_id`` makes re-sending it harmless."""

    model_config = ConfigDict(extra="forbid")
    batch_id: str = EventId
    readings: list[ReadingIn] = Field(max_length=5000)


class ReadingBatchResult(BaseModel):
    """How a batch was taken."""

    batch_id: str
    accepted: int
    rejected: int
    duplicate: bool
    unknown_wristbands: list[str]
    withheld_without_consent: int = 0
    """Health readings acknowledged but not stored: the resident has not consented (PIPL)."""

