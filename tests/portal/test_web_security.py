"""Security of the community pages, in-process: sign-in required, CSRF on every form post,
role checks, and resident text escaped (never run as markup)."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from caregiver_portal.accounts import admin_web as admin
from caregiver_portal.activities import web as activities
from caregiver_portal.core.settings import PortalSettings
from caregiver_portal.notifications import web as channels
from caregiver_portal.orders import catalog_web as catalog
from caregiver_portal.orders import web as orders
from caregiver_portal.reports import web as reports
from caregiver_portal.residents import web as residents
from caregiver_portal.timebank import web as volunteers
from caregiver_portal.visits import web as visits
from tests.portal.conftest import SeededPortal
from tests.support.community import seed_community_for_tests

COMMUNITY_PAGES = ["/orders", "/orders/new", "/activities", "/activities/new", "/residents", "/visits", "/visits/new",
                   "/timebank", "/timebank/leaderboard", "/reports", "/reports.csv", "/admin", "/admin/users",
                   "/admin/devices", "/admin/channels", "/catalog"]
FORBIDDEN = {
    "volunteer1": ["/orders/new", "/activities/new", "/residents", "/residents/1", "/residents/1/health", "/visits",
                   "/visits/new", "/reports", "/reports.csv", "/admin", "/admin/users", "/admin/devices",
                   "/admin/channels", "/catalog"],
    "caregiver1": ["/reports", "/reports.csv", "/admin", "/admin/users", "/admin/devices", "/admin/channels",
                   "/catalog"],
}
PASSWORDS = {"volunteer1": "anxin-demo", "caregiver1": "anxin-demo", "admin": "anxin-admin"}


@pytest.fixture
def portal(seeded_portal: SeededPortal, portal_settings: PortalSettings) -> SeededPortal:
    seed_community_for_tests(portal_settings.database_url)
    return seeded_portal


def sign_in(client: TestClient, username: str) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"csrf_token": token, "username": username,
                                           "password": PASSWORDS[username]}, follow_redirects=False)
    assert response.status_code == 303
    # Signing in starts a fresh session with a fresh token.
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get("/timebank").text).group(1)  # type: ignore[union-attr]


def community_form_posts() -> list[str]:
    """Every POST route of the community pages (the web routers this package adds), path parameters filled in."""
    routers = (activities.router, admin.router, channels.router, catalog.router, orders.router, reports.router,
               residents.router, visits.router, volunteers.router)
    paths = [route.path for router in routers for route in router.routes
             if isinstance(route, APIRoute) and "POST" in route.methods]
    return [re.sub(r"\{[^}]+\}", "1", path) for path in paths]


def test_every_page_needs_sign_in(portal: SeededPortal) -> None:
    for path in COMMUNITY_PAGES:
        response = portal.client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path


def test_every_form_post_refuses_a_missing_or_forged_csrf_token(portal: SeededPortal) -> None:
    sign_in(portal.client, "admin")
    posts = community_form_posts()
    assert len(posts) >= 30
    for path in posts:
        assert portal.client.post(path, data={"csrf_token": "forged"}).status_code == 403, path
        assert portal.client.post(path).status_code == 403, path


@pytest.mark.parametrize("username", sorted(FORBIDDEN))
def test_roles_only_reach_their_pages(portal: SeededPortal, username: str) -> None:
    sign_in(portal.client, username)
    refused = {path: portal.client.get(path).status_code for path in FORBIDDEN[username]}
    assert refused == dict.fromkeys(FORBIDDEN[username], 403)
    allowed = [p for p in COMMUNITY_PAGES if p not in FORBIDDEN[username]]
    assert {p: portal.client.get(p).status_code for p in allowed} == dict.fromkeys(allowed, 200)


def test_resident_text_is_escaped_in_pages(portal: SeededPortal) -> None:
    body = {"event_id": "xss-1", "note": "<script>alert(1)</script>",
            "items": [{"name": "<img src=x onerror=alert(2)>", "quantity": 1}]}
    assert portal.client.post("/api/v1/orders", json=body, headers=portal.device_headers(portal.kiosk_token)).is_success
    sign_in(portal.client, "volunteer1")
    page = portal.client.get("/orders").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page


def test_volunteer_cannot_act_on_an_order_claimed_by_someone_else(portal: SeededPortal) -> None:
    order = portal.client.post("/api/v1/orders", headers=portal.device_headers(portal.kiosk_token),
                               json={"event_id": "o-1", "items": [{"name": "米", "quantity": 1}]}).json()
    token = sign_in(portal.client, "caregiver1")
    assert "已认领" in portal.client.post(f"/orders/{order['id']}/claim", data={"csrf_token": token}).text
    portal.client.post("/logout", data={"csrf_token": token})
    token = sign_in(portal.client, "volunteer1")
    page = portal.client.post(f"/orders/{order['id']}/bought", data={"csrf_token": token, "amount": "10"}).text
    assert "这张订单由其他志愿者负责" in page
    state = portal.client.get("/api/v1/orders/by-event/o-1", headers=portal.device_headers(portal.kiosk_token))
    assert state.json()["state"] == "claimed"


def test_receipt_upload_must_be_an_image(portal: SeededPortal) -> None:
    order = portal.client.post("/api/v1/orders", headers=portal.device_headers(portal.kiosk_token),
                               json={"event_id": "o-2", "items": [{"name": "米", "quantity": 1}]}).json()
    token = sign_in(portal.client, "volunteer1")
    portal.client.post(f"/orders/{order['id']}/claim", data={"csrf_token": token})
    page = portal.client.post(f"/orders/{order['id']}/bought", data={"csrf_token": token, "amount": "10"},
                              files={"receipt": ("evil.html", b"<html><script>alert(1)</script>", "text/html")}).text
    assert "小票照片只能是 JPG、PNG 或 WebP 图片" in page
