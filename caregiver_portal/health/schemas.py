"""Request and response bodies of the readings device API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

from caregiver_portal.bands.schemas import BAND_ADDRESS
from caregiver_portal.core.schemas import EventId, MeasuredAt

ReadingKind = Literal["heart_rate", "spo2", "temperature", "battery"]


class ReadingIn(BaseModel):
    """One measurement from a wristband."""

    model_config = ConfigDict(extra="forbid")
    wristband: str = Field(min_length=1, max_length=64, pattern=BAND_ADDRESS)
    kind: ReadingKind
    value: Annotated[float, Strict()] = Field(allow_inf_nan=False, ge=-1000, le=100000,
                                              description="a number (true/false or text are refused); outside the "
                                                          "kind's plausible range it is counted in rejected")
    measured_at: MeasuredAt


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
    rejected_by_kind: dict[str, int] = Field(default_factory=dict)
    """Rejected readings per kind: unknown band, more than 10 minutes ahead, or outside the plausible range."""
    withheld_without_consent: int = 0
    """Health readings acknowledged but not stored: the resident has not consented (PIPL)."""

