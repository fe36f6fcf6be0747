"""Hand-written cue rules for the non-emergency intents, and the context they look at. Pure.

:func:`rule_intent` tries the rules in order (price questions, reports to the community, screen
controls, status,
activities, grocery orders, ordinary help, yes / no) and returns the first that matches. Its
answer is one of the intent model's features (:mod:`kiosk.voice.features`): the model learns
how far to trust it. The slots of the final intent come from :mod:`kiosk.voice.slots`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from . import keywords as kw
from .activities import names_activity
from .dates import mentioned_days
from .grocery import order_items
from .matching import Lexicon, build_lexicon, repair
from .numbers import AMOUNT_WORDS
from .pinyin import sound_alike
from .synonyms import NOT_ITEMS, item_aliases

_VOLUME_SOUNDS = "大小响轻低高点声太些吵"


@dataclass(frozen=True)
class Context:
    """Everything a rule may look at: the cleaned, homophone-repaired text and the kiosk's context."""

    text: str
    aliases: dict[str, str | None]
    activities: Sequence[Mapping]
    now: datetime


@lru_cache(maxsize=32)
def _lexicon(catalog: tuple[str, ...]) -> Lexicon:
    aliases = item_aliases(catalog)
    items = [word for word, name in aliases.items() if name is not None]
    return build_lexicon((*kw.FUZZY_WORDS, *items, *NOT_ITEMS, *AMOUNT_WORDS), kw.PROTECTED_WORDS)


def context(clean: str, *, catalog: Sequence[str], activities: Sequence[Mapping], now: datetime) -> Context:
    """The rule context of a normalised utterance (homophones repaired against the catalog's words)."""
    names = tuple(str(name) for name in catalog)
    return Context(repair(clean, _lexicon(names)), item_aliases(names), activities, now)


def _price(ctx: Context) -> str | None:
    return "unknown" if kw.PRICE.search(ctx.text) else None


def _report(ctx: Context) -> str | None:
    text = ctx.text
    if kw.REPORT.search(text) or (kw.COMMUNITY_PLACE.search(text) and kw.COMMUNITY_FAULT.search(text)):
        return "report_problem"
    return None


def report_kind(text: str) -> str:
    """``suggestion`` for an idea or wish for the community (我有个建议), else ``problem`` (a fault, a complaint)."""
    if kw.SUGGESTION.search(text) and not (kw.COMMUNITY_FAULT.search(text) or "投诉" in text):
        return "suggestion"
    return "problem"


def _controls(ctx: Context) -> str | None:
    text = ctx.text
    if volume_direction(text) is not None:
        return "volume"
    for pattern, name in ((kw.SLOWER, "slower"), (kw.REPEAT, "repeat"), (kw.HOME, "home")):
        if pattern.search(text):
            return name
    return None


def _status(ctx: Context) -> str | None:
    return "status" if kw.STATUS.search(ctx.text) else None


def _activity(ctx: Context) -> str | None:
    text = ctx.text
    referred = names_activity(text, ctx.activities, ctx.now) or bool(kw.ACTIVITY_NOUN.search(text)) or "报名" in text
    dated = bool(mentioned_days(text, ctx.now))
    if kw.CANCEL_ACTIVITY.search(text) or (kw.CANCEL_WORD.search(text) and (referred or dated)):
        return "activity_cancel"
    if kw.STRONG_SIGNUP.search(text) or (kw.SIGNUP.search(text) and referred and not kw.ESCORT.search(text)):
        return "activity_signup"
    if referred and kw.QUESTION.search(text):
        return "unknown"  # a question about an activity
    return None


def _grocery(ctx: Context) -> str | None:
    items = order_items(ctx.text, ctx.aliases)
    if items and (kw.BUY.search(ctx.text) or not kw.HELP.search(ctx.text)):
        return "grocery_order"
    if kw.NOT_FOUND_ORDER.search(ctx.text) and not items and not kw.DENY.search(ctx.text) \
            and not kw.ERRAND.search(ctx.text):
        return "unknown"  # an order for something the shop does not carry
    return None


def _help(ctx: Context) -> str | None:
    return "help" if kw.HELP.search(ctx.text) else None


def _yes_no(ctx: Context) -> str | None:
    text = ctx.text
    if kw.SURE.search(text):
        return "confirm"
    if kw.DENY.search(text):
        return "deny"
    if kw.CONFIRM.match(text) or kw.CONFIRM_LOOSE.search(text):
        return "confirm"
    return None


RULES: tuple[Callable[[Context], str | None], ...] = (
    _price, _report, _controls, _status, _activity, _grocery, _help, _yes_no,
)


def volume_direction(text: str) -> str | None:
    """``up`` / ``down`` for a loudness complaint (太小声了) or request (大声点), else None.

    Complaints decide first; then requests; then the same on the text read by sound
    (打一点 sounds like 大一点)."""
    for heard in (text, sound_alike(text, _VOLUME_SOUNDS)):
        for up, down in ((kw.TOO_QUIET, kw.TOO_LOUD), (kw.VOLUME_UP, kw.VOLUME_DOWN)):
            if up.search(heard) and not down.search(heard):
                return "up"
            if down.search(heard) and not up.search(heard):
                return "down"
    return None


def rule_intent(ctx: Context) -> str | None:
    """The intent the first matching rule names."""
    for rule in RULES:
        name = rule(ctx)
        if name is not None:
            return name
    return None
