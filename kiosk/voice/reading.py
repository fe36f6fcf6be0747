"""What the kiosk says, as tone-numbered pinyin for espeak-ng's ``cmn-latn-pinyin`` voice. Pure.

espeak-ng reads Chinese characters one by one and guesses polyphones wrongly (原地 -> yuán de,
已处理 -> chù lǐ), and reads a digit string as one number (9999 -> 九千九百九十九). The
``cmn-latn-pinyin`` voice also reads tone-numbered pinyin, so :func:`to_pinyin` gives it that:

- Chinese runs are read phrase by phrase: the longest phrase of ``data/polyphones.tsv``
  (phrases whose reading differs from their characters' usual ones, taken from pypinyin's
  phrase dictionary by ``scripts/build_voice_data.py``) at each position, else each
  character's usual reading from pypinyin (loaded without its 45 MB phrase dictionary);
- phone numbers (7 digits or more, digit groups with ``-`` or spaces, 110 / 119 / 120 / 12345)
  are read digit by digit with 幺 for 1; codes, room numbers and years (3 digits or more
  without an amount unit) digit by digit; other numbers as numbers (12.25 元 -> 十二点二五元);
- punctuation becomes a pause (``,`` / ``.`` / ``?``); Latin words are kept.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import cn2an

os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")  # see kiosk/voice/matching.py
from pypinyin import Style, lazy_pinyin  # noqa: E402

POLYPHONES = Path(__file__).with_name("data") / "polyphones.tsv"
_DIGITS = "零一二三四五六七八九"
_PHONE_DIGITS = "零幺二三四五六七八九"
_SERVICE_NUMBERS = frozenset({"110", "119", "120", "122", "12345"})
_AMOUNT_UNITS = "元块角毛分斤克两个位名人岁次天号月日点米步层楼栋秒%"
_TOKEN = re.compile(
    r"(?P<clock>\d{1,2}):(?P<minute>\d{2})(?!\d)"
    r"|(?P<phone>\d{2,4}(?:[- ]\d{2,8})+|\d{7,})"
    r"|(?P<number>\d+(?:\.\d+)?)(?:\s?(?P<unit>公斤|千克|分钟|小时|[" + _AMOUNT_UNITS + r"]))?"
    r"|(?P<han>[\u3400-\u9fff]+)"
    r"|(?P<latin>[A-Za-z]+)"
    r"|(?P<stop>[。！!；;…]+)|(?P<ask>[？?]+)|(?P<pause>[，,、：:（）()“”\"《》—\-·~～/]+)"
)
_MAX_PHRASE = 8


@lru_cache(maxsize=1)
def _phrases() -> dict[str, str]:
    """Polyphone phrase -> reading, read once from ``data/polyphones.tsv``."""
    table = {}
    for line in POLYPHONES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            phrase, reading = line.split("\t")
            table[phrase] = reading
    return table


@lru_cache(maxsize=8192)
def _char_reading(char: str) -> str:
    return lazy_pinyin(char, style=Style.TONE3, neutral_tone_with_five=True)[0]


def han_pinyin(text: str) -> list[str]:
    """Tone-numbered syllables of a run of Chinese characters, phrase-aware."""
    phrases, out, i = _phrases(), [], 0
    while i < len(text):
        for length in range(min(_MAX_PHRASE, len(text) - i), 1, -1):
            reading = phrases.get(text[i : i + length])
            if reading is not None:
                out.extend(reading.split())
                i += length
                break
        else:
            out.append(_char_reading(text[i]))
            i += 1
    return out


def digits_words(digits: str, *, phone: bool) -> str:
    """``0101`` -> 零一零一, or 零幺零幺 as a phone number is read."""
    names = _PHONE_DIGITS if phone else _DIGITS
    return "".join(names[int(d)] for d in digits if d.isdigit())


def number_words(number: str, unit: str | None) -> str:
    """How an amount is read: 2 个 -> 两个, 12.25 -> 十二点二五, 2026 年 -> 二零二六."""
    if unit is None and "." not in number and len(number) >= 3:
        return digits_words(number, phone=number in _SERVICE_NUMBERS)
    words = cn2an.an2cn(number)
    if words == "二" and unit and unit not in "号月日楼层栋%":
        words = "两"
    if unit == "%":
        return "百分之" + words
    return words + (unit or "")


def clock_words(hour: str, minute: str) -> str:
    """``7:30`` -> 七点三十分, ``2:05`` -> 两点零五分, ``9:00`` -> 九点."""
    words = number_words(str(int(hour)), "点")
    if int(minute):
        words += ("零" if minute.startswith("0") else "") + cn2an.an2cn(str(int(minute))) + "分"
    return words


def _token_syllables(match: re.Match[str]) -> list[str]:
    if match["clock"]:
        return han_pinyin(clock_words(match["clock"], match["minute"]))
    if match["phone"]:
        groups = [digits_words(g, phone=True) for g in re.split(r"[- ]", match["phone"]) if g]
        return [part for group in groups for part in (*han_pinyin(group), ",")][:-1]
    if match["number"]:
        return han_pinyin(number_words(match["number"], match["unit"]))
    if match["han"]:
        return han_pinyin(match["han"])
    if match["latin"]:
        return [match["latin"]]
    return ["?" if match["ask"] else "." if match["stop"] else ","]


def to_pinyin(text: str) -> str:
    """The whole text as espeak-ng's ``cmn-latn-pinyin`` voice should get it."""
    parts: list[str] = []
    for match in _TOKEN.finditer(text):
        for syllable in _token_syllables(match):
            if syllable in ",.?":
                if parts and parts[-1][-1] not in ",.?":
                    parts[-1] += syllable
            else:
                parts.append(syllable)
    return " ".join(parts)
