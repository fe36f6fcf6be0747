"""Quantities in spoken Chinese: 两斤, 半斤, 一斤半, 斤半, 3个, 二两, 一点五公斤, 俩, 仨, 十来个, 两斤多.

Approximate amounts keep their number (十来个 -> 10 个, 两斤多 -> 2 斤, 三斤左右 -> 3 斤);
vague ones (几个, 一些, 五六个, 两三斤) are no amount. 俩 and 仨 are 两个 and 三个.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

from .pinyin import sound_alike

UNITS: tuple[str, ...] = (
    "公斤",
    "千克",
    "斤",
    "克",
    "两",
    "个",
    "袋",
    "包",
    "瓶",
    "盒",
    "箱",
    "把",
    "颗",
    "根",
    "块",
    "桶",
    "罐",
    "条",
    "只",
    "棵",
    "打",
    "份",
    "板",
    "提",
    "支",
    "串",
    "听",
    "卷",
    "盘",
    "捆",
    "对",
    "双",
    "片",
    "杯",
    "碗",
    "筐",
    "兜",
    "排",
)
NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万"
_NUM = rf"(?:[0-9]+(?:\.[0-9]+)?|[{NUMERAL_CHARS}]+(?:点[零〇一二三四五六七八九]+)?|半|俩|仨)"
_UNIT = "|".join(sorted(UNITS, key=len, reverse=True))
COUNTS = {"俩": (2, "个"), "仨": (3, "个")}
# number, optional 来/多 (十来个, 十多个), unit, optional trailing 半 (一斤半), optional 多 / 左右 / 的.
# Two numerals in a row (五六个, 两三斤) are a range, a vague amount: the lookbehind/lookahead refuse them.
QUANTITY = re.compile(
    rf"(?<![{NUMERAL_CHARS}几])(?P<num>{_NUM})(?:(?:来|多)(?=(?:{_UNIT})))?(?P<unit>{_UNIT})?(?P<half>半)?"
    rf"(?:多|左右)?(?:的)?"
)
# A measure word right after a verb stands for one (来斤肉, 买条鱼, 来斤半鸡蛋).
_IMPLIED_ONE = re.compile(rf"(?:来|买|要|称|割|拿|整|捎|带|给我|弄)(?P<unit>(?!两|对)(?:{_UNIT}))(?P<half>半)?$")
_VERB_SOUNDS = "来买要称拿整捎带"
"""Verbs before a lone measure word, also when heard as a homophone (莱条鱼 is 来条鱼)."""
_QUANTITY_AT_END = re.compile(rf"(?:{QUANTITY.pattern})$")
_QUANTITY_AT_START = re.compile(rf"^(?:要|来|买|称|拿|给我|各|割|整)?个?(?:{QUANTITY.pattern})")


# Not 把 or 打: they sound like 八 and 大 (二十八号 must not become 二十把号, 一大 not 一打).
_SPOKEN_UNITS = tuple("斤 公斤 两 个 袋 包 瓶 盒 箱 块 根 条 颗 棵 桶 提 支 串 卷 板 听 罐 只 份".split())
AMOUNT_WORDS: tuple[str, ...] = tuple(
    f"{number}{unit}{half}"
    for number in ("一", "两", "二", "三", "四", "五", "六", "七", "八", "九", "十", "半", "二十")
    for unit in _SPOKEN_UNITS
    for half in ("", "半")
    if not (number == "半" and half) and not (unit == "两" and number in "两半")
) + ("一把", "两把", "三把")
"""Amounts as spoken (两斤, 一袋, 一斤半; 把 only after 一/两/三, as 八 sounds the same): the homophone
repair rewrites 两竞 / 要颐瓶 / 要晾把 into them."""


@dataclass(frozen=True)
class Quantity:
    """A parsed amount: ``value`` (None if unknown) and ``unit`` (None if not said)."""

    value: float | int | None
    unit: str | None
    start: int
    end: int


def numeral_value(text: str) -> float | int | None:
    """Convert a numeral (``两``, ``二十``, ``1.5``, ``半``) to a number, or None."""
    if text == "半":
        return 0.5
    try:
        value = float(text) if text[0].isdigit() else float(cn2an.cn2an(text, "smart"))
    except (ValueError, IndexError, KeyError, TypeError):
        return None
    return int(value) if value.is_integer() else value


def _from_match(match: re.Match[str], offset: int) -> Quantity | None:
    num, unit = match["num"], match["unit"]
    if num in COUNTS:
        count, default = COUNTS[num]
        return Quantity(count, unit or default, offset + match.start(), offset + match.end())
    if _is_range(num):
        return None
    if unit is None and len(num) > 1 and num.endswith("两"):
        num, unit = num[:-1], "两"  # 二两 is two liang, not 22
    value = numeral_value(num)
    if value is None or (unit is None and match["num"] == "半"):
        return None
    return Quantity(value + 0.5 if match["half"] else value, unit, offset + match.start(), offset + match.end())


def _is_range(num: str) -> bool:
    """五六, 两三, 七八: two different digits in a row are a vague amount, not fifty-six."""
    digits = [c for c in num if c in "一二两三四五六七八九"]
    return len(num) == 2 and len(digits) == 2 and digits[0] != digits[1] and digits[1] != "两"  # 二两: 2 liang


def quantity_before(text: str, end: int, start: int = 0) -> Quantity | None:
    """A quantity ending exactly at ``end`` (e.g. 两斤 in 两斤鸡蛋), not reaching before ``start``."""
    match = _QUANTITY_AT_END.search(text[start:end])
    return _from_match(match, start) if match else None


def implied_one(text: str, end: int, start: int = 0) -> Quantity | None:
    """One of a measure word said right after a verb, ending at ``end`` (来斤肉 -> 1 斤, 来斤半 -> 1.5)."""
    window = text[start:end]
    match = _IMPLIED_ONE.search(window) or _IMPLIED_ONE.search(sound_alike(window, _VERB_SOUNDS))
    if match is None:
        return None
    value = 1.5 if match["half"] else 1
    return Quantity(value, match["unit"], start + match.start("unit"), start + match.end())


def quantity_after(text: str, start: int, end: int | None = None) -> Quantity | None:
    """A quantity starting at ``start`` (e.g. 两斤 in 鸡蛋两斤), optionally after 要/来."""
    window = text[start:end] if end is not None else text[start:]
    match = _QUANTITY_AT_START.search(window)
    quantity = _from_match(match, start) if match else None
    # 鸡蛋一点 / 鸡蛋三: a bare number after the item is too weak to trust.
    return quantity if quantity is not None and quantity.unit is not None else None


def first_quantity(text: str) -> Quantity | None:
    """The first amount anywhere in *text* (for bare answers such as 两斤 or 三个)."""
    for match in QUANTITY.finditer(text):
        quantity = _from_match(match, 0)
        if quantity is not None:
            return quantity
    return None
