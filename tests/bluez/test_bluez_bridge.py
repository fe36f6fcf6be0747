"""The Anxin bridge on bleak's real BlueZ backend: virtual band -> bridge -> live portal."""

from pathlib import Path
from typing import Any

import pytest

from caregiver_portal.client import PortalClient
from tests.support.seeding import TEST_WRISTBANDS

from .bluez_sim import HERE, BluezSim, StartBand

SCENARIO_TIMEOUT_S = 45.0


@pytest.fixture
def band_address() -> str:
    """The virtual band takes the address of a wristband the live portal has registered."""
    return TEST_WRISTBANDS[0]


@pytest.mark.parametrize(
    ("press", "mirror_seconds", "via", "duplicates"),
    [
        # Pressed while connected, no advertisement mirror: the SOS can only come as an indication.
        pytest.param("when-subscribed", "0", "gatt", 0, id="sos-indication"),
        # Pressed before the bridge runs: the mirror brings it first; the band's re-sent
        # indication after subscribing is dropped as a duplicate.
        pytest.param("before-start", "30", "advertisement", 1, id="sos-advertisement-mirror"),
    ],
)
def test_bridge_forwards_sos_from_virtual_band_to_live_portal(
    press: str,
    mirror_seconds: str,
    via: str,
    duplicates: int,
    bluez: BluezSim,
    live_portal: Any,  # tests/conftest.py's LivePortal
    start_band: StartBand,
    band_address: str,
    tmp_path: Path,
) -> None:
    start_band("--mirror-seconds", mirror_seconds)

    result = bluez.run_script(
        HERE / "scenario_bridge.py",
        *("--band", band_address, "--press", press),
        *("--portal-url", live_portal.url, "--token", live_portal.bridge_token),
        *("--outbox", str(tmp_path / "bridge-outbox.sqlite3")),
        timeout=SCENARIO_TIMEOUT_S,
    )

    logs = bluez.logs()
    assert len(result["alerts"]) == 1, (result, logs)
    alert = result["alerts"][0]
    assert alert["kind"] == "sos", logs
    assert alert["wristband"] == band_address, logs
    assert alert["details"]["seq"] == result["pressed"] == 1, logs
    assert alert["details"]["via"] == via, logs
    assert alert["details"]["authenticated"] is True and alert["occurred_at"], logs
    assert result["reading_kinds"] == ["battery", "heart_rate"], logs
    assert result["reading_wristbands"] == [band_address], logs
    assert result["confirmed"] == [1], logs
    assert result["cancellations"] == [], logs
    assert result["stats"] == {"duplicates": duplicates, "malformed": 0, "alerts": 1, "refused": {}}, logs
    assert result["delivered"] and all(result["delivered"].values()), (result["delivered"], logs)
    checker = PortalClient(live_portal.url, live_portal.bridge_token, tmp_path / "checker-outbox.sqlite3")
    try:
        stored = checker.get_alert_for_event(alert["event_id"])
    finally:
        checker.close()
    assert stored is not None, logs
    assert (stored["kind"], stored["state"]) == ("sos", "open")
