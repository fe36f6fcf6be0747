"""Chinese line breaking for labels (pure): where a line may end, given what fits.

Kivy breaks Chinese text anywhere, so a line could start with "，", a number could leave its
unit (12.25 / 元) and a word could be cut (正 / 常). :func:`break_lines` wraps between phrases
instead: Google's BudouX (its Simplified Chinese model) splits the text into phrases that keep
closing punctuation with the word before; a number is glued to what follows it (its unit or
measure word) and 第 to the number after it. Only a phrase too long for a whole line is cut
further, at the places Unicode line breaking (UAX #14, ``uniseg``) allows — never before
closing punctuation.

Measuring is the caller's: ``fits(line)`` says whether a line fits the label's width (the UI
measures with Kivy's text renderer; tests pass a character count).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import budoux
from uniseg.linebreak import line_break_units

Fits = Callable[[str], bool]
_ENDS_WITH_NUMBER = re.compile(r"(?:\d|第)\s*$")
_STARTS_WITH_CLOSING = re.compile(r"^[，。、；：！？）」』”’》〉】,.;:!?)\]]")


@lru_cache(maxsize=1)
def _parser() -> budoux.Parser:
    return budoux.load_default_simplified_chinese_parser()


def phrases(text: str) -> list[str]:
    """The units a line may end after: phrases, numbers kept with their unit, punctuation kept back."""
    units: list[str] = []
    for phrase in _parser().parse(text):
        if units and (_ENDS_WITH_NUMBER.search(units[-1]) or _STARTS_WITH_CLOSING.match(phrase.lstrip())):
            units[-1] += phrase
        else:
            units.append(phrase)
    return units


def break_lines(text: str, fits: Fits) -> list[str]:
    """``text`` as lines that each fit, breaking between phrases (explicit newlines are kept)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += _wrap(phrases(paragraph), fits) if paragraph else [""]
    return lines


def wrap_text(text: str, fits: Fits) -> str:
    """:func:`break_lines` joined with newlines, ready for a label."""
    return "\n".join(break_lines(text, fits))


def _wrap(units: list[str], fits: Fits) -> list[str]:
    lines: list[str] = []
    line = ""
    for unit in units:
        if fits(line + unit):
            line += unit
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = unit.lstrip()
        if not fits(line):  # one phrase longer than a line: cut it where UAX #14 allows
            *full, line = _cut(line, fits)
            lines += full
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _cut(phrase: str, fits: Fits) -> list[str]:
    pieces: list[str] = []
    line = ""
    for unit in line_break_units(phrase):
        if line and not fits(line + unit):
            pieces.append(line.rstrip())
            line = unit.lstrip()
        else:
            line += unit
    pieces.append(line)
    return pieces
