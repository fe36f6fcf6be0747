"""One post to a bot with quick retries (tenacity), every attempt recorded.

Errors: a transport failure (``requests.RequestException``) or an answer judged
``Verdict.RETRY`` is retried with exponential backoff; ``RATE_LIMITED`` and ``GIVE_UP``
end the attempts at once (the sender reschedules or fails the rows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from caregiver_portal.notifications.channels import BotRequest, Verdict, classify


@dataclass(frozen=True)
class Batch:
    """Rows of one bot going out in one post."""

    channel_id: int
    kind: str
    channel_name: str
    notification_ids: tuple[int, ...]
    request: BotRequest
    budget: int
    """Posts the bot's rate limit still allows in this minute."""


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt and how its answer was judged."""

    at: datetime
    verdict: Verdict
    status_code: int | None
    reason: str

    @property
    def ok(self) -> bool:
        """True when the bot took the message."""
        return self.verdict is Verdict.OK


class _TryAgain(Exception):
    """Internal: tells tenacity to retry."""


def post_with_retries(http: requests.Session, batch: Batch, *, attempts: int, timeout_s: float,
                      sleep: Callable[[float], None], clock: Callable[[], datetime]) -> list[Attempt]:
    """Post ``batch`` up to ``attempts`` times; returns every attempt, the last one decisive."""
    log: list[Attempt] = []

    def once() -> None:
        """One attempt; raises _TryAgain when tenacity should retry."""
        at = clock()
        try:
            response = http.post(batch.request.url, data=batch.request.body, headers=batch.request.headers,
                                 timeout=timeout_s)
        except requests.RequestException as exc:
            log.append(Attempt(at, Verdict.RETRY, None, f"连接失败 ({type(exc).__name__})"))
            raise _TryAgain() from exc
        verdict, reason = classify(batch.kind, response.status_code, _json(response))
        log.append(Attempt(at, verdict, response.status_code, reason))
        if verdict is Verdict.RETRY:
            raise _TryAgain()

    retrying = Retrying(stop=stop_after_attempt(max(1, attempts)), wait=wait_exponential(multiplier=0.5, max=4),
                        retry=retry_if_exception_type(_TryAgain), sleep=sleep, reraise=True)
    try:
        retrying(once)
    except _TryAgain:
        pass
    return log


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
