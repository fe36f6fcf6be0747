"""Password hashing (argon2) and device bearer tokens (random, stored as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

DEVICE_TOKEN_PREFIX = "axd_"


def password_hasher(profile: str = "default") -> PasswordHasher:
    """argon2id hasher; the "fast" profile is only for tests (cheap parameters)."""
    if profile == "fast":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hash_password(hasher: PasswordHasher, password: str) -> str:
    """An argon2id hash of ``password``."""
    return hasher.hash(password)


def verify_password(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; never raises on a bad hash."""
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_device_token() -> str:
    """A fresh device bearer token (256 bits of randomness)."""
    return DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_device_token(token: str) -> str:
    """The SHA-256 hex digest under which a device token is stored.

    A fast hash is right here: the token is 256 random bits, so it cannot be guessed
    from its hash, and every device request must be verified cheaply.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
