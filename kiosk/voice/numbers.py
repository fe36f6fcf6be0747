"""Quantities in spoken Chinese: 两斤, 半斤, 一斤半, 3个, 二两, 一点五公斤."""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

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
_NUM = rf"(?:[0-9]+(?:\.[0-9]+)?|[{NUMERAL_CHARS}]+(?:点[零〇一二三四五六七八九]+)?|半)"
_UNIT = "|".join(sorted(UNITS, key=len, reverse=True))
# number, optional unit, optional trailing 半 (一斤半), optional 的 / 多.
QUANTITY = re.compile(rf"(?P<num>{_NUM})(?P<unit>{_UNIT})?(?P<half>半)?(?:多)?(?:的)?")
_QUANTITY_AT_END = re.compile(rf"(?:{QUANTITY.pattern})$")
_QUANTITY_AT_START = re.compile(rf"^(?:要|来|买|称|拿|给我|各)?(?:{QUANTITY.pattern})")


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
    if unit is None and len(num) > 1 and num.endswith("两"):
        num, unit = num[:-1], "两"  # 二两 is two liang, not 22
    value = numeral_value(num)
    if value is None or (unit is None and match["num"] == "半"):
        return None
    if match["half"]:
        value = value + 0.5
    return Quantity(value, unit, offset + match.start(), offset + match.end())


def quantity_before(text: str, end: int, start: int = 0) -> Quantity | None:
    """A quantity ending exactly at ``end`` (e.g. 两斤 in 两斤鸡蛋), not reaching before ``start``."""
    match = _QUANTITY_AT_END.search(text[start:end])
    return _from_match(match, start) if match else None


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
