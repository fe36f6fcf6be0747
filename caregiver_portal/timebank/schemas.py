"""Request and response bodies of the time bank's device API (kiosks): a resident's points and redemptions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from caregiver_portal.core.schemas import EventId


class RewardPublic(BaseModel):
    """A reward on offer at the site."""

    id: int
    name: str
    points: int


class ResidentPoints(BaseModel):
    """A resident's points, the rewards on offer, and rewards redeemed but not handed over yet."""

    resident_id: int
    balance: int
    rewards: list[RewardPublic]
    waiting: list[str]


class RedemptionCreate(BaseModel):
    """A resident spends points on a reward at the kiosk; ``event_id`` makes re-sending it harmless."""

    model_config = ConfigDict(extra="forbid")
    event_id: str = EventId
    resident_id: int = Field(ge=1, le=2**31 - 1)
    reward_id: int = Field(ge=1, le=2**31 - 1)


class RedemptionStored(BaseModel):
    """Answer to a redemption."""

    id: int
    event_id: str
    reward_name: str
    points: int
    balance: int
    duplicate: bool
