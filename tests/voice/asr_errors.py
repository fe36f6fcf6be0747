"""Simulated speech-recognition errors on Chinese text, seeded and pure.

A recogniser turns speech into words it knows, so its mistakes are mostly characters that
sound the same (就命 for 救命) or, for speakers with a southern accent, nearly the same
(zh/z, ch/c, sh/s, n/l, f/h, in/ing, en/eng), plus a few dropped or inserted characters; its
output has spaces between words. :func:`corrupt` makes these errors at a given rate:

- each Chinese character is hit with probability ``rate``; a hit is a homophone (55 %), a
  near-homophone (20 %), a deletion (15 %) or an insertion before it (10 %);
- replacements come from the 3,755 common characters (GB 2312 level 1) that have the
  syllable, read in context with pypinyin's phrase dictionary (行 in 银行 is hang);
- with ``rate > 0`` the result is split into words of one to three characters separated
  by spaces, as Vosk returns them.

The same (text, rate, seed) always gives the same result, whatever else was corrupted
before; the simulator shares no code with the parser it is used to measure.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from functools import lru_cache

from pypinyin import phrases_dict, pinyin_dict

HOMOPHONE, NEAR, DELETE, INSERT = "homophone", "near", "delete", "insert"
KINDS: tuple[tuple[str, float], ...] = ((HOMOPHONE, 0.55), (NEAR, 0.20), (DELETE, 0.15), (INSERT, 0.10))
_INITIAL_PAIRS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
# f/h as southern speakers merge them: 飞 fei ~ 灰 hui, 福 fu ~ 胡 hu, 发 fa ~ 花 hua.
_F_H = {"fa": "hua", "fan": "huan", "fang": "huang", "fei": "hui", "fen": "hun", "feng": "hong", "fu": "hu",
        "fo": "huo"}
_F_H.update({h: f for f, h in list(_F_H.items())})
_FINAL_PAIRS = (("ing", "in"), ("eng", "en"))
_TONE_MARKS = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_MAX_PHRASE = 10


def toneless(syllable: str) -> str:
    """pypinyin's marked syllable without its tone (``lǜ`` -> ``lv``)."""
    return syllable.translate(_TONE_MARKS)


@lru_cache(maxsize=1)
def common_characters() -> tuple[str, ...]:
    """The 3,755 level-1 characters of GB 2312 (rows 16-55), the most common in print."""
    chars = []
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return tuple(chars)


def readings(char: str) -> tuple[str, ...]:
    """Every toneless reading of *char* in pypinyin's single-character dictionary."""
    marked = pinyin_dict.pinyin_dict.get(ord(char), "")
    return tuple(dict.fromkeys(toneless(r) for r in marked.split(",") if r))


@lru_cache(maxsize=1)
def _by_syllable() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = defaultdict(list)
    for char in common_characters():
        for syllable in readings(char):
            table[syllable].append(char)
    return {syllable: tuple(chars) for syllable, chars in table.items()}


def contextual_syllables(text: str) -> list[str | None]:
    """Toneless syllable of each character as read in context (None for non-Chinese)."""
    phrases = phrases_dict.phrases_dict
    out: list[str | None] = []
    i = 0
    while i < len(text):
        if not _HAN.match(text[i]):
            out.append(None)
            i += 1
            continue
        for length in range(min(_MAX_PHRASE, len(text) - i), 1, -1):
            found = phrases.get(text[i : i + length])
            if found and len(found) == length:
                out.extend(toneless(r[0]) for r in found)
                i += length
                break
        else:
            own = readings(text[i])
            out.append(own[0] if own else None)
            i += 1
    return out


def near_syllables(syllable: str) -> tuple[str, ...]:
    """Syllables a southern speaker's *syllable* may be heard as (shi -> si, lin -> ling, fei -> hui)."""
    table = _by_syllable()
    found = [_F_H[syllable]] if syllable in _F_H else []
    for a, b in _INITIAL_PAIRS:
        for src, dst in ((a, b), (b, a)):
            if syllable.startswith(src) and not (src == "z" and syllable[1:2] == "h"):
                found.append(dst + syllable[len(src) :])
                break
    for a, b in _FINAL_PAIRS:
        for src, dst in ((a, b), (b, a)):
            if syllable.endswith(src):
                found.append(syllable[: -len(src)] + dst)
                break
    return tuple(s for s in dict.fromkeys(found) if s != syllable and s in table)


def _replacement(char: str, syllable: str | None, kind: str, rng: random.Random) -> str | None:
    """A different common character with the same (HOMOPHONE) or a near (NEAR) syllable."""
    if syllable is None:
        return None
    table = _by_syllable()
    if kind == NEAR:
        options = near_syllables(syllable)
        if not options:
            return None
        syllable = rng.choice(options)
    candidates = [c for c in table.get(syllable, ()) if c != char]
    return rng.choice(candidates) if candidates else None


def _kind(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for kind, share in KINDS:
        total += share
        if roll < total:
            return kind
    return KINDS[-1][0]


def _hit(char: str, syllable: str | None, rng: random.Random) -> str:
    """What the recogniser writes for *char* when it gets it wrong."""
    kind = _kind(rng)
    if kind == DELETE:
        return ""
    if kind == INSERT:
        return rng.choice(common_characters()) + char
    for attempt in (kind, HOMOPHONE, NEAR):
        replaced = _replacement(char, syllable, attempt, rng)
        if replaced is not None:
            return replaced
    return ""  # no character sounds like it: the recogniser drops it


def spaced(text: str, rng: random.Random) -> str:
    """Split Chinese runs into words of one to three characters separated by spaces."""
    words, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        if _HAN.match(text[i]):
            chunk = text[i : i + rng.choice((1, 2, 2, 2, 3))]
            chunk = chunk[: next((k for k, c in enumerate(chunk) if not _HAN.match(c)), len(chunk))]
        else:
            chunk = re.match(r"[^\s\u4e00-\u9fff]+", text[i:])[0]  # type: ignore[index]
        words.append(chunk)
        i += len(chunk)
    return " ".join(words)


def corrupt(text: str, rate: float, seed: int = 0) -> str:
    """*text* as a recogniser with character error rate about *rate* might return it."""
    if rate <= 0:
        return text
    rng = random.Random(f"{seed}\x00{rate}\x00{text}")
    syllables = contextual_syllables(text)
    out = []
    for char, syllable in zip(text, syllables, strict=True):
        if syllable is not None and rng.random() < rate:
            out.append(_hit(char, syllable, rng))
        else:
            out.append(char)
    return spaced("".join(out), rng)
