"""Wristband status API: bridges report (upsert per wristband), kiosks ask who stands nearby."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Site
from caregiver_portal.bands import service
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.settings import PortalSettings
from tests.portal.conftest import SeededPortal
from tests.support.seeding import TEST_WRISTBANDS, create_test_devices

BAND1, BAND2, BAND3 = TEST_WRISTBANDS


def status(address: str, *, seen_ago_s: float | None = 1.0, rssi: int | None = -60, battery: int | None = 80,
           connected: bool = True) -> dict[str, Any]:
    seen = None if seen_ago_s is None else (datetime.now(UTC) - timedelta(seconds=seen_ago_s)).isoformat()
    return {"address": address, "connected": connected, "last_seen_at": seen, "rssi": rssi,
            "battery_percent": battery}


def report(portal: SeededPortal, bands: list[dict[str, Any]], token: str | None = None) -> dict[str, Any]:
    response = portal.client.post("/api/v1/bands/status", json=bands, headers=portal.device_headers(token))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def nearby(portal: SeededPortal, **params: int) -> list[dict[str, Any]]:
    response = portal.client.get("/api/v1/site/nearby", params=params,
                                 headers=portal.device_headers(portal.kiosk_token))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_reported_band_is_nearby_for_the_kiosk_with_its_resident(seeded_portal: SeededPortal) -> None:
    answer = report(seeded_portal, [status(BAND1, rssi=-58, battery=77)])
    assert answer == {"stored": 1, "stale": 0, "rejected": 0, "unknown_wristbands": [], "rejected_by_kind": {}}
    [band] = nearby(seeded_portal)
    assert band["address"] == BAND1 and band["resident_id"] is not None
    assert (band["rssi"], band["battery_percent"], band["connected"]) == (-58, 77, True)


def test_nearby_lists_strongest_signal_first_and_unknown_rssi_last(seeded_portal: SeededPortal) -> None:
    report(seeded_portal, [status(BAND1, rssi=-80), status(BAND2, rssi=None), status(BAND3, rssi=-45)])
    assert [b["address"] for b in nearby(seeded_portal)] == [BAND3, BAND1, BAND2]
    assert [b["address"] for b in nearby(seeded_portal, limit=1)] == [BAND3]


def test_nearby_leaves_out_bands_not_seen_within_the_window(seeded_portal: SeededPortal) -> None:
    report(seeded_portal, [status(BAND1, seen_ago_s=2), status(BAND2, seen_ago_s=120), status(BAND3, seen_ago_s=None)])
    assert [b["address"] for b in nearby(seeded_portal, within_s=30)] == [BAND1]
    assert {b["address"] for b in nearby(seeded_portal, within_s=600)} == {BAND1, BAND2}


def test_second_report_updates_the_row_and_last_seen_never_goes_back(seeded_portal: SeededPortal) -> None:
    report(seeded_portal, [status(BAND1, seen_ago_s=1, rssi=-70, battery=90)])
    # A restarted bridge that has not heard the band yet: not seen, no RSSI, battery unknown.
    report(seeded_portal, [status(BAND1, seen_ago_s=None, rssi=None, battery=None, connected=False)])
    [band] = nearby(seeded_portal)
    assert (band["connected"], band["rssi"], band["battery_percent"]) == (False, None, 90)
    report(seeded_portal, [status(BAND1, seen_ago_s=500, battery=60)])
    [band] = nearby(seeded_portal)
    assert band["battery_percent"] == 60
    assert datetime.fromisoformat(band["last_seen_at"]) > datetime.now(UTC) - timedelta(seconds=30)


def test_report_from_another_bridge_wins_only_when_it_heard_the_band_later(
    seeded_portal: SeededPortal, portal_settings: PortalSettings
) -> None:
    [other_bridge] = create_test_devices(portal_settings.database_url, count=1, kind="bridge")
    report(seeded_portal, [status(BAND1, seen_ago_s=5, rssi=-70)])
    stale = report(seeded_portal, [status(BAND1, seen_ago_s=20, rssi=-40)], token=other_bridge)
    assert (stale["stored"], stale["stale"]) == (0, 1)
    assert nearby(seeded_portal)[0]["rssi"] == -70
    fresher = report(seeded_portal, [status(BAND1, seen_ago_s=1, rssi=-50)], token=other_bridge)
    assert fresher["stored"] == 1
    assert nearby(seeded_portal)[0]["rssi"] == -50


def test_unknown_and_other_site_bands_are_listed_not_stored(
    seeded_portal: SeededPortal, portal_settings: PortalSettings
) -> None:
    engine = create_db_engine(portal_settings.database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            other = Site(name="另一个社区")
            session.add(other)
            session.flush()
            session.add(Wristband(site_id=other.id, address="F0:00:00:00:00:99", label="别处的手环"))
    finally:
        engine.dispose()
    answer = report(seeded_portal, [status("F0:00:00:00:00:99"), status("AA:BB:CC:DD:EE:FF"), status(BAND1)])
    assert answer["stored"] == 1
    assert answer["unknown_wristbands"] == ["AA:BB:CC:DD:EE:FF", "F0:00:00:00:00:99"]
    assert [b["address"] for b in nearby(seeded_portal)] == [BAND1]


def test_lower_case_address_matches_the_registered_band(seeded_portal: SeededPortal) -> None:
    assert report(seeded_portal, [status(BAND2.lower())])["stored"] == 1
    assert [b["address"] for b in nearby(seeded_portal)] == [BAND2]


def test_last_seen_far_in_the_future_is_rejected_and_near_future_clamped(seeded_portal: SeededPortal) -> None:
    answer = report(seeded_portal, [status(BAND1, seen_ago_s=-3600), status(BAND2, seen_ago_s=-30)])
    assert (answer["stored"], answer["rejected"]) == (1, 1)
    [band] = nearby(seeded_portal)
    assert band["address"] == BAND2
    assert datetime.fromisoformat(band["last_seen_at"]) <= datetime.now(UTC)


def test_only_bridges_report_and_only_kiosks_ask(seeded_portal: SeededPortal) -> None:
    by_kiosk = seeded_portal.client.post("/api/v1/bands/status", json=[status(BAND1)],
                                         headers=seeded_portal.device_headers(seeded_portal.kiosk_token))
    by_bridge = seeded_portal.client.get("/api/v1/site/nearby", headers=seeded_portal.device_headers())
    anonymous = seeded_portal.client.get("/api/v1/site/nearby")
    assert (by_kiosk.status_code, by_bridge.status_code, anonymous.status_code) == (403, 403, 401)


@pytest.mark.parametrize("body", [
    pytest.param([{**status(BAND1), "rssi": 2**40}], id="rssi-beyond-32-bits"),
    pytest.param([{**status(BAND1), "battery_percent": False}], id="battery-false"),
    pytest.param([{**status(BAND1), "battery_percent": "80"}], id="battery-text"),
    pytest.param([{**status(BAND1), "last_seen_at": "2026-11-25T10:00:00"}], id="naive-timestamp"),
    pytest.param([{"address": BAND1}], id="missing-connected"),
    pytest.param([{**status(BAND1), "surprise": 1}], id="unknown-field"),
    pytest.param({"bands": [status(BAND1)]}, id="object-not-list"),
    pytest.param([status(BAND1)] * 2001, id="too-many"),
])
def test_malformed_report_gets_422(seeded_portal: SeededPortal, body: object) -> None:
    response = seeded_portal.client.post("/api/v1/bands/status", json=body, headers=seeded_portal.device_headers())
    assert response.status_code == 422


@pytest.mark.parametrize("params", [
    pytest.param({"within_s": 0}, id="zero-window"),
    pytest.param({"within_s": 3601}, id="window-too-long"),
    pytest.param({"limit": 101}, id="limit-too-big"),
])
def test_nearby_refuses_bad_parameters(seeded_portal: SeededPortal, params: dict[str, int]) -> None:
    response = seeded_portal.client.get("/api/v1/site/nearby", params=params,
                                        headers=seeded_portal.device_headers(seeded_portal.kiosk_token))
    assert response.status_code == 422


def test_impossible_rssi_or_battery_is_counted_per_kind_and_the_other_bands_are_stored(
    seeded_portal: SeededPortal,
) -> None:
    answer = report(seeded_portal, [{**status(BAND1), "rssi": 50}, {**status(BAND2), "battery_percent": 100000},
                                    status(BAND3, battery=64)])
    assert (answer["stored"], answer["rejected"]) == (1, 2)
    assert answer["rejected_by_kind"] == {"battery_percent": 1, "rssi": 1}
    assert [(band["address"], band["battery_percent"]) for band in nearby(seeded_portal)] == [(BAND3, 64)]


def test_first_row_inserted_by_another_bridge_meanwhile_is_kept_when_it_heard_the_band_later(
    seeded_portal: SeededPortal, portal_settings: PortalSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    [other_bridge] = create_test_devices(portal_settings.database_url, count=1, kind="bridge")
    report(seeded_portal, [status(BAND1, seen_ago_s=1, rssi=-50)], token=other_bridge)
    stored_state = service._current_rows
    raced: list[list[int]] = []

    def before_the_other_bridge_committed(session: Session, band_ids: list[int]) -> dict[int, dict[str, Any]]:
        if not raced:  # the first look finds no row: the other bridge's insert commits right after it
            raced.append(band_ids)
            return {}
        return stored_state(session, band_ids)

    monkeypatch.setattr(service, "_current_rows", before_the_other_bridge_committed)
    answer = report(seeded_portal, [status(BAND1, seen_ago_s=20, rssi=-80), status(BAND2, rssi=-70)])
    assert raced and (answer["stored"], answer["stale"]) == (1, 1)
    assert {b["address"]: b["rssi"] for b in nearby(seeded_portal)} == {BAND1: -50, BAND2: -70}
