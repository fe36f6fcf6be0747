"""What the intent model sees of an utterance: character and pinyin n-grams plus rule cues. Pure.

Characters say what was written; fuzzy toneless pinyin (:mod:`kiosk.voice.pinyin`) says what
was heard, so a homophone or a southern accent changes few of the pinyin features; the cues
say what the hand-written rules, the slot finders and the emergency detector found.
"""

from __future__ import annotations

from .activities import names_activity
from .dates import mentioned_days, mentioned_hours
from .grocery import order_items
from .keywords import QUESTION
from .numbers import first_quantity
from .pinyin import fuzzy
from .rules import Context, rule_intent


def _danger_bucket(danger: float) -> str:
    if danger >= 0.8:
        return "high"
    if danger >= 0.6:
        return "mid"
    return "low" if danger >= 0.3 else "none"


def ngrams(text: str) -> list[str]:
    """Character 1..3-grams and fuzzy-pinyin 1..2-grams, with start and end marks."""
    chars = f"^{text}$"
    out = [f"c{n}:{chars[i : i + n]}" for n in (1, 2, 3) for i in range(len(chars) - n + 1)]
    sounds = ["^", *fuzzy(text), "$"]
    out += [f"p1:{s}" for s in sounds[1:-1]]
    out += [f"p2:{a}_{b}" for a, b in zip(sounds, sounds[1:], strict=False)]
    return out


def cues(ctx: Context, danger: float) -> list[str]:
    """What the rules and slot finders found (``r:`` the first rule, ``s:`` slot cues, ``e:`` danger)."""
    text = ctx.text
    found = [f"r:{rule_intent(ctx) or 'none'}", f"e:{_danger_bucket(danger)}"]
    if order_items(text, ctx.aliases):
        found.append("s:item")
    if first_quantity(text) is not None:
        found.append("s:amount")
    if names_activity(text, ctx.activities, ctx.now):
        found.append("s:activity")
    if mentioned_days(text, ctx.now) or mentioned_hours(text):
        found.append("s:day")
    if QUESTION.search(text):
        found.append("s:question")
    found.append("len:" + ("1" if len(text) <= 1 else "2" if len(text) <= 2 else "4" if len(text) <= 4 else "long"))
    return found


def features(ctx: Context, danger: float) -> list[str]:
    """All features of one utterance, each at most once, in a stable order."""
    return list(dict.fromkeys([*ngrams(ctx.text), *cues(ctx, danger)]))
