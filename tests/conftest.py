"""Shared fixtures: databases (SQLite always, PostgreSQL when ANXIN_TEST_DATABASE_URL is set),
the portal app in-process, and a live portal served by a real uvicorn process on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.databases import DATABASE_BACKENDS, drop_templates, fresh_database_url

ROOT = Path(__file__).resolve().parent.parent


SHARED_SCOPES = ("package", "module", "class")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep a file's tests in one test process when they share something expensive; spread the rest.

    scripts/test.sh runs ``pytest -n N --dist loadgroup``: tests with the same ``xdist_group`` run in one
    process, every other test goes to whichever process is free. A file whose tests use a module- or
    class-scoped fixture (one live portal, one browser for the file) or a Kivy window gets its file as
    its group, so that fixture is set up once, as under ``--dist loadfile``. Nothing to do in new files:
    use a module-scoped fixture for anything expensive and the file stays together by itself.
    """
    shared_files = {item.path for item in items if item.get_closest_marker("kivy") or _uses_shared_fixture(item)}
    for item in items:
        if item.path in shared_files and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.path.relative_to(ROOT).as_posix()))


def _uses_shared_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(definitions[-1].scope in SHARED_SCOPES for definitions in info.name2fixturedefs.values())


@pytest.fixture(scope="session", autouse=True)
def _database_templates() -> Iterator[None]:
    """Drop the per-process template databases (tests/support/databases.py) when the session ends."""
    yield
    drop_templates()


@pytest.fixture(params=DATABASE_BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a new database at the newest schema with no rows: SQLite in tmp_path, or a fresh
    PostgreSQL database (both copied from a template migrated once per test process)."""
    with fresh_database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture(params=DATABASE_BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a new database with no tables at all (for tests of the migrations themselves)."""
    with fresh_database_url(request.param, tmp_path, schema=False) as url:
        yield url


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LivePortal:
    """A real portal process on loopback with the demo data seeded."""

    url: str
    database_url: str
    data_dir: Path
    kiosk_token: str
    bridge_token: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """SIGTERM the portal and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL the portal (a crash)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def start(self) -> None:
        """Start (or restart) the portal process on the same port and database."""
        self.process = start_portal_process(self.url, self.database_url, self.data_dir)


def start_portal_process(url: str, database_url: str, data_dir: Path) -> subprocess.Popen[bytes]:
    """Run ``anxin portal`` and wait until /healthz answers."""
    from anxin.demo import wait_healthy

    port = url.rsplit(":", 1)[1]
    log = open(data_dir / f"portal-{uuid.uuid4().hex[:6]}.log", "wb")  # noqa: SIM115 - owned by the process
    env = dict(os.environ, ANXIN_DATABASE_URL=database_url, ANXIN_SECRET_KEY="test-secret-key-0123456789abcdef")
    process = subprocess.Popen([sys.executable, "-m", "anxin", "portal", "--data-dir", str(data_dir), "--port", port],
                               stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    try:
        wait_healthy(url, process)
    except BaseException:
        process.kill()  # a portal that never answered must not outlive its test (and its dropped database)
        process.wait()
        raise
    return process


@pytest.fixture
def live_portal(database_url: str, tmp_path: Path) -> Iterator[LivePortal]:
    """A seeded portal served by uvicorn in its own process (SQLite and PostgreSQL)."""
    from tests.support.seeding import seed_for_tests

    data_dir = tmp_path / "portal"
    data_dir.mkdir()
    kiosk_token, bridge_token = seed_for_tests(database_url)
    url = f"http://127.0.0.1:{free_port()}"
    portal = LivePortal(url=url, database_url=database_url, data_dir=data_dir, kiosk_token=kiosk_token,
                        bridge_token=bridge_token, process=start_portal_process(url, database_url, data_dir))
    yield portal
    portal.stop()


@pytest.fixture
def portal_wait() -> float:
    """How long tests wait for something asynchronous to show up."""
    return 60.0


def wait_until(predicate, timeout: float = 60.0, interval: float = 0.05):  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until it returns something truthy; return that, or fail the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def chromium():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright (never a downloaded browser).

    Module-scoped: Playwright's sync API keeps an event loop running in the main thread,
    which would break asyncio tests collected after it.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def sign_in(page, url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the portal's login form and land on the board."""
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/board")
