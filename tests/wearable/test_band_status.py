"""Band status reports (connected, last seen, RSSI, battery) from the bridge to the portal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from caregiver_portal.client import PortalUnavailable
from tests.wearable.fakes import RecordingPortal, wait_until
from wearable.bridge import WristbandBridge
from wearable.config import BridgeSettings
from wearable.simulator import SimulatedWorld, simulated_address
from wearable.status import MAX_BANDS_PER_REPORT, BandStatus, StatusReporter

BAND1, BAND2 = simulated_address(1), simulated_address(2)


@pytest.fixture
async def bridge(
    portal: RecordingPortal, world: SimulatedWorld, fast_settings: BridgeSettings
) -> AsyncIterator[WristbandBridge]:
    bridge = WristbandBridge(portal, world.enrolments([BAND1, BAND2]), fast_settings,
                             scanner_backend=world.scanner_backend,
                             client_backend=world.client_backend, status_sink=portal)
    await bridge.start()
    yield bridge
    await bridge.stop()


def latest(portal: RecordingPortal, address: str) -> dict[str, Any] | None:
    for report in reversed(portal.status_reports):
        for band in report:
            if band["address"] == address:
                return band
    return None


async def test_connected_band_is_reported_with_rssi_battery_and_last_seen(
    bridge: WristbandBridge, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    await world.band(BAND1).wait_connected()

    def complete() -> bool:
        band = latest(portal, BAND1)
        return bool(band and band["connected"] and band["battery_percent"] is not None)

    await wait_until(complete, what="complete status of band 1")
    band = latest(portal, BAND1)
    assert band is not None
    assert -127 <= band["rssi"] <= 0 and band["last_seen_at"].tzinfo is not None
    assert 80 <= band["battery_percent"] <= 90  # the simulated band starts at 90 % and drains slowly
    assert {b["address"] for b in portal.status_reports[-1]} == {BAND1, BAND2}  # every registered band


async def test_band_out_of_range_is_reported_disconnected_without_rssi(
    bridge: WristbandBridge, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    await world.band(BAND1).wait_connected()
    await wait_until(lambda: bool((latest(portal, BAND1) or {}).get("connected")), what="band 1 connected")
    world.band(BAND1).go_out_of_range()

    def gone() -> bool:
        band = latest(portal, BAND1)
        return bool(band and not band["connected"] and band["rssi"] is None)

    await wait_until(gone, what="band 1 reported gone")
    assert latest(portal, BAND1)["last_seen_at"] is not None  # type: ignore[index]  # when it was last heard


async def test_reports_are_skipped_while_the_portal_is_down_and_resume(
    bridge: WristbandBridge, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    assert bridge.reporter is not None
    portal.fail_status = PortalUnavailable("connection refused")
    await wait_until(lambda: bridge.reporter.skipped >= 3, what="skipped reports")  # type: ignore[union-attr]
    assert portal.status_reports == []
    portal.fail_status = None
    await wait_until(lambda: len(portal.status_reports) >= 2, what="reports again")


def test_bridge_without_status_sink_has_no_reporter(portal: RecordingPortal, fast_settings: BridgeSettings) -> None:
    assert WristbandBridge(portal, [BAND1], fast_settings).reporter is None


async def test_a_large_bridge_reports_in_requests_the_portal_accepts(portal: RecordingPortal) -> None:
    statuses = [BandStatus(f"F0:00:00:00:{i // 256:02X}:{i % 256:02X}", False, None, None, None) for i in range(2500)]
    reporter = StatusReporter(portal, lambda: statuses, interval=10.0)
    assert await reporter.report_once()
    assert [len(r) for r in portal.status_reports] == [MAX_BANDS_PER_REPORT, MAX_BANDS_PER_REPORT, 500]
    assert MAX_BANDS_PER_REPORT <= 2000  # the portal's limit (caregiver_portal.bands.schemas)
