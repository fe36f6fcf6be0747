"""Request and response bodies of the device API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from caregiver_portal.api.types import DeviceTimestamp, PlainText

AlertKind = Literal["sos", "fall", "help", "health", "inactivity", "device"]
ReadingKind = Literal["heart_rate", "spo2", "temperature", "battery"]
BAND_ADDRESS = r"^[0-9A-Za-z:\-]+$"  # a MAC address (Linux) or a UUID (macOS)
DetailValue = PlainText | int | float | bool | None
EventId = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")


class AlertCreate(BaseModel):
    """An alert raised by a device; ``event_id`` makes re-sending it harmless."""

    model_config = ConfigDict(extra="forbid")
    event_id: str = EventId
    kind: AlertKind
    emergency: bool | None = None
    wristband: str | None = Field(default=None, max_length=64, pattern=BAND_ADDRESS)
    resident_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    occurred_at: DeviceTimestamp | None = None
    details: dict[PlainText, DetailValue] = Field(default_factory=dict, max_length=20)


class AlertPublic(BaseModel):
    """An alert as a device sees it (no health values)."""

    id: int
    kind: str
    kind_label: str
    state: str
    emergency: bool
    place: str
    created_at: datetime
    accepted_by: str | None
    accepted_at: datetime | None
    resolved_at: datetime | None
    cancelled_at: datetime | None


class AlertRaised(AlertPublic):
    """Answer to raising an alert; ``duplicate`` is true when the event was stored before."""

    event_id: str
    duplicate: bool


class AlertCancel(BaseModel):
    """A device cancels an alert it raised (a mistaken call, a fall cancelled on the band)."""

    model_config = ConfigDict(extra="forbid")
    reason: PlainText = Field(default="", max_length=200)


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


class WristbandPublic(BaseModel):
    """A registered wristband of the device's site."""

    address: str
    resident_id: int | None
    label: str


class ErrorBody(BaseModel):
    """Every error answer of the API."""

    detail: Any
