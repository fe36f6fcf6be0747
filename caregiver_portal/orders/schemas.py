"""Request and response bodies of the grocery device API (kiosks): the catalog and orders."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from caregiver_portal.core.schemas import EventId, PlainText

OrderState = Literal["submitted", "claimed", "bought", "delivered", "received", "cancelled"]


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
    """One line of an order, with what the volunteer found once bought."""

    line_id: int
    item_id: int | None
    name: str
    quantity: float
    unit: str
    outcome: Literal["bought", "not_bought", "substitute"] | None = Field(
        default=None, description="null until bought; not_bought is 没买到")
    substitute_name: str | None = None
    substitute_price_fen: int | None = None
    substitute_answer: Literal["accepted", "declined"] | None = Field(
        default=None, description="the resident's answer to a substitute; null while waiting")


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
    amount_due_fen: int | None = Field(default=None, description="what the resident owes: paid minus declined "
                                       "substitutes")
    needs_confirmation: bool = Field(default=False, description="the bill is far from the estimate: the resident "
                                     "must agree to amount_due_fen at the kiosk")
    amount_confirmed: bool = False
    payment_method: Literal["cash", "balance"] | None = None
    money_state: str = ""
    delivered_at: datetime | None
    received_at: datetime | None
    cancelled_at: datetime | None


class OrderPlaced(OrderPublic):
    """Answer to placing an order; ``duplicate`` is true when the event was stored before."""

    event_id: str
    duplicate: bool




class ReceiptConfirm(BaseModel):
    """我收到了 at the kiosk; with ``amount_accepted`` the resident agrees to (or disputes) the bill shown."""

    model_config = ConfigDict(extra="forbid")
    amount_fen: int | None = Field(default=None, ge=0, le=10_000_000, description="the amount the resident saw")
    amount_accepted: bool | None = None


class SubstituteAnswer(BaseModel):
    """The resident keeps (``accept``) or declines a substitute the volunteer bought instead."""

    model_config = ConfigDict(extra="forbid")
    line_id: int = Field(ge=1, le=2**31 - 1)
    accept: bool
