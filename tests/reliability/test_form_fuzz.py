"""Every form route of the portal's pages fuzzed with schemathesis (issue 18 point 4), as a signed-in admin's
browser with a valid CSRF token: no 5xx, and every refusal a Chinese HTML page.

The pages are left out of /openapi.json (it documents the device API), so the test builds their own OpenAPI
document from the routers' POST routes. Left out: signing out (it would end the fuzzing session), sending a
channel's test message (it calls the generated URL), and acting on the signed-in admin's own account.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from sqlalchemy import select

import caregiver_portal.routers as routers
from caregiver_portal.accounts.models import User
from caregiver_portal.app import create_app
from caregiver_portal.core.db import create_db_engine, create_session_factory
from caregiver_portal.core.settings import PortalSettings
from tests.security.access import sign_in
from tests.support.community import seed_community_for_tests
from tests.support.seeding import seed_for_tests

FUZZ_EXAMPLES_PER_FORM = 4
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
LEFT_OUT = {"/logout", "/logout/everywhere", "/admin/channels/{channel_id}/test"}
OWN_ACCOUNT = re.compile(r"^/admin/users/\{user_id\}/(active|password|sign-out)$")


def form_routes() -> list[APIRoute]:
    """Every POST route of the pages (the ``*_web`` routers of :mod:`caregiver_portal.routers`), put in a schema."""
    found = []
    for name, module in sorted(vars(routers).items()):
        if name.endswith("_web"):
            for route in module.router.routes:
                if isinstance(route, APIRoute) and "POST" in route.methods and route.path not in LEFT_OUT:
                    shown = copy.copy(route)
                    shown.include_in_schema = True
                    found.append(shown)
    return found


@pytest.fixture
def admin_browser(database_url: str) -> Iterator[tuple[TestClient, str, int]]:
    """The portal with demo and community data, a browser signed in as the admin, its CSRF token and user id."""
    seed_for_tests(database_url)
    seed_community_for_tests(database_url)
    engine = create_db_engine(database_url)
    with create_session_factory(engine)() as session:
        admin_id = session.scalar(select(User.id).where(User.username == "admin"))
    engine.dispose()
    settings_ = PortalSettings(database_url=database_url, secret_key="fuzz-secret-key-0123456789abcdef",
                               password_profile="fast", tick_interval_s=0)
    with TestClient(create_app(settings_)) as client:
        csrf = sign_in(client, "admin", "anxin-admin")
        assert admin_id is not None
        yield client, csrf, admin_id


def _send(client: TestClient, case: Any, csrf: str) -> Any:
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url))
    data = {key: value for key, value in (kwargs.get("data") or {}).items() if value is not None}
    data["csrf_token"] = csrf
    return client.request(case.method, case.formatted_path, params=case.query, data=data,
                          files=kwargs.get("files") or None, headers=BROWSER, follow_redirects=False)


def test_every_form_route_answers_without_5xx_and_refuses_with_a_chinese_page(
    admin_browser: tuple[TestClient, str, int],
) -> None:
    client, csrf, admin_id = admin_browser
    document = get_openapi(title="Anxin pages", version="1", routes=form_routes())
    operations = [result.ok() for result in schemathesis.openapi.from_dict(document).get_all_operations()]
    assert len(operations) >= 50
    calls = 0
    for operation in operations:
        own_account = OWN_ACCOUNT.match(operation.path) is not None

        @given(case=operation.as_strategy())
        @settings(max_examples=FUZZ_EXAMPLES_PER_FORM, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal calls
            assume(not (own_account and case.path_parameters.get("user_id") == admin_id))  # noqa: B023 - called now
            calls += 1
            response = _send(client, case, csrf)
            where = f"{case.method} {case.formatted_path} {case.body!r}"[:300]
            assert response.status_code < 500, where
            if response.status_code >= 400:
                assert response.headers["content-type"].startswith("text/html"), where
                assert re.search(r"<title>[^<]*[\u4e00-\u9fff]", response.text), where

        fuzz()
    assert calls >= len(operations) * 2
    assert client.get("/board", follow_redirects=False).status_code == 200, "still signed in: the run reached pages"
