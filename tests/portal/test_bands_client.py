"""PortalClient.report_band_status / nearby_bands against a real portal process on loopback."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from caregiver_portal.client import BandStatusIn, PortalClient, PortalUnavailable, RequestRejected
from tests.conftest import LivePortal, free_port
from tests.support.seeding import TEST_WRISTBANDS


def test_bridge_report_with_datetimes_reaches_the_kiosks_nearby_list(live_portal: LivePortal, tmp_path: Path) -> None:
    bridge = PortalClient(live_portal.url, live_portal.bridge_token, tmp_path / "bridge.sqlite3")
    kiosk = PortalClient(live_portal.url, live_portal.kiosk_token, tmp_path / "kiosk.sqlite3")
    try:
        answer = bridge.report_band_status([
            BandStatusIn(address=TEST_WRISTBANDS[0], connected=True, last_seen_at=datetime.now(UTC), rssi=-71,
                         battery_percent=64),
            BandStatusIn(address=TEST_WRISTBANDS[1], connected=False, last_seen_at=None, rssi=None,
                         battery_percent=None),
        ])
        assert answer["stored"] == 2 and bridge.pending_count() == 0  # sent directly, never queued
        [band] = kiosk.nearby_bands(within_s=30)
        assert (band["address"], band["rssi"], band["battery_percent"]) == (TEST_WRISTBANDS[0], -71, 64)
        assert band["resident_id"] is not None
        with pytest.raises(PortalUnavailable):  # 403, retryable for the client: an admin may fix the token
            kiosk.report_band_status([])
        # an RSSI outside -127..20 dBm is counted, not refused (issue 18 point 7: one bad entry never fails a report)
        answer = bridge.report_band_status([BandStatusIn(address=TEST_WRISTBANDS[0], connected=True, rssi=99)])
        assert (answer["stored"], answer["rejected"], answer["rejected_by_kind"]) == (0, 1, {"rssi": 1})
        with pytest.raises(RequestRejected):  # 422 for a body that is not a band status at all: never retried
            bridge.report_band_status([BandStatusIn.model_construct(address="not a band!", connected=True)])
    finally:
        bridge.close()
        kiosk.close()


def test_report_raises_portal_unavailable_when_nothing_listens(tmp_path: Path) -> None:
    client = PortalClient(f"http://127.0.0.1:{free_port()}", "t", tmp_path / "o.sqlite3", timeout_s=1)
    with pytest.raises(PortalUnavailable):
        client.report_band_status([BandStatusIn(address=TEST_WRISTBANDS[0], connected=False)])
    assert client.online is False and client.pending_count() == 0
    client.close()


def test_bridge_fetches_its_sites_bands_and_keys(live_portal: LivePortal, tmp_path: Path) -> None:
    bridge = PortalClient(live_portal.url, live_portal.bridge_token, tmp_path / "bridge.sqlite3")
    kiosk = PortalClient(live_portal.url, live_portal.kiosk_token, tmp_path / "kiosk.sqlite3")
    try:
        bands = bridge.band_keys()
        assert {b["address"] for b in bands} == set(TEST_WRISTBANDS)
        assert all(b["scheme"] == "anxin" and b["key"] is None for b in bands)  # seeded without keys
        assert bridge.pending_count() == 0  # read directly, never queued
        with pytest.raises(PortalUnavailable):  # 403 for a kiosk token (retryable for the client)
            kiosk.band_keys()
    finally:
        bridge.close()
        kiosk.close()
