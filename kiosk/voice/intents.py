"""Spoken request -> :class:`Intent` with a confidence. Pure and fast; no clock, no I/O.

``parse`` works in four steps:

1. clean the text (:func:`~kiosk.voice.normalise.normalise`: recogniser spaces, fillers, dialect);
2. the emergency detector (:mod:`kiosk.voice.emergency`) runs first, in fuzzy pinyin; a sure
   danger cue (救命, 喘不上气, 嘴歪了, 着火) is an emergency at once;
3. otherwise the intent model (:mod:`kiosk.voice.classifier`, a linear model over character
   and pinyin n-grams and rule cues) ranks the intents; a weaker danger cue or a high model
   probability of an emergency still makes an emergency, unsure (confidence < :data:`CONFIDENT`)
   unless both agree, so the dialog asks "您是要紧急呼叫吗？" instead of dropping it;
4. the slots of the chosen intent come from rules (:mod:`kiosk.voice.slots`); an intent whose
   slots cannot be filled (an order with nothing the shop sells) gives way.

The confidence is the model's probability of the answer (the detector's score for an
emergency); below :data:`CONFIDENT` the dialog asks before acting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .classifier import probabilities
from .emergency import danger_score
from .features import features
from .normalise import is_bare_acknowledgement, normalise
from .rules import Context, context
from .slots import slots_for

INTENT_NAMES: tuple[str, ...] = (
    "help",
    "grocery_order",
    "activity_signup",
    "activity_cancel",
    "status",
    "confirm",
    "deny",
    "repeat",
    "home",
    "volume",
    "slower",
    "report_problem",
    "unknown",
)
CONFIDENT = 0.6
"""Below this :attr:`Intent.confidence` the dialog asks a clarifying question instead of acting
(for an unsure emergency: "您是要紧急呼叫吗？", raising the call on yes or on silence)."""
SURE_DANGER = 0.85
"""A detector score from which an utterance is an emergency whatever the model says."""
EMERGENCY_AT = 0.45
"""A detector score from which an utterance is an emergency unless the model is sure of another intent."""
MODEL_SURE = 0.85
"""A model probability that overrules a detector score between EMERGENCY_AT and SURE_DANGER."""
MODEL_EMERGENCY_AT = 0.25
"""A model probability of an emergency from which the answer is an (unsure) emergency."""
UNSURE = 0.55
"""The confidence given to an emergency the detector only found a symptom for."""


@dataclass(frozen=True)
class Intent:
    """What the person asked for.

    ``name`` is one of :data:`INTENT_NAMES`; ``slots`` holds its details, e.g.
    ``{"emergency": True}`` for help or ``{"items": [...]}`` for a grocery order.
    ``confidence`` (0..1) is how sure the parser is; below :data:`CONFIDENT` the dialog asks
    before acting. It does not take part in equality: two intents with the same name and slots
    are the same request, however sure the parser was.
    """

    name: str
    slots: dict = field(default_factory=dict)
    confidence: float = field(default=1.0, compare=False)


@dataclass(frozen=True)
class Analysis:
    """An utterance as the parser sees it: cleaned, repaired, its danger score and model features."""

    context: Context
    danger: float
    features: list[str]


def intent_class(intent: Intent) -> str:
    """The model class of an intent: ``emergency`` or ``help`` for help, else the name."""
    if intent.name == "help":
        return "emergency" if intent.slots.get("emergency") else "help"
    return intent.name


def analyse(text: str, *, catalog: Sequence[str], activities: Sequence[Mapping], now: datetime) -> Analysis:
    """Clean *text*, score its danger and compute its model features (used by :func:`parse` and training)."""
    clean = normalise(text)
    ctx = context(clean, catalog=catalog, activities=activities, now=now)
    danger = danger_score(clean) if clean else 0.0
    return Analysis(ctx, danger, features(ctx, danger))


def _emergency(confidence: float) -> Intent:
    return Intent("help", {"emergency": True}, round(min(1.0, confidence), 3))


def parse(text: str, *, catalog: Sequence[str], activities: Sequence[Mapping], now: datetime) -> Intent:
    """Understand one recognised utterance.

    *catalog* lists the shop's item names; *activities* are mappings with ``id``, ``title``
    and ``starts_at`` (ISO 8601); *now* anchors relative days such as 明天 or 下周三.
    """
    if is_bare_acknowledgement(text):
        return Intent("confirm", {}, 0.9)
    if not normalise(text):
        return Intent("unknown", {})
    seen = analyse(text, catalog=catalog, activities=activities, now=now)
    if seen.danger >= SURE_DANGER:
        return _emergency(seen.danger)
    ranked = sorted(probabilities(seen.features).items(), key=lambda kv: -kv[1])
    p_emergency = dict(ranked)["emergency"]
    top, p_top = ranked[0]
    if seen.danger >= EMERGENCY_AT and not (top != "emergency" and p_top >= MODEL_SURE):
        sure = max(seen.danger, p_emergency) if top == "emergency" else seen.danger * 0.8
        # A lone symptom (我有点头晕) is asked about, however sure the model is.
        return _emergency(sure if seen.danger >= CONFIDENT else min(sure, UNSURE))
    if top == "emergency" or p_emergency >= MODEL_EMERGENCY_AT:
        return _emergency(p_emergency * 0.9)
    for name, p in ranked:
        intent = slots_for(name, seen.context)
        if intent is not None:
            return Intent(*intent, round(p, 3))
    return Intent("unknown", {}, 0.0)
