"""Stored XSS: markup typed by a senior at the kiosk or by a volunteer in the portal is shown
as text on every page that displays it, never run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from caregiver_portal.app import create_app
from caregiver_portal.core.settings import PortalSettings
from tests.security.access import sign_in
from tests.support.seeding import seed_for_tests

PAYLOADS = ['<script>alert("xss")</script>', '"><img src=x onerror=alert(1)>', "<svg onload=alert(1)>"]


@pytest.fixture
def portal(database_url: str) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    kiosk, bridge = seed_for_tests(database_url)
    app = create_app(PortalSettings(database_url=database_url, secret_key="xss-secret-key-0123456789abcdef",
                                    password_profile="fast", tick_interval_s=0))
    with TestClient(app) as client:
        csrf = sign_in(client, "admin", "anxin-admin")
        yield client, {"X-CSRF-Token": csrf}, {"Authorization": f"Bearer {kiosk}"}


def assert_shown_as_text(page: str, payload: str) -> None:
    assert payload not in page, "raw markup reached the page"
    assert str(escape(payload)) in page, "the text itself is not on the page"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_from_kiosk_and_volunteer_is_escaped_on_board_and_alert_page(portal, payload: str) -> None:  # type: ignore[no-untyped-def]
    client, user_headers, kiosk_headers = portal
    raised = client.post("/api/v1/alerts", headers=kiosk_headers, json={
        "event_id": "xss-1", "kind": "help", "details": {"place": payload}}).json()
    assert_shown_as_text(client.get("/board").text, payload)
    assert_shown_as_text(client.get(f"/board/alerts/{raised['id']}/card").text, payload)
    client.post(f"/alerts/{raised['id']}/resolve", headers=user_headers, data={"outcome": payload})
    assert_shown_as_text(client.get(f"/alerts/{raised['id']}").text, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_in_order_notes_and_rating_comments_is_escaped(portal, payload: str) -> None:  # type: ignore[no-untyped-def]
    client, _user_headers, kiosk_headers = portal
    order = client.post("/api/v1/orders", headers=kiosk_headers, json={
        "event_id": "xss-order", "items": [{"name": payload[:50], "quantity": 1}], "note": payload})
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    assert_shown_as_text(client.get(f"/orders/{order_id}").text, payload)
    rating = client.post("/api/v1/ratings", headers=kiosk_headers, json={
        "event_id": "xss-rating", "target_kind": "order", "target_id": order_id, "stars": 1, "comment": payload})
    assert rating.status_code == 201, rating.text
    assert_shown_as_text(client.get("/reports").text, payload)
