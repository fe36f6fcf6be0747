"""How each band is enrolled: which decoder it needs and its key (pure).

The portal keeps the keys (encrypted at rest) and gives a bridge those of its own site;
the bridge holds them in memory and in its state file. A key never appears in a log line
or a ``repr``: :class:`Enrolment` shows only the key's fingerprint.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

KEY_BYTES = 16
"""AES-128: BTHome, MiBeacon v4/v5 and the Anxin frame all use 16-byte keys."""


class Scheme(enum.StrEnum):
    """The decoder (and security) a band is enrolled with."""

    ANXIN = "anxin"
    """Anxin band (partner firmware): every event in an encrypted frame; a key is required."""
    BTHOME = "bthome"
    """BTHome v2 button or sensor (e.g. Shelly BLU Button1); encrypted when enrolled with a key."""
    MIBEACON = "mibeacon"
    """Xiaomi MiBeacon v4/v5 button (e.g. XMWXKG01LM) with its bind key."""
    HRS = "hrs"
    """A band in heart-rate broadcast mode: readings only, no SOS."""
    ITAG = "itag"
    """iTAG key-finder button: one unauthenticated notification per press."""


KEYED_SCHEMES = frozenset({Scheme.ANXIN, Scheme.BTHOME, Scheme.MIBEACON})
"""Schemes that can carry a key; Anxin and MiBeacon frames cannot be read without one."""


class InvalidKey(ValueError):
    """A key that is not 32 hexadecimal digits, or a key for a device that takes none."""


def parse_key(text: str) -> bytes:
    """A bind key as people type it (32 hex digits, spaces, colons or dashes allowed) -> 16 bytes."""
    cleaned = "".join(ch for ch in text.strip() if ch not in " :-").lower()
    try:
        key = bytes.fromhex(cleaned)
    except ValueError as exc:
        raise InvalidKey("密钥应为 32 位十六进制数字") from exc
    if len(key) != KEY_BYTES:
        raise InvalidKey(f"密钥应为 32 位十六进制数字（收到 {len(key) * 2} 位）")
    return key


def fingerprint(key: bytes) -> str:
    """A short, non-secret name of a key (first 8 hex digits of its SHA-256)."""
    return hashlib.sha256(key).hexdigest()[:8]


@dataclass(frozen=True, slots=True)
class Enrolment:
    """One band as the bridge serves it."""

    address: str
    """Bluetooth address (upper case)."""
    scheme: Scheme = Scheme.ANXIN
    """Decoder and security of the band."""
    key: bytes | None = field(default=None, repr=False)
    """AES-128 key; None for unauthenticated devices (plain BTHome, iTAG, HRS). An Anxin or MiBeacon
    band without its key yet has its frames dropped (counted as ``no_key``) until the key arrives."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", self.address.upper())
        object.__setattr__(self, "scheme", Scheme(self.scheme))
        if self.key is not None and len(self.key) != KEY_BYTES:
            raise InvalidKey(f"{self.address}: key must be {KEY_BYTES} bytes")
        if self.key is not None and self.scheme not in KEYED_SCHEMES:
            raise InvalidKey(f"{self.address}: a {self.scheme} device takes no key")

    @property
    def key_id(self) -> str | None:
        """Fingerprint of the key (safe to log), None without a key."""
        return None if self.key is None else fingerprint(self.key)

    def __repr__(self) -> str:
        return f"Enrolment({self.address!r}, {self.scheme.value!r}, key_id={self.key_id!r})"

    @classmethod
    def from_portal(cls, item: Mapping[str, Any]) -> Enrolment:
        """From one entry of the portal's band list: ``{address, scheme, key}`` (key hex or null)."""
        key = item.get("key")
        return cls(str(item["address"]), Scheme(item.get("scheme") or Scheme.ANXIN),
                   parse_key(str(key)) if key else None)


def enrolments(items: Iterable[str | Enrolment]) -> dict[str, Enrolment]:
    """Index by address; a bare address is an unauthenticated iTAG button or heart-rate band."""
    result: dict[str, Enrolment] = {}
    for item in items:
        enrolment = item if isinstance(item, Enrolment) else Enrolment(item, Scheme.ITAG)
        result[enrolment.address] = enrolment
    return result
