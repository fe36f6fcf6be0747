"""One pagination helper for every list page: filters and the page number live in the query string (so a
volunteer can bookmark or share a list), the database returns one page plus one row (to know whether a next
page exists, without counting the whole table).

Reading the query string is pure (:func:`list_query`); :func:`paginate` runs a ``Select`` with
``LIMIT per_page + 1 OFFSET …``. Ordered by indexed columns, a page costs what it shows plus the rows
skipped; pages are capped at :data:`MAX_PAGE` so nobody walks the whole table through them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from sqlalchemy import Select
from sqlalchemy.orm import Session

T = TypeVar("T")
PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 500


@dataclass(frozen=True)
class ListQuery:
    """What a list page was asked for: filters and the page, read from the query string."""

    page: int = 1
    per_page: int = PER_PAGE
    state: str = ""
    grid_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)
    """Page-specific filters, kept in the links as they came."""

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.page - 1) * self.per_page

    def params(self) -> dict[str, str]:
        """The filters as query-string parameters (empty ones left out; without the page)."""
        values = {"state": self.state, "grid": "" if self.grid_id is None else str(self.grid_id),
                  "from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else "", "q": self.q,
                  "per_page": "" if self.per_page == PER_PAGE else str(self.per_page), **self.extra}
        return {key: value for key, value in values.items() if value}

    def url(self, path: str, *, page: int | None = None) -> str:
        """``path`` with these filters and ``page`` (default this one; page 1 is left out)."""
        params = self.params()
        number = self.page if page is None else page
        if number > 1:
            params["page"] = str(number)
        return f"{path}?{urlencode(params)}" if params else path

    def between(self, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
        """The date filter as aware bounds in ``zone``: [from 00:00, the day after ``to`` 00:00)."""
        start = datetime.combine(self.date_from, time(), zone) if self.date_from else None
        end = datetime.combine(self.date_to + timedelta(days=1), time(), zone) if self.date_to else None
        return start, end


def _number(text: str | None, *, default: int, low: int, high: int) -> int:
    if text is None or not text.strip().isdigit():
        return default
    return min(max(int(text), low), high)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text and text.strip() else None
    except ValueError:
        return None


def list_query(params: Mapping[str, str], *, states: Sequence[str] = (), extra: Sequence[str] = ()) -> ListQuery:
    """Read a list page's query string; anything unreadable falls back to "no filter" (never an error page).

    ``state`` must be one of ``states`` (when given); ``from``/``to`` are ISO dates (swapped when reversed);
    ``grid`` a number; ``extra`` names page-specific parameters to keep.
    """
    state = (params.get("state") or "").strip()
    date_from, date_to = _date(params.get("from")), _date(params.get("to"))
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    grid = (params.get("grid") or "").strip()
    return ListQuery(page=_number(params.get("page"), default=1, low=1, high=MAX_PAGE),
                     per_page=_number(params.get("per_page"), default=PER_PAGE, low=1, high=MAX_PER_PAGE),
                     state=state if not states or state in states else "",
                     grid_id=int(grid) if grid.isdigit() else None, date_from=date_from, date_to=date_to,
                     q=(params.get("q") or "").strip()[:50],
                     extra={name: params[name].strip()[:50] for name in extra if (params.get(name) or "").strip()})


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, and how to reach its neighbours."""

    items: list[T]
    query: ListQuery
    has_next: bool

    @property
    def number(self) -> int:
        """This page's number, from 1."""
        return self.query.page

    @property
    def has_prev(self) -> bool:
        """Whether a page comes before this one."""
        return self.query.page > 1

    def link(self, path: str, page: int) -> str:
        """The URL of page ``page`` of the same list."""
        return self.query.url(path, page=page)

    def first_row(self) -> int:
        """The position of this page's first row (1-based) for "第 21–40 条"."""
        return self.query.offset + 1


def page_of(rows: Sequence[T], query: ListQuery) -> Page[T]:
    """A page from up to ``per_page + 1`` rows fetched (the extra row only says a next page exists)."""
    return Page(items=list(rows[:query.per_page]), query=query,
                has_next=len(rows) > query.per_page and query.page < MAX_PAGE)


def paginate(session: Session, statement: Select[Any], query: ListQuery) -> Page[Any]:
    """Run ``statement`` (already filtered and ordered by indexed columns) for the page ``query`` asks for."""
    rows = session.scalars(statement.limit(query.per_page + 1).offset(query.offset)).all()
    return page_of(rows, query)

