"""Toneless and fuzzy pinyin of single characters, for understanding misheard speech. Pure.

A recogniser that mishears writes characters that sound the same (就命 for 救命) or, for
southern speakers, nearly the same. Comparing toneless syllables after collapsing the
commonly confused initials and finals (zh/z, ch/c, sh/s, n/l, r/l, f/h; -ang/-an, -eng/-en,
-ing/-in, -ong/-on) makes those errors disappear.

Readings come from pypinyin's single-character dictionary, character by character, so they
never depend on phrase dictionaries loaded elsewhere in the process (the speech-out module
loads polyphone phrases); pypinyin's 45 MB phrase dictionary is not loaded
(``PYPINYIN_NO_PHRASES``).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
from pypinyin import Style, pinyin  # noqa: E402

from .reading import han_pinyin  # noqa: E402

_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("r", "l"))
_FINALS = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"), ("ong", "on"))
# f/h as southern speakers merge them (飞 fei ~ 灰 hui, 发 fa ~ 花 hua): both map to the h form.
_F_TO_H = {"fa": "hua", "fan": "huan", "fang": "huang", "fei": "hui", "fen": "hun", "feng": "hong", "fu": "hu",
           "fo": "huo"}


@lru_cache(maxsize=8192)
def readings(char: str) -> tuple[str, ...]:
    """Every toneless reading of *char*, the usual one first; a non-Chinese character stands for itself."""
    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(str(r) for r in found[0])) if found and found[0] else (char,)


def syllables(text: str) -> list[str]:
    """The usual toneless syllable of each character of *text* (one item per character)."""
    return [readings(char)[0] for char in text]


@lru_cache(maxsize=8192)
def fuzzy_syllable(syllable: str) -> str:
    """Collapse commonly confused initials and finals (shi -> si, ming -> min, lan -> nan, fei -> hui)."""
    syllable = _F_TO_H.get(syllable, syllable)
    for long, short in _INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    for long, short in _FINALS:
        if syllable.endswith(long):
            return syllable[: -len(long)] + short
    return syllable


def fuzzy(text: str) -> list[str]:
    """Fuzzy syllable of each character of *text*."""
    return [fuzzy_syllable(s) for s in syllables(text)]


@lru_cache(maxsize=8192)
def fuzzy_options(char: str) -> tuple[str, ...]:
    """The distinct fuzzy syllables of *char*'s first five readings, the usual one first."""
    return tuple(dict.fromkeys(fuzzy_syllable(r) for r in readings(char)[:5]))


@lru_cache(maxsize=4096)
def reading_variants(word: str) -> tuple[tuple[str, ...], ...]:
    """How *word* is read: in context (着火 zhao huo, from the polyphone phrases of
    :mod:`kiosk.voice.reading`) and character by character (zhe huo), without tones."""
    in_context = tuple(re.sub(r"[1-5]$", "", s) for s in han_pinyin(word))
    if len(in_context) != len(word):
        in_context = tuple(syllables(word))
    return tuple(dict.fromkeys((in_context, tuple(syllables(word)))))


@lru_cache(maxsize=4096)
def fuzzy_variants(word: str) -> tuple[tuple[str, ...], ...]:
    """:func:`reading_variants` of *word* in fuzzy syllables."""
    return tuple(dict.fromkeys(tuple(fuzzy_syllable(s) for s in variant) for variant in reading_variants(word)))


@lru_cache(maxsize=64)
def _canonical(chars: str) -> dict[str, str]:
    return {fuzzy_syllable(readings(char)[0]): char for char in chars}


def sound_alike(text: str, chars: str) -> str:
    """*text* with every character that sounds like one of *chars* written as that one
    (``sound_alike("声音打一点", "大小")`` -> 声音大一点)."""
    canonical = _canonical(chars)
    return "".join(canonical.get(fuzzy_syllable(readings(char)[0]), char) for char in text)
