"""Response bodies of the accounts device API."""

from __future__ import annotations

from pydantic import BaseModel


class DevicePublic(BaseModel):
    """The calling device, as its token names it (a cheap check that the token is valid)."""

    id: int
    kind: str
    name: str
    site_id: int
