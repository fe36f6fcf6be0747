"""Sign-in hardening: argon2 hashes, rate limiting, session expiry, security headers."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from caregiver_portal.accounts.models import User
from caregiver_portal.app import create_app
from caregiver_portal.core.settings import PortalSettings
from tests.security.access import sign_in
from tests.support.seeding import seed_for_tests


def make_client(database_url: str, **settings: object) -> TestClient:
    seed_for_tests(database_url)
    return TestClient(create_app(PortalSettings(database_url=database_url, secret_key="signin-secret-key-0123456789ab",
                                                password_profile="fast", tick_interval_s=0, **settings)))  # type: ignore[arg-type]


def try_password(client: TestClient, username: str, password: str) -> tuple[int, str]:
    page = client.get("/login").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf},
                           follow_redirects=False)
    return response.status_code, response.text


def test_passwords_are_stored_as_argon2id(database_url: str) -> None:
    seed_for_tests(database_url)
    engine = create_engine(database_url)
    with engine.connect() as db:
        hashes = list(db.scalars(select(User.password_hash)))
    engine.dispose()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)


def test_ten_wrong_passwords_lock_the_account_even_for_the_right_one(database_url: str) -> None:
    with make_client(database_url) as client:
        for _ in range(10):
            assert try_password(client, "volunteer1", "guess-wrong")[0] == 401
        status, page = try_password(client, "volunteer1", "anxin-demo")
        assert status == 401 and "尝试次数过多" in page


def test_session_expires(database_url: str) -> None:
    with make_client(database_url, session_max_age_s=1) as client:
        sign_in(client, "volunteer1", "anxin-demo")
        assert client.get("/board", follow_redirects=False).status_code == 200
        time.sleep(2.1)
        expired = client.get("/board", follow_redirects=False)
        assert expired.status_code == 303 and expired.headers["location"].startswith("/login")


def test_security_headers_on_every_answer_and_hsts_only_over_tls(database_url: str) -> None:
    with make_client(database_url) as client:
        for path in ("/login", "/healthz", "/static/style.css"):
            headers = client.get(path).headers
            csp = headers["content-security-policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
            assert headers["x-content-type-options"] == "nosniff"
            assert "strict-transport-security" not in headers
    with make_client(database_url) as client:
        client.base_url = client.base_url.copy_with(scheme="https")
        assert "max-age=" in client.get("/healthz").headers["strict-transport-security"]
