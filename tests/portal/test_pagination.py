"""The one pagination helper of the list pages: query strings in, pages and links out."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from caregiver_portal.core.pagination import MAX_PAGE, PER_PAGE, ListQuery, list_query, page_of

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("params", "expected"), [
    pytest.param({}, ListQuery(), id="nothing"),
    pytest.param({"page": "3", "state": "submitted", "grid": "2"},
                 ListQuery(page=3, state="submitted", grid_id=2), id="page-state-grid"),
    pytest.param({"page": "0"}, ListQuery(page=1), id="page-zero"),
    pytest.param({"page": "-2"}, ListQuery(page=1), id="page-negative"),
    pytest.param({"page": "abc"}, ListQuery(page=1), id="page-text"),
    pytest.param({"page": "999999"}, ListQuery(page=MAX_PAGE), id="page-capped"),
    pytest.param({"per_page": "1000"}, ListQuery(per_page=100), id="per-page-capped"),
    pytest.param({"state": "stolen"}, ListQuery(), id="unknown-state-ignored"),
    pytest.param({"grid": "二"}, ListQuery(), id="grid-not-a-number"),
    pytest.param({"from": "2026-12-01", "to": "2026-12-05"},
                 ListQuery(date_from=date(2026, 12, 1), date_to=date(2026, 12, 5)), id="dates"),
    pytest.param({"from": "2026-12-05", "to": "2026-12-01"},
                 ListQuery(date_from=date(2026, 12, 1), date_to=date(2026, 12, 5)), id="dates-swapped"),
    pytest.param({"from": "12/01/2026"}, ListQuery(), id="date-unreadable"),
    pytest.param({"q": "  王 ", "kind": "x", "other": "y"}, ListQuery(q="王", extra={"kind": "x"}), id="q-and-extra"),
])
def test_list_query_reads_the_query_string_and_never_fails(params: dict[str, str], expected: ListQuery) -> None:
    assert list_query(params, states=("submitted", "received"), extra=("kind",)) == expected


@pytest.mark.parametrize(("query", "page", "url"), [
    pytest.param(ListQuery(), 1, "/orders/all", id="plain"),
    pytest.param(ListQuery(), 2, "/orders/all?page=2", id="page-two"),
    pytest.param(ListQuery(state="claimed", grid_id=3, date_from=date(2026, 12, 1)), 4,
                 "/orders/all?state=claimed&grid=3&from=2026-12-01&page=4", id="filters-kept"),
    pytest.param(ListQuery(q="3号楼", per_page=50), 1, "/orders/all?q=3%E5%8F%B7%E6%A5%BC&per_page=50",
                 id="encoded"),
])
def test_links_keep_the_filters_so_a_list_can_be_shared(query: ListQuery, page: int, url: str) -> None:
    assert query.url("/orders/all", page=page) == url


@pytest.mark.parametrize(("rows", "page", "items", "has_next", "has_prev"), [
    pytest.param(0, 1, 0, False, False, id="empty"),
    pytest.param(PER_PAGE, 1, PER_PAGE, False, False, id="exactly-one-page"),
    pytest.param(PER_PAGE + 1, 1, PER_PAGE, True, False, id="one-more-row-means-next"),
    pytest.param(5, 3, 5, False, True, id="last-page"),
    pytest.param(PER_PAGE + 1, MAX_PAGE, PER_PAGE, False, True, id="no-next-past-the-cap"),
])
def test_page_of_uses_the_extra_row_only_to_know_a_next_page(rows: int, page: int, items: int, has_next: bool,
                                                             has_prev: bool) -> None:
    result = page_of(list(range(rows)), ListQuery(page=page))
    assert (len(result.items), result.has_next, result.has_prev) == (items, has_next, has_prev)


def test_date_filter_covers_whole_local_days() -> None:
    start, end = ListQuery(date_from=date(2026, 12, 1), date_to=date(2026, 12, 1)).between(SHANGHAI)
    assert (start, end) == (datetime(2026, 12, 1, tzinfo=SHANGHAI), datetime(2026, 12, 2, tzinfo=SHANGHAI))
