"""Request and response bodies of the community device API (kiosks)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from caregiver_portal.api.schemas import EventId
from caregiver_portal.api.types import PlainText

OrderState = Literal["submitted", "claimed", "bought", "delivered", "received", "cancelled"]
SignupState = Literal["confirmed", "waitlisted", "cancelled"]
RatingTarget = Literal["order", "activity", "alert", "visit", "service"]


class CatalogItemPublic(BaseModel):
    """A grocery item a resident can ask for; ``synonyms`` help the kiosk understand speech."""

    id: int
    name: str
    category: str
    unit: str
    usual_price_fen: int | None = Field(description="usual price in fen (1/100 yuan)")
    synonyms: list[str]
    picture_url: str | None = Field(description="path of the item's picture on the portal (SVG)")


class OrderLineIn(BaseModel):
    """One wanted item: ``item_id`` from the catalog, or a ``name`` (synonyms are matched)."""

    model_config = ConfigDict(extra="forbid")
    item_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    name: PlainText | None = Field(default=None, min_length=1, max_length=50)
    quantity: float = Field(gt=0, le=1000, allow_inf_nan=False)
    unit: PlainText | None = Field(default=None, min_length=1, max_length=10)

    @model_validator(mode="after")
    def _item_or_name(self) -> OrderLineIn:
        if self.item_id is None and self.name is None:
            raise ValueError("give item_id or name")
        return self


class OrderCreate(BaseModel):
    """A grocery order from a kiosk; ``event_id`` makes re-sending it harmless."""

    model_config = ConfigDict(extra="forbid")
    event_id: str = EventId
    resident_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    items: list[OrderLineIn] = Field(min_length=1, max_length=30)
    note: PlainText = Field(default="", max_length=500)


class OrderLinePublic(BaseModel):
    """One line of an order."""

    item_id: int | None
    name: str
    quantity: float
    unit: str


class OrderPublic(BaseModel):
    """An order as the kiosk sees it (who is bringing it, where it is)."""

    id: int
    state: OrderState
    state_label: str
    resident_id: int | None
    items: list[OrderLinePublic]
    note: str
    estimated_total_fen: int | None
    created_at: datetime
    claimed_by: str | None
    claimed_at: datetime | None
    bought_at: datetime | None
    amount_paid_fen: int | None
    delivered_at: datetime | None
    received_at: datetime | None
    cancelled_at: datetime | None


class OrderPlaced(OrderPublic):
    """Answer to placing an order; ``duplicate`` is true when the event was stored before."""

    event_id: str
    duplicate: bool


class ActivityPublic(BaseModel):
    """An upcoming activity with its places."""

    id: int
    title: str
    category: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    confirmed: int
    waitlisted: int
    spots_left: int
    cancelled: bool


class SignupCreate(BaseModel):
    """A resident signs up at a kiosk; ``event_id`` makes re-sending it harmless."""

    model_config = ConfigDict(extra="forbid")
    event_id: str = EventId
    resident_id: int = Field(ge=1, le=2**31 - 1)


class SignupCancel(BaseModel):
    """A resident cancels their sign-up at a kiosk."""

    model_config = ConfigDict(extra="forbid")
    resident_id: int = Field(ge=1, le=2**31 - 1)
    event_id: str | None = Field(default=None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")


class SignupPublic(BaseModel):
    """A sign-up: ``confirmed``, ``waitlisted`` (with its place in the line) or ``cancelled``."""

    id: int
    activity_id: int
    activity_title: str
    starts_at: datetime
    place: str
    resident_id: int
    state: SignupState
    state_label: str
    waitlist_position: int | None
    checked_in: bool


class SignupResultPublic(SignupPublic):
    """Answer to a sign-up; ``duplicate`` is true when it was stored before (re-send or already signed up)."""

    duplicate: bool


class ResidentGreeting(BaseModel):
    """What a kiosk needs to greet a resident who typed their code."""

    id: int
    polite_name: str = Field(description='e.g. "王阿姨"')
    room: str


class RatingCreate(BaseModel):
    """A resident's rating of a service; ``event_id`` makes re-sending it harmless."""

    model_config = ConfigDict(extra="forbid")
    event_id: str = EventId
    target_kind: RatingTarget
    target_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    stars: int = Field(ge=1, le=5)
    comment: PlainText = Field(default="", max_length=500)
    resident_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class RatingStored(BaseModel):
    """Answer to a rating."""

    id: int
    event_id: str
    target_kind: str
    target_id: int | None
    stars: int
    duplicate: bool
