"""What a portal answer means for an outbox item (pure: status and body in, verdict out), and how long
an item waits before its next try.

    DELIVERED     2xx: done, keep the answer
    RETRY         5xx, 408, 425, 429 (or no answer): try this item again later, on its own backoff
    CHECK_TOKEN   401/403: a dead letter if the device's token is valid (the refusal is about this
                  request), else the token is the problem and every item waits for an admin
    CONFLICT      409 naming a conflict: the portal holds a different request under this id
    DEAD          any other 4xx: retrying cannot help
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from tenacity import RetryCallState, wait_exponential_jitter

TRANSIENT_STATUSES = frozenset({408, 425, 429})
TOKEN_STATUSES = frozenset({401, 403})


class Verdict(Enum):
    """What to do with an item after the portal answered."""

    DELIVERED = "delivered"
    RETRY = "retry"
    CHECK_TOKEN = "check_token"
    CONFLICT = "conflict"
    DEAD = "dead"


def judge(status: int, answer: Any) -> Verdict:
    """The verdict for HTTP ``status`` with JSON ``answer`` (None when the body was not JSON)."""
    if 200 <= status < 300:
        return Verdict.DELIVERED
    if status >= 500 or status in TRANSIENT_STATUSES or status < 400:
        return Verdict.RETRY
    if status in TOKEN_STATUSES:
        return Verdict.CHECK_TOKEN
    if status == 409 and isinstance(answer, dict) and isinstance(answer.get("conflict"), dict):
        return Verdict.CONFLICT
    return Verdict.DEAD


def detail_text(status: int, answer: Any, raw: str) -> str:
    """A short reason for the log and the dead letter: the portal's ``detail`` when it gave one."""
    detail = answer.get("detail") if isinstance(answer, dict) else None
    text = detail if isinstance(detail, str) else raw
    return f"HTTP {status}: {text}"[:500]


def item_backoff(attempts: int, *, min_s: float, max_s: float, jitter_s: float = 0.25) -> float:
    """Seconds an item waits after its ``attempts``-th failed try: about ``min_s``, doubling up to ``max_s``
    (tenacity's exponential backoff with jitter, applied to one item instead of to a loop)."""
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = max(1, attempts)
    return float(wait_exponential_jitter(multiplier=min_s, max=max_s, jitter=jitter_s)(state))
