"""Band keys: entered or generated at enrolment, encrypted at rest, given only to the band's own site's bridges.

A band's AES-128 key (BTHome or MiBeacon bind key, or the Anxin band key the portal generates)
is sealed with AES-GCM (``cryptography``) under a key derived by HKDF-SHA256 from the portal's
secret (``ANXIN_SECRET_KEY``), with the band's address as associated data, and stored in
``band_keys``. Only its fingerprint is ever shown or logged. Changing the portal's secret makes
stored keys unreadable (:class:`KeyUnreadable`): enter them again.

Service functions for enrolment (issue 13 calls :func:`set_band_key` / :func:`generate_band_key`
after pairing a band): keyword-only, ``now`` passed in, each one unit of work
(:mod:`caregiver_portal.core.uow`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.bands.models import BandKey, Wristband
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.uow import transactional

SCHEMES = ("anxin", "bthome", "mibeacon", "hrs", "itag")
"""Decoders a band can be enrolled with (``wearable.keys.Scheme``)."""
KEYED_SCHEMES = frozenset({"anxin", "bthome", "mibeacon"})
SCHEME_LABELS = {"anxin": "安心手环", "bthome": "BTHome 按钮", "mibeacon": "小米按钮（米家）",
                 "hrs": "心率广播手环（只有读数）", "itag": "iTAG 按钮（无法验证）"}
KEY_BYTES = 16
NONCE_BYTES = 12


class KeyUnreadable(Exception):
    """A stored key does not open with this portal's secret (the secret was changed)."""


class KeyVault:
    """Seals and opens band keys with a key derived from the portal's secret."""

    def __init__(self, secret: str) -> None:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"anxin portal band keys v1")
        self._aead = AESGCM(hkdf.derive(secret.encode()))

    def seal(self, address: str, key: bytes) -> bytes:
        """Nonce + ciphertext of ``key``, bound to the band's address."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, key, address.upper().encode())

    def open(self, address: str, sealed: bytes) -> bytes:
        """The key sealed for this address; raises :class:`KeyUnreadable`."""
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], address.upper().encode())
        except InvalidTag as exc:
            raise KeyUnreadable(f"the key of {address} does not open with this portal's secret") from exc


def fingerprint(key: bytes) -> str:
    """What is shown of a key: the first 8 hex digits of its SHA-256 (as the bridge logs it)."""
    return hashlib.sha256(key).hexdigest()[:8]


def parse_key(text: str) -> bytes:
    """A key as an admin types it: 32 hex digits; spaces, colons and dashes are ignored."""
    cleaned = "".join(ch for ch in text.strip() if ch not in " :-")
    try:
        key = bytes.fromhex(cleaned)
    except ValueError as exc:
        raise InvalidTransition("密钥应为 32 位十六进制数字（0-9、a-f）") from exc
    if len(key) != KEY_BYTES:
        raise InvalidTransition(f"密钥应为 32 位十六进制数字，这里是 {len(cleaned)} 位")
    return key


@dataclass(frozen=True)
class SiteBandKey:
    """One band as a bridge of its site serves it."""

    address: str
    scheme: str
    key: bytes | None


@transactional
def set_band_key(*, session: Session, vault: KeyVault, band: Wristband, scheme: str, key: bytes | None,
                 user_id: int | None, now: datetime) -> str | None:
    """Enrol ``band`` with ``scheme`` and ``key`` (None: no key); returns the key's fingerprint."""
    if scheme not in SCHEMES:
        raise InvalidTransition(f"未知的设备类型 {scheme}")
    if key is not None and scheme not in KEYED_SCHEMES:
        raise InvalidTransition(f"{SCHEME_LABELS[scheme]}没有密钥")
    if key is not None and len(key) != KEY_BYTES:
        raise InvalidTransition("密钥应为 16 字节")
    band.scheme = scheme
    row = session.get(BandKey, band.id)
    if key is None:
        if row is not None:
            session.delete(row)
        session.flush()
        return None
    if row is None:
        row = BandKey(wristband_id=band.id, sealed=b"", key_id="", set_at=now)
        session.add(row)
    row.sealed, row.key_id, row.set_at, row.set_by_id = vault.seal(band.address, key), fingerprint(key), now, user_id
    session.flush()
    return row.key_id


@transactional
def generate_band_key(*, session: Session, vault: KeyVault, band: Wristband, user_id: int | None,
                      now: datetime) -> bytes:
    """A new random key for an Anxin band (written into the band by the charger app); returned once."""
    key = os.urandom(KEY_BYTES)
    set_band_key(session=session, vault=vault, band=band, scheme="anxin", key=key, user_id=user_id, now=now)
    return key


def site_band_keys(*, session: Session, vault: KeyVault, site_id: int) -> list[SiteBandKey]:
    """Every band of a site with its scheme and key; a key that cannot be opened is left out (None)."""
    rows = session.execute(
        select(Wristband, BandKey).outerjoin(BandKey, BandKey.wristband_id == Wristband.id)
        .where(Wristband.site_id == site_id).order_by(Wristband.id)
    ).all()
    result = []
    for band, sealed in rows:
        key = None
        if sealed is not None:
            try:
                key = vault.open(band.address, sealed.sealed)
            except KeyUnreadable:
                key = None
        result.append(SiteBandKey(band.address.upper(), band.scheme, key))
    return result


def key_ids(*, session: Session, wristband_ids: list[int]) -> dict[int, str]:
    """Fingerprints of the keys of these bands (for pages)."""
    rows = session.execute(select(BandKey.wristband_id, BandKey.key_id).where(BandKey.wristband_id.in_(wristband_ids)))
    return {wristband_id: key_id for wristband_id, key_id in rows}
