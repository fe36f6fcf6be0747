"""Toneless-pinyin fuzzy matching: repair homophone recognition errors (就命 -> 救命).

The text is segmented against a lexicon by dynamic programming. An exact character match
scores highest, then an exact toneless-pinyin match, then a fuzzy-pinyin match (zh/z, ch/c,
sh/s, n/l, -ng/-n; for two-character words only with one character right). Ordinary
words in the lexicon ("protected" words such as 明天) win over a homophone repair that
would straddle them (就明天 stays, it is not 救命天).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .pinyin import fuzzy_options, fuzzy_syllable, reading_variants, syllables

EXACT, PINYIN, FUZZY = 1.0, 0.8, 0.65


@dataclass(frozen=True)
class Entry:
    """A lexicon word: ``word`` is written back; ``fuzzy`` allows pinyin matching."""

    word: str
    fuzzy: bool


@dataclass(frozen=True)
class Lexicon:
    """Words indexed by first character and by first fuzzy syllable."""

    by_char: dict[str, tuple[Entry, ...]]
    by_syllable: dict[str, tuple[tuple[Entry, tuple[str, ...], tuple[str, ...]], ...]]


def build_lexicon(fuzzy_words: Iterable[str], protected_words: Iterable[str]) -> Lexicon:
    """Index *fuzzy_words* (repairable, two characters or more) and *protected_words* (exact only)."""
    by_char: dict[str, list[Entry]] = defaultdict(list)
    by_syllable: dict[str, list[tuple[Entry, tuple[str, ...], tuple[str, ...]]]] = defaultdict(list)
    seen: set[str] = set()
    for fuzzy, words in ((True, fuzzy_words), (False, protected_words)):
        for word in words:
            if not word or word in seen:
                continue
            seen.add(word)
            entry = Entry(word, fuzzy and len(word) >= 2)
            by_char[word[0]].append(entry)
            if entry.fuzzy:
                for plain in reading_variants(word):
                    sounds = tuple(fuzzy_syllable(s) for s in plain)
                    by_syllable[sounds[0]].append((entry, plain, sounds))
    return Lexicon(
        {k: tuple(v) for k, v in by_char.items()},
        {k: tuple(v) for k, v in by_syllable.items()},
    )


def _candidates(text: str, plain: list[str], loose: list[tuple[str, ...]], lex: Lexicon, i: int):
    """Yield (length, score, word) for lexicon words that can start at position ``i``.

    *plain* is each character's usual toneless reading, *loose* the fuzzy forms of all its
    readings (usual first). A match through a character's rarer reading (的 read di) counts
    only as fuzzy and needs one identical character, like a fuzzy two-character match."""
    for entry in lex.by_char.get(text[i], ()):
        if text.startswith(entry.word, i):
            yield len(entry.word), EXACT * len(entry.word) + 0.01, entry.word
    seen = set()
    for first in loose[i]:
        for entry, want_plain, want_loose in lex.by_syllable.get(first, ()):
            n = len(want_plain)
            if entry.word in seen or i + n > len(text) or not all(want_loose[k] in loose[i + k] for k in range(n)):
                continue
            seen.add(entry.word)
            usual = all(want_loose[k] == loose[i + k][0] for k in range(n))
            same = any(a == b for a, b in zip(text[i : i + n], entry.word, strict=False))
            if usual and tuple(plain[i : i + n]) == want_plain:
                yield n, PINYIN * n, entry.word
            elif same or (usual and n >= 3):
                # Loose matches of two-character words need one identical character (子今 is not 纸巾).
                yield n, FUZZY * n, entry.word


def segment(text: str, lex: Lexicon) -> list[tuple[str, bool]]:
    """Best segmentation of *text* as (piece, is_lexicon_word); repaired words are rewritten."""
    plain = syllables(text)
    loose = [fuzzy_options(char) for char in text]
    n = len(text)
    best: list[float] = [0.0] * (n + 1)
    choice: list[tuple[int, str | None]] = [(1, None)] * (n + 1)
    for i in range(n - 1, -1, -1):
        best[i], choice[i] = best[i + 1], (1, None)
        for length, score, word in _candidates(text, plain, loose, lex, i):
            if i + length <= n and score + best[i + length] > best[i]:
                best[i], choice[i] = score + best[i + length], (length, word)
    pieces: list[tuple[str, bool]] = []
    i = 0
    while i < n:
        length, word = choice[i]
        pieces.append((word, True) if word is not None else (text[i], False))
        i += length
    return pieces


def repair(text: str, lex: Lexicon) -> str:
    """Rewrite homophone errors in *text* to the lexicon's spelling (就命 -> 救命)."""
    return "".join(piece for piece, _ in segment(text, lex))


@lru_cache(maxsize=4096)
def pinyin_bigrams(text: str) -> frozenset[tuple[str, str]]:
    """Fuzzy toneless syllable bigrams of *text*, for scoring titles against utterances."""
    loose = [fuzzy_syllable(s) for s in syllables(text)]
    return frozenset(zip(loose, loose[1:], strict=False))
