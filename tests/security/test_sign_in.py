"""Sign-in hardening: argon2 hashes, throttling that never locks the real user out, server-side sessions that
end at once, session expiry, security headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from caregiver_portal.accounts.models import User
from caregiver_portal.accounts.throttle import BackoffPolicy, Failures, LoginThrottle, after_failure, wait_before
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


class FakeClock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def portal_app(database_url: str) -> Iterator[tuple[FastAPI, FakeClock]]:
    """The portal app (its lifespan running) with a sign-in throttle on a clock the test moves."""
    seed_for_tests(database_url)
    app = create_app(PortalSettings(database_url=database_url, secret_key="signin-secret-key-0123456789ab",
                                    password_profile="fast", tick_interval_s=0))
    clock = FakeClock()
    app.state.login_throttle = LoginThrottle(clock=clock)
    with TestClient(app):
        yield app, clock


def browser(app: FastAPI, address: str) -> TestClient:
    """A browser at ``address`` (its own cookies)."""
    return TestClient(app, client=(address, 50000))


POLICY = BackoffPolicy(free_failures=3, first_wait_s=2, max_wait_s=10, forget_after_s=100)


@pytest.mark.parametrize(("count", "since", "wait"), [
    pytest.param(0, 0, 0, id="no-failures"),
    pytest.param(2, 0, 0, id="free-failures"),
    pytest.param(3, 0, 2, id="first-wait"),
    pytest.param(3, 1.5, 0.5, id="first-wait-half-over"),
    pytest.param(4, 0, 4, id="doubles"),
    pytest.param(5, 0, 8, id="doubles-again"),
    pytest.param(9, 0, 10, id="capped-never-a-lock"),
    pytest.param(9, 10, 0, id="cap-over"),
    pytest.param(50, 100, 0, id="forgotten"),
])
def test_backoff_waits(count: int, since: float, wait: float) -> None:
    assert wait_before(Failures(count=count, last_at=500.0), POLICY, 500.0 + since) == pytest.approx(wait)


def test_failure_after_a_quiet_period_starts_again_from_one() -> None:
    assert after_failure(Failures(count=9, last_at=0.0), POLICY, 100.0) == Failures(count=1, last_at=100.0)
    assert after_failure(Failures(count=9, last_at=0.0), POLICY, 99.0) == Failures(count=10, last_at=99.0)


def test_guessing_elsewhere_never_keeps_a_volunteer_out_of_their_own_phone(
    portal_app: tuple[FastAPI, FakeClock],
) -> None:
    app, clock = portal_app
    phone, guesser = browser(app, "10.0.0.2"), browser(app, "10.9.9.9")
    sign_in(phone, "volunteer1", "anxin-demo")  # the phone becomes a known device
    phone.post("/logout", data={"csrf_token": csrf_of(phone)})
    answers = []
    for _ in range(200):
        answers.append(try_password(guesser, "volunteer1", "guess-wrong")[0])
        clock.now += 1
    assert answers[:5] == [401] * 5 and 429 in answers, "the guesser is slowed down"
    assert answers.count(401) <= 5 + 8, "at most one guess a minute once the wait reached its ceiling"
    status, _ = try_password(phone, "volunteer1", "anxin-demo")
    assert status == 303, "the volunteer's own phone signs in at once"


def test_a_new_phone_waits_at_most_a_minute_and_waiting_is_not_counted(
    portal_app: tuple[FastAPI, FakeClock],
) -> None:
    app, clock = portal_app
    guesser, new_phone = browser(app, "10.9.9.9"), browser(app, "10.0.0.3")
    for _ in range(30):  # a patient guesser: every wait sat out, the account's wait reaches its ceiling
        while (refused := guesser.post("/login", data={"username": "volunteer1", "password": "guess-wrong",
                                                        "csrf_token": csrf_of(guesser)})).status_code == 429:
            clock.now += int(refused.headers["retry-after"])
    status, page = try_password(new_phone, "volunteer1", "anxin-demo")
    retry_after = int(page.split("请 ", 1)[1].split(" 秒", 1)[0])
    assert status == 429 and 0 < retry_after <= 60
    for _ in range(20):  # asking again while waiting does not make the wait longer
        assert try_password(new_phone, "volunteer1", "anxin-demo")[0] == 429
    clock.now += retry_after
    assert try_password(new_phone, "volunteer1", "anxin-demo")[0] == 303


def test_one_address_guessing_many_accounts_backs_off_doubling(portal_app: tuple[FastAPI, FakeClock]) -> None:
    app, clock = portal_app
    guesser = browser(app, "10.9.9.9")
    for number in range(10):
        assert try_password(guesser, f"nobody{number}", "guess")[0] == 401
    waits = []
    for number in range(3):
        response = guesser.post("/login", data={"username": "caregiver1", "password": "guess",
                                                "csrf_token": csrf_of(guesser)})
        waits.append(int(response.headers["retry-after"]))
        clock.now += waits[-1]
        assert try_password(guesser, f"other{number}", "guess")[0] == 401
    assert waits == [2, 4, 8]
    assert try_password(browser(app, "10.0.0.2"), "caregiver1", "anxin-demo")[0] == 303, "other addresses go on"


def csrf_of(client: TestClient) -> str:
    """The CSRF token of ``client``'s session (from the sign-in page)."""
    page = client.get("/login").text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def signed_in(client: TestClient) -> bool:
    """Whether ``client`` still reaches the board."""
    return client.get("/board", follow_redirects=False).status_code == 200


def test_signing_out_ends_the_session_on_the_server_even_for_a_copied_cookie(
    portal_app: tuple[FastAPI, FakeClock],
) -> None:
    app, _ = portal_app
    laptop, thief = browser(app, "10.0.0.2"), browser(app, "10.6.6.6")
    csrf = sign_in(laptop, "volunteer1", "anxin-demo")
    thief.cookies.update(laptop.cookies)
    assert signed_in(thief)
    laptop.post("/logout", data={"csrf_token": csrf})
    assert not signed_in(laptop) and not signed_in(thief)


def test_new_password_and_sign_out_everywhere_end_every_session(portal_app: tuple[FastAPI, FakeClock]) -> None:
    app, _ = portal_app
    admin, phone, laptop = browser(app, "10.0.0.1"), browser(app, "10.0.0.2"), browser(app, "10.0.0.3")
    admin_csrf = sign_in(admin, "admin", "anxin-admin")
    users_page = admin.get("/admin/users").text
    volunteer_id = re.search(r'data-username="volunteer1".*?/admin/users/(\d+)/password', users_page,
                             re.S).group(1)  # type: ignore[union-attr]

    def both_signed_in(password: str) -> str:
        csrf = sign_in(phone, "volunteer1", password)
        sign_in(laptop, "volunteer1", password)
        assert signed_in(phone) and signed_in(laptop)
        return csrf

    both_signed_in("anxin-demo")
    admin.post(f"/admin/users/{volunteer_id}/password", data={"csrf_token": admin_csrf, "password": "new-pass-123"})
    assert not signed_in(phone) and not signed_in(laptop), "a new password signs the old sessions out"
    phone_csrf = both_signed_in("new-pass-123")
    phone.post("/logout/everywhere", data={"csrf_token": phone_csrf})
    assert not signed_in(phone) and not signed_in(laptop), "the volunteer's own 'sign out everywhere'"
    both_signed_in("new-pass-123")
    admin.post(f"/admin/users/{volunteer_id}/sign-out", data={"csrf_token": admin_csrf})
    assert not signed_in(phone) and not signed_in(laptop), "the admin's 'sign out everywhere'"
    assert signed_in(admin)


class PortalClock:
    """The portal's UTC clock for sign-in sessions, moved by the test instead of waited for."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_session_expires_on_the_server_after_eight_hours_of_the_portals_clock(database_url: str) -> None:
    seed_for_tests(database_url)
    clock = PortalClock()
    app = create_app(PortalSettings(database_url=database_url, secret_key="signin-secret-key-0123456789ab",
                                    password_profile="fast", tick_interval_s=0), clock=clock)
    with TestClient(app) as client:
        sign_in(client, "volunteer1", "anxin-demo")
        clock.now += timedelta(hours=8) - timedelta(seconds=1)  # however slow the machine, nothing else moves it
        assert client.get("/board", follow_redirects=False).status_code == 200
        clock.now += timedelta(seconds=1)  # the cookie itself would still be sent; the server's session is over
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
