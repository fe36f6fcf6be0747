"""The grocery catalog and the cart (pure): what is chosen, how much, and how it is said.

Amounts change in steps a senior would ask for: half a 斤 for goods sold by weight, one
for everything else (袋, 个, 盒 ...). Taking the last step away removes the line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import cn2an

from kiosk.core.prompts import order_summary, say_quantity

WEIGHT_UNITS = frozenset({"斤", "公斤", "两"})
MAX_QUANTITY = 99.0


MAX_NAME_CHARS = 20  # a tile shows a short name; longer ones are cut, not overflowing


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """One thing a resident can ask for (from ``GET /api/v1/catalog``)."""

    id: int
    name: str
    category: str
    unit: str
    price_fen: int | None = None
    synonyms: tuple[str, ...] = ()
    picture_url: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CatalogItem:
        """Build from the portal's JSON (unknown keys ignored); ValueError/TypeError when unusable."""
        name = data["name"]
        if not isinstance(name, str) or not name.strip():
            raise ValueError("catalog item without a name")
        price = data.get("usual_price_fen")
        picture = data.get("picture_url")
        synonyms = data.get("synonyms") or ()
        return cls(id=int(data["id"]), name=name.strip()[:MAX_NAME_CHARS],
                   category=str(data.get("category") or "其他")[:MAX_NAME_CHARS],
                   unit=str(data.get("unit") or "份")[:4],
                   price_fen=price if isinstance(price, int) and not isinstance(price, bool) and price >= 0 else None,
                   synonyms=tuple(str(s) for s in synonyms) if isinstance(synonyms, list | tuple) else (),
                   picture_url=picture if isinstance(picture, str) and picture.startswith("/static/") else None)

    @property
    def step(self) -> float:
        """How much one + or − changes: half a 斤, else one."""
        return 0.5 if self.unit in WEIGHT_UNITS else 1.0

    @property
    def price_text(self) -> str:
        """``约 4 元/斤`` (or empty without a price)."""
        if self.price_fen is None:
            return ""
        return f"约 {yuan_text(self.price_fen)}/{self.unit}"


def parse_catalog(rows: Iterable[Any]) -> tuple[CatalogItem, ...]:
    """Catalog JSON rows as items; rows that cannot be read are skipped."""
    items = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        try:
            items.append(CatalogItem.from_json(row))
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(items)


def categories(items: Sequence[CatalogItem]) -> tuple[str, ...]:
    """Categories in catalog order (the portal sorts the catalog by category)."""
    return tuple(dict.fromkeys(item.category for item in items))


def yuan_text(fen: int) -> str:
    """4300 -> ``43 元``; 4250 -> ``42.50 元``."""
    yuan, rest = divmod(int(fen), 100)
    return f"{yuan} 元" if rest == 0 else f"{yuan}.{rest:02d} 元"


def yuan_words(fen: int) -> str:
    """4300 -> ``四十三元``; 4250 -> ``四十二元五角`` (for speech: the voice reads digits unevenly)."""
    yuan, rest = divmod(int(fen), 100)
    jiao, fen_left = divmod(rest, 10)
    words = f"{cn2an.an2cn(yuan)}元"
    if jiao:
        words += f"{cn2an.an2cn(jiao)}角"
    if fen_left:
        words += f"{cn2an.an2cn(fen_left)}分"
    return words


def quantity_text(quantity: float, unit: str) -> str:
    """What the cart shows: ``2 斤``, ``半斤``, ``1斤半``, ``3 袋``."""
    whole, frac = divmod(quantity, 1)
    if frac == 0.5:
        return f"半{unit}" if whole == 0 else f"{int(whole)}{unit}半"
    if frac == 0:
        return f"{int(whole)} {unit}"
    return f"{quantity:g} {unit}"


@dataclass(frozen=True, slots=True)
class CartLine:
    """One chosen item; ``unit`` is the catalog's unless the person named another (两个鸡蛋)."""

    item: CatalogItem
    quantity: float
    unit: str

    @property
    def text(self) -> str:
        """``2 斤`` as shown next to the item."""
        return quantity_text(self.quantity, self.unit)

    @property
    def spoken(self) -> str:
        """``两斤西红柿``."""
        return f"{say_quantity(self.quantity, self.unit)}{self.item.name}"


@dataclass(frozen=True, slots=True)
class Cart:
    """The lines chosen so far, in the order they were first chosen."""

    lines: tuple[CartLine, ...] = ()

    def quantity_of(self, item_id: int) -> float:
        """How much of an item is in the cart (0 if none)."""
        return next((line.quantity for line in self.lines if line.item.id == item_id), 0.0)

    def add(self, item: CatalogItem) -> Cart:
        """One more step of ``item`` (a new line starts at one step)."""
        if not self.quantity_of(item.id):
            return replace(self, lines=(*self.lines, CartLine(item, item.step, item.unit)))
        return self.increase(item.id)

    def increase(self, item_id: int) -> Cart:
        """One step more of a line (up to MAX_QUANTITY)."""
        return self._change(item_id, +1)

    def decrease(self, item_id: int) -> Cart:
        """One step less; the line goes away below one step."""
        return self._change(item_id, -1)

    def _change(self, item_id: int, sign: int) -> Cart:
        lines = []
        for line in self.lines:
            if line.item.id == item_id:
                quantity = min(MAX_QUANTITY, line.quantity + sign * line.item.step)
                if quantity < line.item.step - 1e-9:
                    continue
                line = replace(line, quantity=quantity)
            lines.append(line)
        return replace(self, lines=tuple(lines))

    def merged(self, wanted: Iterable[tuple[CatalogItem, float | None, str | None]]) -> Cart:
        """Lines set from a spoken order: the same item takes the new amount, new items are added."""
        cart = self
        for item, quantity, unit in wanted:
            amount = quantity if quantity is not None and quantity > 0 else item.step
            line = CartLine(item, min(MAX_QUANTITY, float(amount)), unit or item.unit)
            kept = tuple(old for old in cart.lines if old.item.id != item.id)
            position = next((i for i, old in enumerate(cart.lines) if old.item.id == item.id), len(kept))
            cart = replace(cart, lines=kept[:position] + (line,) + kept[position:])
        return cart

    @property
    def empty(self) -> bool:
        """True when nothing is chosen."""
        return not self.lines

    @property
    def estimated_fen(self) -> int | None:
        """Cost at usual prices (None if an item has no price or another unit than the catalog's)."""
        total = 0.0
        for line in self.lines:
            if line.item.price_fen is None or line.unit != line.item.unit:
                return None
            total += line.item.price_fen * line.quantity
        return round(total)

    @property
    def summary(self) -> str:
        """``两斤西红柿，一袋大米`` (empty cart: empty string)."""
        return order_summary([{"name": ln.item.name, "quantity": ln.quantity, "unit": ln.unit} for ln in self.lines])

    @property
    def speech(self) -> str:
        """The cart reading itself aloud, with the estimated cost."""
        if self.empty:
            return "购物车是空的。"
        cost = f"按参考价大约{yuan_words(self.estimated_fen)}。" if self.estimated_fen is not None else ""
        return f"购物车里有：{self.summary}。{cost}"

    def order_items(self) -> list[dict[str, Any]]:
        """Lines for ``POST /api/v1/orders``."""
        return [{"item_id": ln.item.id, "quantity": ln.quantity, "unit": ln.unit} for ln in self.lines]

    def dialog_items(self) -> tuple[dict[str, Any], ...]:
        """Lines as the voice dialog holds them (``name``, ``quantity``, ``unit``)."""
        return tuple({"name": ln.item.name, "quantity": ln.quantity, "unit": ln.unit} for ln in self.lines)
