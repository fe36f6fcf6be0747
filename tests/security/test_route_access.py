"""Nobody gets in: every route of the portal against every kind of caller, in one table.

Each route must match exactly one rule below (a new route without a rule fails this test).
A caller outside a rule's set must be refused (401/403, or sent to the sign-in page); a
caller inside must not be. Revoked device tokens are refused everywhere at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from caregiver_portal.accounts.service import create_device, get_or_create_site, revoke_device
from caregiver_portal.app import create_app
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.settings import PortalSettings
from caregiver_portal.demo.seed import DEMO_SITE
from tests.security.access import ACTORS, USER_ACTORS, Route, app_routes, denied, sign_in
from tests.support.seeding import seed_for_tests

ANYONE = frozenset(ACTORS)
DEVICES = frozenset({"kiosk", "bridge"})
BRIDGE = frozenset({"bridge"})
KIOSK = frozenset({"kiosk"})
USERS = frozenset({"volunteer", "caregiver", "admin"})
STAFF = frozenset({"caregiver", "admin"})
ADMIN = frozenset({"admin"})

# (method or "*", path regex, who may use it). First match wins; order from specific to general.
RULES: list[tuple[str, str, frozenset[str]]] = [
    ("GET", r"^/healthz$", ANYONE),
    ("GET", r"^/$", ANYONE),  # a redirect to the board
    ("*", r"^/(login|logout)$", ANYONE),  # checked by the sign-in tests
    ("POST", r"^/logout/everywhere$", USERS),  # checked by the sign-in tests (it signs the caller out)
    ("*", r"^/api/v1/(alerts|site/alerts|device|checkins)", DEVICES),  # device: who am I, dead letters
    ("*", r"^/api/v1/(readings|wristbands|bands/status|bands/keys|bands/unknown)$", BRIDGE),  # health data, keys
    ("*", r"^/api/v1/(catalog|orders|activities|residents|ratings|site/nearby)", KIOSK),  # no orders from bridges
    ("*", r"^/api/v1/roll-calls/", KIOSK),  # a band answers a roll call through the alerts API
    ("*", r"^/api/v1/(feedback|timebank)(/|$)", KIOSK),  # 反映问题, a resident's points and redemptions
    ("*", r"^/(board|alerts)(/|$)", USERS),
    ("*", r"^/orders/new$", STAFF),
    ("*", r"^/orders/\{order_id\}/cancel$", STAFF),
    ("*", r"^/orders/\{order_id\}/confirm-amount$", STAFF),  # settling a bill the resident disputed
    ("*", r"^/orders", USERS),
    ("POST", r"^/me/offers/site$", ADMIN),  # a site's offer rule
    ("*", r"^/me/offers$", USERS),  # a volunteer's pause, daily limit, building
    ("*", r"^/queue/events$", USERS),
    ("*", r"^/activities/new$", STAFF),
    ("*", r"^/activities/\{activity_id\}/(edit|cancel)$", STAFF),
    ("*", r"^/activities", USERS),
    ("*", r"^/residents", STAFF),  # health details only for the roles that need them
    ("*", r"^/checkins/\{resident_id\}/plan$", STAFF),
    ("*", r"^/checkins", USERS),
    ("POST", r"^/timebank/(rules|rewards)", ADMIN),
    ("*", r"^/timebank/export\.", ADMIN),  # the whole site's ledger
    ("POST", r"^/timebank/office/(scheme|import)$", ADMIN),
    ("*", r"^/timebank/office", STAFF),  # paper records, hand-overs
    ("*", r"^/timebank", USERS),
    ("*", r"^/visits", STAFF),
    ("*", r"^/feedback", STAFF),  # residents' reports: grid workers and admins
    ("POST", r"^/roll-calls$", STAFF),  # start one
    ("*", r"^/roll-calls/\{roll_call_id\}/(close|report)$", STAFF),
    ("*", r"^/roll-calls", USERS),  # volunteers answer for the residents they visit
    ("*", r"^/(reports|reports\.csv)$", ADMIN),
    ("*", r"^/settlement(\.csv|/payouts|/percent)$", ADMIN),
    ("*", r"^/settlement$", USERS),  # a volunteer sees their own month
    ("*", r"^/phone", STAFF),  # 电话代录 at the desk
    ("*", r"^/admin", ADMIN),
    ("*", r"^/catalog", ADMIN),
]
# Endless streams; their sign-in checks are in the browser tests (board, roll call) and the queue's test.
SKIPPED_STREAMS = {"/board/events", "/roll-calls/{roll_call_id}/events", "/queue/events"}


def rule_for(route: Route) -> frozenset[str]:
    """Who may call ``route``; fails when no rule covers it."""
    for method, pattern, allowed in RULES:
        if method in ("*", route.method) and re.search(pattern, route.path):
            return allowed
    pytest.fail(f"no access rule for {route.method} {route.path}: add one to RULES")


@dataclass
class Callers:
    """A TestClient and request headers per kind of caller."""

    clients: dict[str, tuple[TestClient, dict[str, str]]]
    revoked_device_id: int


@pytest.fixture
def portal(database_url: str) -> Iterator[tuple[FastAPI, Callers]]:
    kiosk, bridge = seed_for_tests(database_url)
    engine = create_db_engine(database_url)
    with transaction(create_session_factory(engine)) as session:
        device, revoked = create_device(session=session, site=get_or_create_site(session=session, name=DEMO_SITE),
                                        kind="bridge", name="lost bridge")
        revoke_device(session=session, device_id=device.id, now=utcnow())
        revoked_id = device.id
    engine.dispose()
    app = create_app(PortalSettings(database_url=database_url, secret_key="access-secret-key-0123456789abcdef",
                                    password_profile="fast", tick_interval_s=0))
    tokens = {"kiosk": kiosk, "bridge": bridge, "revoked": revoked}
    with TestClient(app) as base:
        base.post("/api/v1/alerts", json={"event_id": "access-1", "kind": "sos"},
                  headers={"Authorization": f"Bearer {bridge}"})
        clients: dict[str, tuple[TestClient, dict[str, str]]] = {}
        for actor in ACTORS:
            client = TestClient(app)
            headers: dict[str, str] = {}
            if actor in USER_ACTORS:
                headers["X-CSRF-Token"] = sign_in(client, *USER_ACTORS[actor])
            elif actor in tokens:
                headers["Authorization"] = f"Bearer {tokens[actor]}"
            clients[actor] = (client, headers)
        yield app, Callers(clients, revoked_id)


def _path(route: Route, callers: Callers) -> str:
    if route.path == "/admin/devices/{device_id}/revoke":
        return f"/admin/devices/{callers.revoked_device_id}/revoke"  # never revoke a token the test uses
    if route.path in ("/admin/users/{user_id}/active", "/admin/users/{user_id}/password",
                      "/admin/users/{user_id}/sign-out"):
        return route.path.replace("{user_id}", "999999")  # never lock or sign out a user the test signs in as
    return route.concrete_path()


def test_every_route_refuses_every_caller_outside_its_rule(portal: tuple[FastAPI, Callers]) -> None:
    app, callers = portal
    signing_out = ("/login", "/logout", "/logout/everywhere")  # checked by the sign-in tests
    routes = [r for r in app_routes(app) if r.path not in SKIPPED_STREAMS and r.path not in signing_out]
    assert len(routes) > 40
    problems = []
    for route in routes:
        allowed = rule_for(route)
        for actor in ACTORS:
            client, headers = callers.clients[actor]
            body = {} if route.path.startswith("/api/") and route.method == "POST" else None
            response = client.request(route.method, _path(route, callers), headers=headers, json=body,
                                      follow_redirects=False)
            refused = denied(response.status_code, response.headers.get("location"))
            if refused == (actor in allowed):
                problems.append(f"{route.method} {route.path} as {actor}: HTTP {response.status_code}")
    assert problems == [], "\n".join(problems)
    print(f"checked {len(routes)} routes x {len(ACTORS)} callers = {len(routes) * len(ACTORS)} combinations")


def test_revoked_token_is_refused_at_once(portal: tuple[FastAPI, Callers]) -> None:
    _app, callers = portal
    admin_client, admin_headers = callers.clients["admin"]
    kiosk_client, kiosk_headers = callers.clients["kiosk"]
    assert kiosk_client.get("/api/v1/site/alerts", headers=kiosk_headers).status_code == 200
    assert admin_client.post("/admin/devices/1/revoke", headers=admin_headers,
                             follow_redirects=False).status_code in (200, 303)
    assert kiosk_client.get("/api/v1/site/alerts", headers=kiosk_headers).status_code == 401
