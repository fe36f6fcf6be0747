"""Bought buttons (BTHome v2, Xiaomi MiBeacon) at the centre and at home, and the proxy settings."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import AsyncIterator

import pytest

from tests.wearable.fakes import RecordingPortal, bridge_with_proxies, wait_until
from wearable.bridge import WristbandBridge
from wearable.config import BridgeSettings
from wearable.proxies import ESPHOME_API_PORT, ProxyConfig
from wearable.simulator import SimulatedWorld

HOME = "李大爷家"
WAIT_S = 30.0


@pytest.fixture
def world() -> SimulatedWorld:
    w = SimulatedWorld(0, advertise_interval=0.02, connect_latency=0.005)
    w.add_button(model="bthome")
    w.add_button(model="mibeacon")
    w.add_button(model="bthome", encrypted=False)
    w.add_proxy(HOME)
    return w


@pytest.fixture
async def bridge(world: SimulatedWorld, portal: RecordingPortal,
                 fast_settings: BridgeSettings) -> AsyncIterator[WristbandBridge]:
    async with bridge_with_proxies(portal, world, fast_settings) as bridge:
        yield bridge


@pytest.mark.parametrize("at_home", [pytest.param(False, id="at-the-centre"), pytest.param(True, id="at-home")])
async def test_long_press_is_sos_and_double_press_a_check_in_on_every_bought_button(
    bridge: WristbandBridge, world: SimulatedWorld, portal: RecordingPortal, at_home: bool
) -> None:
    bthome, mibeacon, plain = world.bands.values()
    if at_home:
        for button in (bthome, mibeacon, plain):
            button.go_home(HOME)
    bthome.press_sos()
    mibeacon.press_sos()
    plain.press("press")
    await wait_until(lambda: len(portal.alerts_of("sos")) == 3, WAIT_S, "three SOS alerts")
    by_band = {a["wristband"]: a for a in portal.alerts_of("sos")}
    assert {by_band[b.address]["details"]["device"] for b in (bthome, mibeacon, plain)} == {"bthome", "mibeacon"}
    assert [by_band[b.address]["details"]["authenticated"] for b in (bthome, mibeacon, plain)] == [True, True, False]
    radio = f"proxy:{HOME}" if at_home else "adapter"
    assert {a["details"]["radio"] for a in by_band.values()} == {radio}
    bthome.check_in()
    mibeacon.check_in()
    await wait_until(lambda: bridge.stats(bthome.address).check_ins + bridge.stats(mibeacon.address).check_ins == 2,
                     WAIT_S, "two check-ins")
    assert len(portal.alerts_of("sos")) == 3
    assert bridge.stats(bthome.address).battery_percent == 95
    assert bridge.connected() == frozenset()  # buttons only advertise: no GATT link is tried


async def test_proxy_with_an_encrypted_api_is_heard_with_its_key_and_not_without(
    portal: RecordingPortal, fast_settings: BridgeSettings
) -> None:
    key = base64.b64encode(bytes(range(32))).decode()
    world = SimulatedWorld(0, advertise_interval=0.02)
    button = world.add_button(model="bthome")
    button.go_home(HOME)
    world.add_proxy(HOME, noise_psk=key)
    async with bridge_with_proxies(portal, world, fast_settings):
        button.press_sos()
        await wait_until(lambda: portal.alerts_of("sos"), WAIT_S, "the SOS through the encrypted API")
    assert portal.alerts_of("sos")[0]["details"]["radio"] == f"proxy:{HOME}"

    intruder = SimulatedWorld(0)
    intruder.add_proxy("冒充的代理", noise_psk=base64.b64encode(bytes(32)).decode())
    await intruder.start_proxies()
    wrong_key = dataclasses.replace(intruder.proxy_configs()[0], noise_psk=key)
    bridge = WristbandBridge(portal, [], fast_settings, scanner_backend=intruder.scanner_backend,
                             client_backend=intruder.client_backend, proxies=[wrong_key])
    await bridge.start()
    try:
        await wait_until(lambda: intruder.proxies["冒充的代理"].connections >= 1, WAIT_S, "a connection attempt")
        assert bridge.proxies is not None and bridge.proxies.connected() == []
    finally:
        await bridge.stop()
        await intruder.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("10.8.0.12", ProxyConfig("10.8.0.12", ESPHOME_API_PORT), id="host"),
        pytest.param("王阿姨家=10.8.0.12", ProxyConfig("10.8.0.12", ESPHOME_API_PORT, "王阿姨家"), id="named"),
        pytest.param("home=proxy-1.local:6055#pWk9rA2m1Xv4vTDv8Lu5V0t3Y8c4Z2fN9aQxW7eR6s0=",
                     ProxyConfig("proxy-1.local", 6055, "home", "pWk9rA2m1Xv4vTDv8Lu5V0t3Y8c4Z2fN9aQxW7eR6s0="),
                     id="port-and-key-with-equals-sign"),
    ],
)
def test_proxy_option_parses(text: str, expected: ProxyConfig) -> None:
    parsed = ProxyConfig.parse(text)
    assert (parsed, parsed.noise_psk) == (expected, expected.noise_psk)
    assert parsed.radio == f"proxy:{expected.name or expected.host}"


@pytest.mark.parametrize("text", ["", "home=", "home=10.0.0.1:port"])
def test_proxy_option_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        ProxyConfig.parse(text)
