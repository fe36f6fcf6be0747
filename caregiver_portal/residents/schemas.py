"""Response bodies of the residents device API (kiosks)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ResidentGreeting(BaseModel):
    """What a kiosk needs to greet a resident who typed their code."""

    id: int
    polite_name: str = Field(description='e.g. "王阿姨"')
    room: str

