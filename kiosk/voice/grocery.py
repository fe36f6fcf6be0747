"""Grocery items and their quantities in an utterance."""

from __future__ import annotations

import re
from functools import lru_cache

from .keywords import NEGATED_ITEM, NEGATED_ITEM_AFTER, NEGATED_ITEM_AT_END
from .numbers import quantity_after, quantity_before


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


def order_items(text: str, aliases: dict[str, str | None]) -> list[dict]:
    """Items named in *text* as ``{"name", "quantity", "unit"}``, in spoken order, negated ones dropped."""
    spans = find_items(text, aliases)
    items: dict[str, dict] = {}
    cursor = 0
    for index, (start, end, name) in enumerate(spans):
        next_start = spans[index + 1][0] if index + 1 < len(spans) else len(text)
        after = text[end:next_start]
        negated_after = NEGATED_ITEM_AFTER.search(after) or (
            next_start == len(text) and NEGATED_ITEM_AT_END.search(after)
        )
        if NEGATED_ITEM.search(text[max(cursor, start - 4) : start]) or negated_after:
            items.pop(name, None)
            cursor = end
            continue
        quantity = quantity_before(text, start, cursor)
        if quantity is None:
            quantity = quantity_after(text, end, next_start)
            if quantity is not None:
                cursor = quantity.end
        cursor = max(cursor, end)
        value = quantity.value if quantity else None
        unit = quantity.unit if quantity else None
        items.pop(name, None)  # a repeated item keeps its last amount and position
        items[name] = {"name": name, "quantity": value, "unit": unit}
    return list(items.values())
