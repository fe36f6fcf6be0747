"""The community device API: catalog, idempotent grocery orders, activities with a waitlist,
resident greeting, ratings — against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from caregiver_portal.core.settings import PortalSettings
from tests.portal.conftest import SeededPortal
from tests.support.community import seed_community_for_tests


@pytest.fixture
def kiosk(seeded_portal: SeededPortal, portal_settings: PortalSettings) -> SeededPortal:
    """The seeded portal with the community demo data."""
    seed_community_for_tests(portal_settings.database_url)
    return seeded_portal


def api(portal: SeededPortal, method: str, path: str, **kwargs: object):  # type: ignore[no-untyped-def]
    headers = portal.device_headers(portal.kiosk_token)
    return portal.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)  # type: ignore[arg-type]


def resident_id(portal: SeededPortal, code: str = "0201") -> int:
    return int(api(portal, "GET", f"/residents/lookup?code={code}").json()["id"])


def test_catalog_lists_items_with_unit_synonyms_price_and_picture(kiosk: SeededPortal) -> None:
    items = api(kiosk, "GET", "/catalog").json()
    tomato = next(i for i in items if i["name"] == "西红柿")
    assert tomato["unit"] == "斤" and "番茄" in tomato["synonyms"] and tomato["category"] == "蔬菜"
    assert tomato["usual_price_fen"] == 400
    assert kiosk.client.get(tomato["picture_url"]).status_code == 200
    assert {i["category"] for i in items} == {"蔬菜", "肉蛋", "粮油", "日用"}


def test_bridge_token_may_not_use_the_kiosk_api(kiosk: SeededPortal) -> None:
    response = kiosk.client.get("/api/v1/catalog", headers=kiosk.device_headers(kiosk.bridge_token))
    assert response.status_code == 403


def test_order_by_synonym_is_stored_once_per_event_id(kiosk: SeededPortal) -> None:
    body = {"event_id": "kiosk-order-1", "resident_id": resident_id(kiosk),
            "items": [{"name": "番茄", "quantity": 2}, {"name": "大米", "quantity": 1}, {"name": "酱油", "quantity": 1,
                                                                                    "unit": "瓶"}]}
    first = api(kiosk, "POST", "/orders", json=body)
    second = api(kiosk, "POST", "/orders", json=body)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"] and second.json()["duplicate"] is True
    items = first.json()["items"]
    assert [(i["name"], i["quantity"], i["unit"]) for i in items] == [("西红柿", 2, "斤"), ("大米", 1, "袋"),
                                                                      ("酱油", 1, "瓶")]
    assert items[0]["item_id"] is not None and items[2]["item_id"] is None
    state = api(kiosk, "GET", "/orders/by-event/kiosk-order-1").json()
    assert state["state"] == "submitted" and state["state_label"] == "待认领"


def test_order_cannot_be_confirmed_before_it_is_bought(kiosk: SeededPortal) -> None:
    api(kiosk, "POST", "/orders", json={"event_id": "o-2", "items": [{"name": "鸡蛋", "quantity": 1}]})
    response = api(kiosk, "POST", "/orders/by-event/o-2/confirm-received")
    assert response.status_code == 409


MALFORMED_ORDERS = {
    "no-items": {"event_id": "x", "items": []},
    "neither-id-nor-name": {"event_id": "x", "items": [{"quantity": 1}]},
    "zero-quantity": {"event_id": "x", "items": [{"name": "米", "quantity": 0}]},
    "negative-quantity": {"event_id": "x", "items": [{"name": "米", "quantity": -3}]},
    "absurd-quantity": {"event_id": "x", "items": [{"name": "米", "quantity": 1e9}]},
    "bad-event-id": {"event_id": "x y", "items": [{"name": "米", "quantity": 1}]},
    "unknown-field": {"event_id": "x", "items": [{"name": "米", "quantity": 1}], "extra": 1},
}


def test_malformed_orders_get_422(kiosk: SeededPortal) -> None:
    # One test over a table: each case needs no fresh database.
    statuses = {case: api(kiosk, "POST", "/orders", json=body).status_code for case, body in MALFORMED_ORDERS.items()}
    assert statuses == dict.fromkeys(MALFORMED_ORDERS, 422)


def test_order_for_unknown_resident_or_catalog_item_gets_404(kiosk: SeededPortal) -> None:
    unknown_resident = {"event_id": "o-3", "resident_id": 99999, "items": [{"name": "米", "quantity": 1}]}
    unknown_item = {"event_id": "o-4", "items": [{"item_id": 99999, "quantity": 1}]}
    assert api(kiosk, "POST", "/orders", json=unknown_resident).status_code == 404
    assert api(kiosk, "POST", "/orders", json=unknown_item).status_code == 404
    assert api(kiosk, "GET", "/orders/by-event/never-sent").status_code == 404


def test_lookup_greets_resident_politely(kiosk: SeededPortal) -> None:
    wang = api(kiosk, "GET", "/residents/lookup?code=0201").json()
    li = api(kiosk, "GET", "/residents/lookup?code=0502").json()
    zhang = api(kiosk, "GET", "/residents/lookup?code=1101").json()  # born 1941: over 80
    assert (wang["polite_name"], wang["room"]) == ("王阿姨", "3号楼201")
    assert li["polite_name"] == "李叔叔" and zhang["polite_name"] == "张奶奶"
    assert api(kiosk, "GET", "/residents/lookup?code=9999").status_code == 404


def test_signups_fill_places_then_waitlist_moves_up_on_cancel(kiosk: SeededPortal) -> None:
    calligraphy = next(a for a in api(kiosk, "GET", "/activities").json() if a["title"] == "书法班")
    assert calligraphy["capacity"] == 3 and calligraphy["spots_left"] == 3
    residents = [resident_id(kiosk, code) for code in ("0201", "0502", "1101", "1302", "2403")]
    states = [api(kiosk, "POST", f"/activities/{calligraphy['id']}/signups",
                  json={"event_id": f"su-{r}", "resident_id": r}).json() for r in residents]
    assert [s["state"] for s in states] == ["confirmed"] * 3 + ["waitlisted"] * 2
    assert [s["waitlist_position"] for s in states[3:]] == [1, 2]
    again = api(kiosk, "POST", f"/activities/{calligraphy['id']}/signups",
                json={"event_id": "su-other", "resident_id": residents[0]})
    assert again.status_code == 200 and again.json()["id"] == states[0]["id"]

    cancelled = api(kiosk, "POST", f"/activities/{calligraphy['id']}/signups/cancel",
                    json={"resident_id": residents[1]})
    assert cancelled.json()["state"] == "cancelled"
    mine = api(kiosk, "GET", f"/residents/{residents[3]}/activities").json()
    assert [(s["activity_id"], s["state"]) for s in mine if s["activity_id"] == calligraphy["id"]] == [
        (calligraphy["id"], "confirmed")]
    last = api(kiosk, "GET", f"/residents/{residents[4]}/activities").json()
    assert [s["waitlist_position"] for s in last if s["activity_id"] == calligraphy["id"]] == [1]
    repeat = api(kiosk, "POST", f"/activities/{calligraphy['id']}/signups/cancel", json={"resident_id": residents[1]})
    assert repeat.status_code == 200 and repeat.json()["state"] == "cancelled"


def test_rating_is_stored_once_and_checked(kiosk: SeededPortal) -> None:
    body = {"event_id": "rate-1", "target_kind": "service", "stars": 5, "comment": "志愿者很耐心"}
    first = api(kiosk, "POST", "/ratings", json=body)
    second = api(kiosk, "POST", "/ratings", json=body)
    assert first.status_code == 201 and second.status_code == 200 and second.json()["duplicate"] is True
    assert api(kiosk, "POST", "/ratings", json={**body, "event_id": "rate-2", "stars": 6}).status_code == 422
    missing = {**body, "event_id": "rate-3", "target_kind": "order", "target_id": 4242}
    assert api(kiosk, "POST", "/ratings", json=missing).status_code == 404
