"""Replay protection: is a frame counter new, a harmless repeat, or suspicious? (pure)

Every authenticated frame (Anxin, BTHome, MiBeacon) carries a counter that is part of its
AES-CCM nonce, so it cannot be changed without the key. A device only ever repeats its
*latest* frame (a new event or status is a new frame with the next counter). A
:class:`CounterGuard` per band remembers the highest counter accepted and the recent ones:

- higher than the highest is **new** — unless further ahead than ``max_ahead`` (**ahead**);
- equal to the highest is a **duplicate** (the device repeating its frame, a second radio)
  while within ``repeat_window`` of its first sighting, else **replayed**;
- lower, within ``reorder_window`` seconds of the highest's arrival, is a late copy through a
  slower radio: a **duplicate** if seen, **late** (accepted) if never seen and at most
  ``late_window`` below; any other lower counter is **replayed** — someone recorded the frame.

``check`` only classifies; ``accept`` records a counter once the frame's MIC verified, so a
forged frame can never move the guard. The highest counter survives a bridge restart
(``wearable.state``); its first sighting does not, so after a restart the stored highest
counts as a fresh duplicate.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from dataclasses import dataclass


class Verdict(enum.StrEnum):
    """Classification of one frame counter."""

    NEW = "new"
    LATE = "late"
    DUPLICATE = "duplicate"
    REPLAYED = "replayed"
    AHEAD = "ahead"

    @property
    def acceptable(self) -> bool:
        """NEW and LATE frames are opened (MIC checked) and, when genuine, accepted."""
        return self in (Verdict.NEW, Verdict.LATE)

    @property
    def suspicious(self) -> bool:
        """REPLAYED and AHEAD are counted as suspicious radio activity and reported."""
        return self in (Verdict.REPLAYED, Verdict.AHEAD)


@dataclass(frozen=True, slots=True)
class CounterPolicy:
    """Limits of one kind of device."""

    max_ahead: int
    """A counter more than this above the highest accepted is refused."""
    late_window: int = 16
    """A never-seen counter at most this far below the highest may be accepted as late."""
    reorder_window: float = 5.0
    """Seconds after the highest arrived during which a lower counter is a late copy, not a replay."""
    repeat_window: float = 120.0
    """Seconds a device may repeat its latest frame (an Anxin band re-seals its status every 60 s)."""
    memory: int = 128
    """Recent counters remembered per band."""


ANXIN_POLICY = CounterPolicy(max_ahead=1 << 20)
"""Anxin bands send a frame per event or status (docs/wristband-protocol.md)."""
BOUGHT_POLICY = CounterPolicy(max_ahead=1 << 24)
"""BTHome and MiBeacon devices may count every advertisement, and spend weeks out of hearing."""


class CounterGuard:
    """Frame counters of one band (see module docstring)."""

    def __init__(self, policy: CounterPolicy, highest: int | None = None) -> None:
        self.policy = policy
        self.highest = highest
        self.highest_at: float | None = None
        """When the highest was accepted (monotonic); None when it comes from the state file."""
        self._seen: OrderedDict[int, float] = OrderedDict()

    def check(self, counter: int, now: float) -> Verdict:
        """Classify ``counter`` at monotonic time ``now`` without recording it."""
        if self.highest is None:
            return Verdict.NEW
        if counter > self.highest:
            return Verdict.AHEAD if counter - self.highest > self.policy.max_ahead else Verdict.NEW
        first_seen = self._seen.get(counter)
        if counter == self.highest:
            fresh = first_seen is None or now - first_seen <= self.policy.repeat_window
            return Verdict.DUPLICATE if fresh else Verdict.REPLAYED
        if self.highest_at is None or now - self.highest_at > self.policy.reorder_window:
            return Verdict.REPLAYED
        if first_seen is not None:
            return Verdict.DUPLICATE
        return Verdict.LATE if self.highest - counter <= self.policy.late_window else Verdict.REPLAYED

    def accept(self, counter: int, now: float) -> bool:
        """Record a verified counter; True when it raised the highest (to be stored)."""
        self._seen.setdefault(counter, now)
        if len(self._seen) > self.policy.memory:
            self._seen.popitem(last=False)
        if self.highest is None or counter > self.highest:
            self.highest, self.highest_at = counter, now
            return True
        return False
