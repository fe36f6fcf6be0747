"""The *known device* cookie: a browser a user has signed in from before skips the account's sign-in backoff
(:mod:`caregiver_portal.accounts.throttle`), so someone guessing a volunteer's password elsewhere cannot keep
the volunteer out of their own phone.

The cookie is signed with the portal's secret (itsdangerous) and names one user: it lets that user's password
be checked at once from this browser, nothing more (it is not a session and signs nobody in).
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "anxin_known_device"
MAX_AGE_S = 180 * 24 * 3600
_SALT = "anxin-known-device"


def issue(secret: str, user_id: int) -> str:
    """A cookie value saying this browser has signed in as ``user_id``."""
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps({"u": int(user_id)})


def known_user_id(secret: str, value: str | None) -> int | None:
    """The user a valid, unexpired cookie value names, else None."""
    if not value:
        return None
    try:
        data = URLSafeTimedSerializer(secret, salt=_SALT).loads(value, max_age=MAX_AGE_S)
    except BadSignature:
        return None
    user_id = data.get("u") if isinstance(data, dict) else None
    return user_id if isinstance(user_id, int) else None
