"""Fixtures of the wearable tests: a recording portal client and fast simulated worlds."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.wearable.fakes import FAST_SETTINGS, RecordingPortal
from wearable.config import BridgeSettings
from wearable.simulator import SimulatedWorld


@pytest.fixture
def portal() -> RecordingPortal:
    return RecordingPortal()


@pytest.fixture
def fast_settings() -> BridgeSettings:
    return FAST_SETTINGS


@pytest.fixture
async def world() -> AsyncIterator[SimulatedWorld]:
    w = SimulatedWorld(3, itag_count=1, reading_interval=0.02, advertise_interval=0.02, connect_latency=0.005)
    yield w
    await w.close()
