"""Pick what was said from the recogniser's alternatives. Pure.

Vosk can return its N best transcripts (``SetMaxAlternatives``), each with a weight, and
each word with a confidence (:class:`Alternative`, built by :mod:`kiosk.voice.recognizer`).
:func:`choose` parses every alternative and lets the alternatives vote: an intent's score is
the sum over the alternatives that mean it of *weight × parse confidence × word certainty*,
so two transcripts that differ only where it does not matter (救命啊 / 救命呀) back each other.

A missed emergency costs more than a question: if any alternative with a fair weight
(:data:`EMERGENCY_WEIGHT`) is an emergency, the answer is an emergency — sure only when it
also wins the vote, otherwise unsure (confidence < ``CONFIDENT``), so the dialog asks
"您是要紧急呼叫吗？" before raising it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .intents import CONFIDENT, Intent, parse

EMERGENCY_WEIGHT = 0.15
"""An alternative this likely that is an emergency makes the answer an (at least unsure) emergency."""


@dataclass(frozen=True)
class Alternative:
    """One transcript the recogniser considered.

    ``text``: without the spaces between Chinese words; ``weight``: its share of the
    recogniser's belief (the alternatives of one utterance sum to 1); ``words``: each word
    with its confidence 0..1 (empty when the recogniser gave none).
    """

    text: str
    weight: float = 1.0
    words: tuple[tuple[str, float], ...] = field(default=())

    @property
    def certainty(self) -> float:
        """Mean word confidence (1.0 without word confidences)."""
        return sum(c for _, c in self.words) / len(self.words) if self.words else 1.0


def _key(intent: Intent) -> str:
    return repr((intent.name, sorted(intent.slots.items(), key=lambda kv: kv[0])))


def choose(
    alternatives: Sequence[Alternative], *, catalog: Sequence[str], activities: Sequence[Mapping], now: datetime
) -> Intent:
    """The intent the alternatives most likely mean, with a confidence (0..1) for the dialog."""
    heard = [a for a in alternatives if a.text.strip()]
    if not heard:
        return Intent("unknown", {}, 0.0)
    total = sum(a.weight for a in heard) or 1.0
    votes: dict[str, float] = {}
    parsed: dict[str, Intent] = {}
    emergency_weight = 0.0
    for alternative in heard:
        intent = parse(alternative.text, catalog=catalog, activities=activities, now=now)
        share = alternative.weight / total
        key = _key(intent)
        votes[key] = votes.get(key, 0.0) + share * intent.confidence * (0.5 + 0.5 * alternative.certainty)
        parsed.setdefault(key, intent)
        if intent.name == "help" and intent.slots.get("emergency"):
            emergency_weight += share
    best = max(votes, key=votes.__getitem__)
    winner = parsed[best]
    if emergency_weight >= EMERGENCY_WEIGHT and not (winner.name == "help" and winner.slots.get("emergency")):
        return Intent("help", {"emergency": True}, round(min(emergency_weight, CONFIDENT - 0.05), 3))
    return Intent(winner.name, winner.slots, round(min(1.0, votes[best]), 3))
