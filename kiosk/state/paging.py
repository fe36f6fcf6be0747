"""Splitting long lists into pages of a few very large choices (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its items, its number (0-based) and how many pages there are."""

    items: tuple[T, ...]
    index: int
    count: int

    @property
    def has_previous(self) -> bool:
        """True when there is a page before this one."""
        return self.index > 0

    @property
    def has_next(self) -> bool:
        """True when there is a page after this one."""
        return self.index < self.count - 1

    @property
    def label(self) -> str:
        """``第 1 页，共 3 页`` (empty for a single page)."""
        return f"第 {self.index + 1} 页，共 {self.count} 页" if self.count > 1 else ""


def page_of(items: Sequence[T], index: int, per_page: int) -> Page[T]:
    """Page ``index`` of ``items`` (clamped to the pages that exist)."""
    per_page = max(1, per_page)
    count = max(1, -(-len(items) // per_page))
    index = min(max(0, index), count - 1)
    return Page(tuple(items[index * per_page : (index + 1) * per_page]), index, count)
