"""Fixtures for in-process portal tests (FastAPI TestClient on a real database)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from caregiver_portal.app import create_app
from caregiver_portal.core.settings import PortalSettings
from tests.portal.bot_server import BotServer, bot_server
from tests.portal.escalation_world import World, build_world
from tests.support.seeding import seed_for_tests


@dataclass
class SeededPortal:
    """An in-process portal with demo data and device tokens."""

    client: TestClient
    kiosk_token: str
    bridge_token: str

    def device_headers(self, token: str | None = None) -> dict[str, str]:
        """Authorization header of the demo bridge (or ``token``)."""
        return {"Authorization": f"Bearer {token or self.bridge_token}"}


@pytest.fixture
def portal_settings(database_url: str) -> PortalSettings:
    """Settings for a test portal on ``database_url`` with cheap password hashing."""
    return PortalSettings(database_url=database_url, secret_key="test-secret-key-0123456789abcdef",
                          password_profile="fast", event_poll_interval_s=0.1)


@pytest.fixture
def seeded_portal(portal_settings: PortalSettings) -> Iterator[SeededPortal]:
    """The portal app, seeded, behind a TestClient."""
    kiosk_token, bridge_token = seed_for_tests(portal_settings.database_url)
    with TestClient(create_app(portal_settings)) as client:
        yield SeededPortal(client=client, kiosk_token=kiosk_token, bridge_token=bridge_token)


@pytest.fixture
def bots() -> Iterator[BotServer]:
    """Fake WeCom, DingTalk, Feishu and webhook endpoints on 127.0.0.1."""
    with bot_server() as server:
        yield server


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """The escalation test community (tests/portal/escalation_world.py) on a fresh database."""
    community = build_world(database_url)
    yield community
    community.close()
