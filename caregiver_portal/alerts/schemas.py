"""Request and response bodies of the alerts device API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from caregiver_portal.bands.schemas import BAND_ADDRESS
from caregiver_portal.core.schemas import DeviceTimestamp, EventId, PlainText

AlertKind = Literal["sos", "fall", "help", "health", "inactivity", "device"]
DetailValue = PlainText | int | float | bool | None


class AlertCreate(BaseModel):
    """An alert raised by a device; ``event_id`` makes re-sending it harmless."""

    model_config = ConfigDict(extra="forbid")
    event_id: str = EventId
    kind: AlertKind
    emergency: bool | None = None
    wristband: str | None = Field(default=None, max_length=64, pattern=BAND_ADDRESS)
    resident_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    occurred_at: DeviceTimestamp | None = None
    """When the button was pressed (a call held offline keeps it); the receipt time when left out."""
    details: dict[PlainText, DetailValue] = Field(default_factory=dict, max_length=20,
                                                  json_schema_extra={"additionalProperties": False})
    """Free facts (``place``…); keys are texts too (patternProperties alone would let any other key through)."""


class AlertPublic(BaseModel):
    """An alert as a device sees it (no health values)."""

    id: int
    kind: str
    kind_label: str
    state: str
    emergency: bool
    place: str
    occurred_at: datetime
    """When it happened (the press), as the device reported it; waits and deadlines count from here."""
    received_at: datetime
    """When the portal received it."""
    created_at: datetime
    """The same as ``received_at`` (kept for devices written before the press time was kept)."""
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


