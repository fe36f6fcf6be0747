"""Garbage from the portal (a malformed catalog, a huge activity list) still leaves the senior a
usable screen: the good entries are shown, the bad ones skipped, nothing crashes."""

from __future__ import annotations

import copy
from datetime import timedelta

from tests.kiosk.fake_community import NOW

GARBAGE_ITEMS = [
    None, 42, "西红柿", [], {}, {"id": "x"}, {"name": None, "category": 5}, {"id": 99, "name": "", "unit": None},
    {"id": 100, "name": "怪东西", "category": None, "unit": 7, "usual_price_fen": "free", "picture_url": 3},
    {"id": 101, "name": "x" * 5000, "category": "蔬菜", "unit": "斤", "picture_url": "/static/../../etc/passwd"},
]


def test_malformed_catalog_still_shows_the_good_items(make_harness, fake_portal):  # type: ignore[no-untyped-def]
    good = copy.deepcopy(fake_portal.catalog_rows[:3])
    fake_portal.catalog_rows = GARBAGE_ITEMS + good
    h = make_harness(client=fake_portal, clock=lambda: NOW)
    h.tap("买菜代购")
    assert h.wait_until(lambda: h.screen == "grocery_categories", 30), h.texts()
    assert h.wait_for_text("蔬菜", 30), h.texts()
    h.tap("groceries.category.蔬菜")
    assert h.wait_for_text(good[0]["name"], 30), h.texts()  # the good items are all there
    assert h.has_text("返回首页")


def test_thousands_of_activities_and_broken_entries_still_give_readable_cards(make_harness, fake_portal):  # type: ignore[no-untyped-def]
    template = copy.deepcopy(fake_portal.activity_rows[0])
    many = []
    for n in range(5000):
        activity = dict(template, id=1000 + n, title=f"活动{n}",
                        starts_at=(NOW + timedelta(days=1, minutes=n)).isoformat())
        many.append(activity)
    fake_portal.activity_rows = [None, {"id": "?"}, {"id": 7, "title": None, "starts_at": "not a date"},
                              {"id": 8, "title": "坏时间", "starts_at": "2026-13-45T99:00:00"}] + many
    h = make_harness(client=fake_portal, clock=lambda: NOW)
    h.tap("活动报名")
    assert h.wait_for_text("活动0", 30), h.texts()
    assert h.has_text("返回首页")
