"""End to end: a spoofed and a replayed SOS are dropped and counted while the genuine press is delivered.

The real bridge (bleak's API on the simulated backend for the centre's adapter, bleak-esphome /
habluetooth against a fake ESPHome proxy for a home) with an attacker who has recorded the
band's SOS frame and has no key. What the portal client gets is recorded.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest

from tests.wearable.fakes import RecordingPortal, bridge_with_proxies, wait_until
from wearable.bridge import WristbandBridge
from wearable.config import BridgeSettings
from wearable.simulator import SimulatedWorld, simulated_address

BAND = simulated_address(1)
HOME = "王阿姨家"
WAIT_S = 30.0


@pytest.fixture
def world() -> SimulatedWorld:
    w = SimulatedWorld(1, reading_interval=0.05, advertise_interval=0.02, connect_latency=0.005)
    w.add_proxy(HOME)
    return w


@pytest.fixture
async def bridge(world: SimulatedWorld, portal: RecordingPortal,
                 fast_settings: BridgeSettings) -> AsyncIterator[WristbandBridge]:
    async with bridge_with_proxies(portal, world, dataclasses.replace(fast_settings, fall_cancel_window=0)) as bridge:
        yield bridge


def reported_suspicious(portal: RecordingPortal) -> tuple[int, set[str]]:
    """Suspicious frames the status reports carried for the band, and the radios named."""
    reports = [band for report in portal.status_reports for band in report if band["address"] == BAND]
    return sum(b["suspicious"] for b in reports), {b["suspicious_radio"] for b in reports if b["suspicious"]}


@pytest.mark.parametrize("attacker_at", [pytest.param(None, id="attacker-at-the-centre"),
                                         pytest.param(HOME, id="attacker-at-a-home-proxy")])
async def test_spoofed_and_replayed_sos_are_dropped_and_counted_the_genuine_press_delivered(
    bridge: WristbandBridge, world: SimulatedWorld, portal: RecordingPortal, attacker_at: str | None,
    fast_settings: BridgeSettings,
) -> None:
    band = world.band(BAND)
    await band.wait_connected()
    band.press_sos()
    await wait_until(lambda: portal.alerts_of("sos"), WAIT_S, "the genuine SOS")
    recorded = band.last_frame  # what an eavesdropper captured
    band.check_in()  # the band moves on: a newer frame
    await wait_until(lambda: bridge.stats(BAND).check_ins == 1, WAIT_S, "the check-in")
    await asyncio.sleep(fast_settings.reorder_window * 2)

    attacker = world.add_attacker(BAND, location=attacker_at)
    attacker.replay(recorded)
    await wait_until(lambda: bridge.stats(BAND).refused["replayed"] >= 1, WAIT_S, "the replay refused")
    attacker.forge_sos()
    await wait_until(lambda: bridge.stats(BAND).refused["bad_mic"] >= 1, WAIT_S, "the forgery refused")
    attacker.plain_sos()
    await wait_until(lambda: bridge.stats(BAND).refused["plaintext"] >= 1, WAIT_S, "the plain SOS refused")
    attacker.stop()

    [genuine] = portal.alerts_of("sos")
    assert genuine["details"]["authenticated"] is True and genuine["details"]["radio"] == "adapter"
    assert dict(bridge.stats(BAND).refused) == {"replayed": 1, "bad_mic": 1, "plaintext": 1}  # each counted once
    radio = "adapter" if attacker_at is None else f"proxy:{attacker_at}"
    assert bridge.stats(BAND).suspicious_radio == radio
    await wait_until(lambda: reported_suspicious(portal)[0] == 3, WAIT_S, "the suspicious frames reported")
    assert reported_suspicious(portal) == (3, {radio})
    assert len(portal.alerts_of("sos")) == 1


async def test_band_at_home_is_heard_through_the_proxy_with_press_time_and_radio(
    bridge: WristbandBridge, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    band = world.band(BAND)
    band.go_home(HOME)
    band.press_sos()
    await wait_until(lambda: portal.alerts_of("sos"), WAIT_S, "the SOS from home")
    [alert] = portal.alerts_of("sos")
    assert alert["details"]["radio"] == f"proxy:{HOME}" and alert["details"]["via"] == "advertisement"
    assert alert["details"]["authenticated"] is True
    assert alert["occurred_at"].timestamp() == band.last_event.band_clock

    def home_status() -> bool:
        latest = [b for report in portal.status_reports for b in report if b["address"] == BAND]
        return bool(latest) and latest[-1]["radio"] == f"proxy:{HOME}" and latest[-1]["rssi"] is not None

    await wait_until(home_status, WAIT_S, "the band's status heard at home")
