"""Spoken request -> :class:`Intent`. Pure and fast; no model, no clock, no I/O.

``parse`` cleans the text (spaces, fillers, dialect), repairs homophones with toneless
pinyin, then tries the intents in order of urgency: an emergency first, then price
questions (not handled by voice), screen controls, status questions, activities, grocery
orders, ordinary help, and finally yes / no.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from . import keywords as kw
from .activities import match_activity, names_activity
from .dates import mentioned_days
from .grocery import order_items
from .matching import Lexicon, build_lexicon, repair
from .normalise import is_bare_acknowledgement, normalise
from .synonyms import NOT_ITEMS, item_aliases

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
    "unknown",
)


CONFIDENT = 0.6
"""Below this :attr:`Intent.confidence` the dialog asks a clarifying question instead of acting
(for an unsure emergency: "您是要紧急呼叫吗？", raising the call on yes or on silence)."""


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
class _Context:
    """Everything a rule may look at."""

    text: str
    aliases: dict[str, str | None]
    activities: Sequence[Mapping]
    now: datetime


@lru_cache(maxsize=32)
def _lexicon(catalog: tuple[str, ...]) -> Lexicon:
    aliases = item_aliases(catalog)
    items = [word for word, name in aliases.items() if name is not None]
    return build_lexicon((*kw.FUZZY_WORDS, *items), (*kw.PROTECTED_WORDS, *NOT_ITEMS))


def _emergency(ctx: _Context) -> Intent | None:
    text = kw.NEGATED_EMERGENCY.sub("", ctx.text)
    return Intent("help", {"emergency": True}) if kw.EMERGENCY.search(text) else None


def _price(ctx: _Context) -> Intent | None:
    return Intent("unknown", {}) if kw.PRICE.search(ctx.text) else None


def _controls(ctx: _Context) -> Intent | None:
    text = ctx.text
    if kw.VOLUME_UP.search(text) and not kw.VOLUME_DOWN.search(text.replace("声音小了", "")):
        return Intent("volume", {"direction": "up"})
    if kw.VOLUME_DOWN.search(text):
        return Intent("volume", {"direction": "down"})
    for pattern, name in ((kw.SLOWER, "slower"), (kw.REPEAT, "repeat"), (kw.HOME, "home")):
        if pattern.search(text):
            return Intent(name, {})
    return None


def _status(ctx: _Context) -> Intent | None:
    return Intent("status", {}) if kw.STATUS.search(ctx.text) else None


def _activity(ctx: _Context) -> Intent | None:
    text = ctx.text
    named = names_activity(text, ctx.activities, ctx.now)
    referred = named or bool(kw.ACTIVITY_NOUN.search(text)) or "报名" in text
    dated = bool(mentioned_days(text, ctx.now))
    if kw.CANCEL_ACTIVITY.search(text) or (kw.CANCEL_WORD.search(text) and (referred or dated)):
        return Intent("activity_cancel", {"activity_id": match_activity(text, ctx.activities, ctx.now)})
    if kw.STRONG_SIGNUP.search(text) or (kw.SIGNUP.search(text) and referred and not kw.ESCORT.search(text)):
        return Intent("activity_signup", {"activity_id": match_activity(text, ctx.activities, ctx.now)})
    return None


def _grocery(ctx: _Context) -> Intent | None:
    items = order_items(ctx.text, ctx.aliases)
    if items and (kw.BUY.search(ctx.text) or not kw.HELP.search(ctx.text)):
        return Intent("grocery_order", {"items": items})
    if kw.NOT_FOUND_ORDER.search(ctx.text) and not items and not kw.DENY.search(ctx.text):
        return Intent("unknown", {})  # an order for something the shop does not carry
    return None


def _help(ctx: _Context) -> Intent | None:
    return Intent("help", {"emergency": False}) if kw.HELP.search(ctx.text) else None


def _yes_no(ctx: _Context) -> Intent | None:
    text = ctx.text
    if kw.SURE.search(text):
        return Intent("confirm", {})
    if kw.DENY.search(text):
        return Intent("deny", {})
    if kw.CONFIRM.match(text) or kw.CONFIRM_LOOSE.search(text):
        return Intent("confirm", {})
    return None


_RULES: tuple[Callable[[_Context], Intent | None], ...] = (
    _emergency,
    _price,
    _controls,
    _status,
    _activity,
    _grocery,
    _help,
    _yes_no,
)


def parse(text: str, *, catalog: Sequence[str], activities: Sequence[Mapping], now: datetime) -> Intent:
    """Understand one recognised utterance.

    *catalog* lists the shop's item names; *activities* are mappings with ``id``, ``title``
    and ``starts_at`` (ISO 8601); *now* anchors relative days such as 明天 or 下周三.
    """
    if is_bare_acknowledgement(text):
        return Intent("confirm", {})
    clean = normalise(text)
    if not clean:
        return Intent("unknown", {})
    names = tuple(str(name) for name in catalog)
    ctx = _Context(repair(clean, _lexicon(names)), item_aliases(names), activities, now)
    for rule in _RULES:
        intent = rule(ctx)
        if intent is not None:
            return intent
    return Intent("unknown", {})
