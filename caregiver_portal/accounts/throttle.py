"""Sign-in throttling that slows guessing down without ever locking the real user out.

Failures are counted per client address and per account. After a few free failures each key must wait
before its next attempt, the wait doubling with each further failure up to a ceiling (backoff, never a
lock). While a key waits, attempts are refused without being counted, so hammering never makes the wait
longer than the ceiling. A key is forgotten after a quiet period; a successful sign-in clears its account.

A browser the user has signed in from before (a *known device*, :mod:`caregiver_portal.accounts.known_device`)
skips the account's wait: someone guessing a volunteer's password from elsewhere slows down the guesser,
not the volunteer on their own phone. The address wait still applies to everyone at that address.

The rules are pure (:func:`wait_before`, :func:`after_failure`); :class:`LoginThrottle` keeps the records
of one portal process in memory, with the clock passed in.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BackoffPolicy:
    """How one kind of key (address or account) slows down."""

    free_failures: int
    """Failures allowed before the first wait."""
    first_wait_s: float
    max_wait_s: float
    forget_after_s: float
    """A key without failures for this long starts again from nothing."""


ADDRESS_POLICY = BackoffPolicy(free_failures=10, first_wait_s=2.0, max_wait_s=300.0, forget_after_s=3600.0)
ACCOUNT_POLICY = BackoffPolicy(free_failures=5, first_wait_s=2.0, max_wait_s=60.0, forget_after_s=3600.0)
MAX_KEYS = 50_000  # records kept per process; the oldest are forgotten first (memory stays bounded)


@dataclass(frozen=True)
class Failures:
    """What is known about one key: how many failures in a row, the last one when."""

    count: int = 0
    last_at: float = 0.0


def wait_before(record: Failures, policy: BackoffPolicy, now: float) -> float:
    """Seconds this key must still wait before its next attempt (0: it may try now)."""
    if record.count < policy.free_failures or now - record.last_at >= policy.forget_after_s:
        return 0.0
    wait = min(policy.max_wait_s, policy.first_wait_s * 2 ** (record.count - policy.free_failures))
    return max(0.0, record.last_at + wait - now)


def after_failure(record: Failures, policy: BackoffPolicy, now: float) -> Failures:
    """The record after one more failed attempt at ``now`` (a forgotten key starts again from one)."""
    if now - record.last_at >= policy.forget_after_s:
        return Failures(count=1, last_at=now)
    return Failures(count=record.count + 1, last_at=now)


class LoginThrottle:
    """The failures of one portal process, per address and per account (thread-safe)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, address_policy: BackoffPolicy = ADDRESS_POLICY,
                 account_policy: BackoffPolicy = ACCOUNT_POLICY) -> None:
        self.clock = clock
        self._policies = {"address": address_policy, "account": account_policy}
        self._records: OrderedDict[tuple[str, str], Failures] = OrderedDict()
        self._lock = threading.Lock()

    def wait_before(self, *, address: str, account: str, known_device: bool) -> float:
        """Seconds before this attempt may be checked (0: check the password now)."""
        now = self.clock()
        keys = [("address", address)] + ([] if known_device else [("account", account.lower())])
        with self._lock:
            return max(wait_before(self._records.get(key, Failures()), self._policies[key[0]], now) for key in keys)

    def failed(self, *, address: str, account: str) -> None:
        """Count a wrong password against the address and the account."""
        now = self.clock()
        with self._lock:
            for key in (("address", address), ("account", account.lower())):
                record = after_failure(self._records.pop(key, Failures()), self._policies[key[0]], now)
                self._records[key] = record
            while len(self._records) > MAX_KEYS:
                self._records.popitem(last=False)

    def succeeded(self, *, account: str) -> None:
        """The account's owner signed in: its failures are forgotten (the address's are not)."""
        with self._lock:
            self._records.pop(("account", account.lower()), None)
