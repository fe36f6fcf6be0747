"""Grocery items and their quantities in an utterance, as people say them. Pure.

- the amount before the item (两斤鸡蛋) or after it (鸡蛋两斤, 牙膏没了帮我带一支);
- a measure word right after a verb is one (来斤肉, 买条鱼);
- 各 gives every item so far the same amount (苹果香蕉各两斤);
- self-corrections keep the last amount (两斤，不对，三斤) and the last item (香蕉，不对，黄瓜);
- declined items are dropped (不要大米, 鸡蛋不要了); a repeated item keeps its first place and its last amount.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .keywords import NEGATED_ITEM, NEGATED_ITEM_AFTER, NEGATED_ITEM_AT_END
from .numbers import QUANTITY, Quantity, implied_one, numeral_value, quantity_after, quantity_before

CORRECTION = r"(?:不对|不是|不不|不|算了|改成|换成|改|还是)"
# A correction, then an amount: 两斤，不对，三斤 / 一斤不两斤 / 两袋算了一袋吧 / 一把不对来两把.
_CORRECTED = re.compile(rf"{CORRECTION}(?:的话|吧|了)?(?:来|要|买)?(?P<q>{QUANTITY.pattern})")
# The text between two items that replaces the first by the second: 香蕉不对黄瓜, 香蕉换成黄瓜.
_ITEM_CORRECTION = re.compile(r"^(?:不对|不是|不不|算了|换成|改成|还是)+(?:要|换成|改成|来)?$")
# Declined later in its own part of the sentence: 大米家里还有先不买了.
_DECLINED_LATER = re.compile(r"(?:不要|不买|不用买|别买)(?:了|啦)")
_EACH = re.compile(rf"(?:都|各)(?:来|要|买)?(?P<q>{QUANTITY.pattern})")


def find_items(text: str, aliases: dict[str, str | None]) -> list[tuple[int, int, str]]:
    """(start, end, catalog name) of each item alias in *text*, left to right, longest first.

    Aliases mapped to None (not in the catalog, or words like 牛肉) block shorter aliases inside
    them but are not returned.
    """
    found = []
    for match in _alias_pattern(tuple(aliases)).finditer(text):
        name = aliases[match.group()]
        if name is not None:
            found.append((match.start(), match.end(), name))
    return found


@lru_cache(maxsize=64)
def _alias_pattern(aliases: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation, longest alias first, so each position takes its longest alias."""
    return re.compile("|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True)))


def _amount_after(text: str, end: int, stop: int) -> Quantity | None:
    """The amount said after an item: right after it (鸡蛋两斤, 鸡蛋要两斤) or later in its part of the
    sentence (牙膏没了帮我带一支), unless it stands right before the next item (that one's amount)."""
    quantity = quantity_after(text, end, stop)
    if quantity is not None:
        return quantity
    for match in QUANTITY.finditer(text, end, stop):
        found = quantity_after(text, match.start(), stop)
        if found is not None and (stop == len(text) or found.end < stop):
            return found
    return None


def _corrected(text: str, start: int, stop: int, quantity: Quantity | None) -> Quantity | None:
    """The last amount after a self-correction between ``start`` and ``stop``, else *quantity*."""
    for match in _CORRECTED.finditer(text, start, stop):
        fixed = quantity_after(text, match.start("q"), stop) or _bare(text, match.start("q"), stop)
        if fixed is not None and (stop == len(text) or fixed.end < stop):  # not the next item's amount
            unit = fixed.unit or (quantity.unit if quantity else None)
            quantity = Quantity(fixed.value, unit, fixed.start, fixed.end)
    return quantity


def _bare(text: str, start: int, stop: int) -> Quantity | None:
    """A bare number after a correction (一斤不两 -> 2); its unit comes from the amount it corrects."""
    match = QUANTITY.match(text, start, stop)
    if match is None or match["num"] == "半":
        return None
    value = numeral_value(match["num"])
    return Quantity(value, None, match.start(), match.end()) if value is not None else None


def _declined(text: str, start: int, after: str, cursor: int, at_end: bool) -> bool:
    """不要大米 / 鸡蛋不要了: the item is declined."""
    negated_after = (NEGATED_ITEM_AFTER.search(after) or _DECLINED_LATER.search(after)
                     or (at_end and NEGATED_ITEM_AT_END.search(after)))
    return bool(NEGATED_ITEM.search(text[max(cursor, start - 4) : start]) or negated_after)


def order_items(text: str, aliases: dict[str, str | None]) -> list[dict]:
    """Items named in *text* as ``{"name", "quantity", "unit"}``, in first-mentioned order."""
    spans = find_items(text, aliases)
    items: dict[str, dict] = {}
    cursor = 0
    for index, (start, end, name) in enumerate(spans):
        stop = spans[index + 1][0] if index + 1 < len(spans) else len(text)
        after = text[end:stop]
        if _declined(text, start, after, cursor, stop == len(text)):
            items.pop(name, None)
            cursor = end
            continue
        quantity = quantity_before(text, start, cursor) or implied_one(text, start, cursor)
        if quantity is None:
            quantity = _amount_after(text, end, stop)
        quantity = _corrected(text, quantity.end if quantity and quantity.end > end else end, stop, quantity)
        cursor = max(end, quantity.end if quantity else end)
        previous = _replaced_item(text, spans, index, items)
        if previous is not None and quantity is None:
            quantity = Quantity(previous["quantity"], previous["unit"], start, end) if previous["quantity"] else None
        old = items.get(name, {})
        value, unit = (quantity.value, quantity.unit) if quantity else (old.get("quantity"), old.get("unit"))
        items[name] = {"name": name, "quantity": value, "unit": unit}
    return _each(text, spans, list(items.values()))


def _replaced_item(text: str, spans: list[tuple[int, int, str]], index: int, items: dict[str, dict]) -> dict | None:
    """If this item corrects the one before it (香蕉，不对，黄瓜), drop that one and return it."""
    if index == 0:
        return None
    previous_end, previous_name = spans[index - 1][1], spans[index - 1][2]
    between = text[previous_end : spans[index][0]]
    if previous_name in items and _ITEM_CORRECTION.match(between):
        return items.pop(previous_name)
    return None


def _each(text: str, spans: list[tuple[int, int, str]], items: list[dict]) -> list[dict]:
    """苹果香蕉各两斤: an amount after 各 / 都 goes to every item still without one."""
    if not spans:
        return items
    match = _EACH.match(text, spans[-1][1])
    if match is None:
        return items
    quantity = quantity_after(text, match.start("q"))
    if quantity is None:
        return items
    return [item if item["quantity"] is not None else {**item, "quantity": quantity.value, "unit": quantity.unit}
            for item in items]
