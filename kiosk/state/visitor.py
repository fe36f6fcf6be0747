"""Who is at the kiosk (pure): the greeting, and which nearby wristband to greet.

A wristband heard strongly near the kiosk is a hint, never an identification: the kiosk asks
"王阿姨，您好！是您吗？" and only a 是 makes it so. Otherwise the person types their room
number or resident code on the keypad.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Visitor:
    """The resident using the kiosk now."""

    resident_id: int
    polite_name: str
    """How to address them: 王阿姨, 李叔叔 (from the portal)."""
    room: str = ""
    code: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, code: str = "") -> Visitor:
        """From ``GET /api/v1/residents/lookup`` (``{"id", "polite_name", "room"}``)."""
        return cls(resident_id=int(data["id"]), polite_name=str(data.get("polite_name") or "您"),
                   room=str(data.get("room") or ""), code=code or str(data.get("code") or ""))

    def to_json(self) -> dict[str, Any]:
        """For the local residents cache."""
        return {"id": self.resident_id, "polite_name": self.polite_name, "room": self.room, "code": self.code}

    @property
    def hello(self) -> str:
        """``王阿姨，您好！``."""
        return f"{self.polite_name}，您好！"

    @property
    def question(self) -> str:
        """``王阿姨，您好！是您吗？`` (the greeting screen)."""
        return f"{self.hello}是您吗？"


def nearby_candidates(bands: Iterable[Mapping[str, Any]], *, declined: Container[int]) -> list[int]:
    """Resident ids of nearby wristbands, strongest first, without those who said 不是.

    The portal already orders bands by signal strength; bands not paired with a resident and
    duplicates are skipped.
    """
    seen: list[int] = []
    for band in bands:
        resident_id = band.get("resident_id")
        if isinstance(resident_id, int) and resident_id not in declined and resident_id not in seen:
            seen.append(resident_id)
    return seen
