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
from tests.kiosk.fakes import FakePortal  # noqa: E402

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
        tap_guard_s=0.15,
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

