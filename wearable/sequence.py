"""Per-band sequence-number bookkeeping of Anxin events (pure)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

SEQ_MODULO = 0x10000
DEDUP_MEMORY = 256
RESTART_CLOCK_JUMP_S = 60


@dataclass(frozen=True, slots=True)
class Observation:
    """Verdict on one event's (sequence, band clock)."""

    duplicate: bool = False
    """Seen before: drop it."""
    missed: int = 0
    """Events skipped between the highest seen sequence number and this one."""
    late: bool = False
    """Older than the highest seen, but never seen: forward it anyway."""


class SequenceTracker:
    """Remembers recent (sequence, band clock) pairs of one band and the highest sequence."""

    def __init__(self, memory: int = DEDUP_MEMORY) -> None:
        self.memory = memory
        self.highest: int | None = None
        self.highest_clock = 0
        self._seen: OrderedDict[tuple[int, int], None] = OrderedDict()

    def observe(self, sequence: int, band_clock: int) -> Observation:
        """Record an event and classify it (duplicate / gap / late)."""
        key = (sequence, band_clock)
        if key in self._seen:
            return Observation(duplicate=True)
        self._seen[key] = None
        if len(self._seen) > self.memory:
            self._seen.popitem(last=False)
        if self.highest is None:
            self._advance(sequence, band_clock)
            return Observation()
        delta = (sequence - self.highest) % SEQ_MODULO
        if 0 < delta < SEQ_MODULO // 2:
            self._advance(sequence, band_clock)
            return Observation(missed=delta - 1)
        if band_clock > self.highest_clock + RESTART_CLOCK_JUMP_S:  # the band restarted its counter
            self._advance(sequence, band_clock)
            return Observation()
        return Observation(late=True)

    def _advance(self, sequence: int, band_clock: int) -> None:
        self.highest, self.highest_clock = sequence, band_clock
