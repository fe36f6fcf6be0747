"""Kiosk test setup: headless Kivy environment (set before kivy is imported) and fixtures."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # so `tests.kiosk.harness` imports under plain `pytest` too
    sys.path.insert(0, str(ROOT))

from tests.kiosk.harness import prepare_kivy_environment  # noqa: E402

prepare_kivy_environment()

import pytest  # noqa: E402

from kiosk.config import KioskConfig  # noqa: E402
from tests.conftest import LivePortal, free_port, start_portal_process  # noqa: E402
from tests.kiosk.fakes import FakePortal  # noqa: E402
from tests.support.databases import DATABASE_BACKENDS  # noqa: E402

UNREACHABLE_URL = "http://127.0.0.1:9"  # discard port: nothing listens there


@pytest.fixture
def kiosk_config(tmp_path: Path) -> KioskConfig:
    """A fast-ticking kiosk config at 1920x1080 with its files in ``tmp_path``."""
    return KioskConfig(
        portal_url=UNREACHABLE_URL,
        token="kiosk-test-token",
        site_name="幸福社区",
        place="社区中心大厅",
        duty_phone="010-6512 3456",
        outbox_path=tmp_path / "outbox.sqlite3",
        poll_interval_s=0.2,
        site_poll_interval_s=0.3,
        offline_after_s=1.5,
        tap_guard_s=0.05,
        voice_models_dir=tmp_path / "no-voice-models",  # no model: voice says it is unavailable
    )


@pytest.fixture
def fake_portal() -> FakePortal:
    """A scriptable in-memory portal client."""
    return FakePortal()


@pytest.fixture
def make_harness(kiosk_config: KioskConfig) -> Iterator[Callable[..., object]]:
    """Factory for KioskHarness instances; all are closed after the test."""
    from tests.kiosk.harness import KioskHarness

    made: list[KioskHarness] = []

    def make(config: KioskConfig | None = None, **kwargs: object) -> KioskHarness:
        harness = KioskHarness(config or kiosk_config, **kwargs)  # type: ignore[arg-type]
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()



@pytest.fixture(scope="module", params=DATABASE_BACKENDS)
def community_portal(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePortal]:
    """One real portal process per test module, seeded with the demo data and the community demo
    (catalog, activities): what ``live_portal`` gives, without paying a portal start per test."""
    from tests.support.community import seed_community_for_tests
    from tests.support.databases import fresh_database_url
    from tests.support.seeding import seed_for_tests

    tmp = tmp_path_factory.mktemp("community-portal")
    with fresh_database_url(request.param, tmp) as url:
        kiosk_token, bridge_token = seed_for_tests(url)
        seed_community_for_tests(url)
        data_dir = tmp / "portal"
        data_dir.mkdir()
        address = f"http://127.0.0.1:{free_port()}"
        portal = LivePortal(url=address, database_url=url, data_dir=data_dir, kiosk_token=kiosk_token,
                            bridge_token=bridge_token, process=start_portal_process(address, url, data_dir))
        try:
            yield portal
        finally:
            portal.stop()


@pytest.fixture
def portal(community_portal: LivePortal) -> LivePortal:
    """The module's live portal, running (a test that stopped it leaves it to be restarted here)."""
    if community_portal.process.poll() is not None:
        community_portal.start()
    return community_portal


@pytest.fixture
def live_config(portal: LivePortal, tmp_path: Path) -> KioskConfig:
    """A kiosk config for the live portal with its own outbox and caches in ``tmp_path``."""
    return KioskConfig(portal_url=portal.url, token=portal.kiosk_token, site_name="幸福里社区", place="社区中心大厅",
                       duty_phone="010-6500 1234", outbox_path=tmp_path / "kiosk-outbox.sqlite3",
                       poll_interval_s=0.3, site_poll_interval_s=1.0, offline_after_s=2.0, tap_guard_s=0.05,
                       greeting_wait_s=30.0,  # the greeting never races the keypad on a loaded machine
                       voice_models_dir=tmp_path / "no-voice-models")
