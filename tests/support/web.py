"""Browser-test helpers for the portal's pages: a live portal shared by a test module, signed-in pages
on phone and desktop viewports, CSP watching, screenshots and an axe-core accessibility check."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import LivePortal, free_port, start_portal_process
from tests.support.community import seed_community_for_tests
from tests.support.databases import DATABASE_BACKENDS, fresh_database_url
from tests.support.seeding import seed_for_tests

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = Path(__file__).with_name("axe.min.js")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]


def shared_live_portal() -> Callable[..., Iterator[LivePortal]]:
    """A module-scoped fixture: one seeded portal process (with community data) per database backend.

    Use as ``web_portal = shared_live_portal()`` at module level; tests in the module share its data.
    """

    @pytest.fixture(scope="module", params=DATABASE_BACKENDS)
    def web_portal(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePortal]:
        tmp_path = tmp_path_factory.mktemp("web")
        with fresh_database_url(request.param, tmp_path) as database_url:
            kiosk_token, bridge_token = seed_for_tests(database_url)
            seed_community_for_tests(database_url)
            data_dir = tmp_path / "portal"
            data_dir.mkdir()
            url = f"http://127.0.0.1:{free_port()}"
            portal = LivePortal(url=url, database_url=database_url, data_dir=data_dir, kiosk_token=kiosk_token,
                                bridge_token=bridge_token, process=start_portal_process(url, database_url, data_dir))
            try:
                yield portal
            finally:
                portal.stop()

    return web_portal


class CspWatch:
    """Collects Content-Security-Policy violations reported on a page's console."""

    def __init__(self, page: Any) -> None:
        self.violations: list[str] = []
        page.on("console", self._on_console)

    def _on_console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)


def open_page(chromium: Any, portal: LivePortal, username: str, password: str, viewport: dict[str, int]) -> Any:
    """A fresh browser context signed in as ``username``; the page has ``page.csp`` (a :class:`CspWatch`)."""
    context = chromium.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp = CspWatch(page)
    page.goto(f"{portal.url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{portal.url}/board")
    return page


def shoot(page: Any, portal: LivePortal, name: str) -> None:
    """Render a full-page screenshot; with ``ANXIN_UPDATE_SCREENSHOTS=1`` (SQLite run only) save it as
    docs/screenshots/portal-<name>.png, so a normal test run never rewrites the tracked pictures."""
    if os.environ.get("ANXIN_UPDATE_SCREENSHOTS") != "1" or not portal.database_url.startswith("sqlite"):
        page.screenshot(full_page=True)
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)


def device_api(portal: LivePortal, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> Any:
    """Call the device API as the demo kiosk (or with ``token``); returns the ``requests`` response."""
    headers = {"Authorization": f"Bearer {token or portal.kiosk_token}"}
    return requests.request(method, f"{portal.url}/api/v1{path}", headers=headers, timeout=10, **kwargs)


def post_form(page: Any, portal: LivePortal, path: str, form: dict[str, str]) -> Any:
    """POST a form with the page's session and CSRF token (for set-up steps that are not under test)."""
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    return page.request.post(f"{portal.url}{path}", form={"csrf_token": token, **form})


def serious_accessibility_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the current page (rule id, impact, first targets)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                           ".map(v => ({id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3)"
                           ".map(n => n.target.join(' '))}))")
    return [f"{v['id']} ({v['impact']}): {', '.join(v['targets'])}" for v in result
            if v["impact"] in ("serious", "critical")]
