"""The bridge end to end against simulated wristbands, through bleak and bleak-retry-connector."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable

import pytest

from tests.wearable.fakes import RecordingPortal, wait_until
from wearable import uuids
from wearable.bridge import WristbandBridge
from wearable.config import BridgeSettings
from wearable.frames import BTHOME_UUID
from wearable.simulator import SimulatedWorld, simulated_address

BAND1, BAND2, BAND3, ITAG = (simulated_address(i) for i in range(1, 5))

BridgeFactory = Callable[..., WristbandBridge]


@pytest.fixture
async def make_bridge(
    portal: RecordingPortal, world: SimulatedWorld, fast_settings: BridgeSettings
) -> AsyncIterator[BridgeFactory]:
    bridges: list[WristbandBridge] = []

    def factory(wristbands: list[str] | None = None, **overrides: object) -> WristbandBridge:
        settings = dataclasses.replace(fast_settings, **overrides)  # type: ignore[arg-type]
        bridge = WristbandBridge(
            portal, world.enrolments(wristbands if wristbands is not None else [BAND1, BAND2, BAND3, ITAG]),
            settings, scanner_backend=world.scanner_backend, client_backend=world.client_backend,
        )
        bridges.append(bridge)
        return bridge

    yield factory
    for bridge in bridges:
        await bridge.stop()


async def test_sos_press_reaches_portal_once_with_deterministic_event_id(
    make_bridge: BridgeFactory, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    bridge = make_bridge()
    await bridge.start()
    await wait_until(lambda: bridge.is_connected(BAND1), what="band 1 connected")
    await world.band(BAND1).wait_connected()
    world.band(BAND1).press_sos()
    await wait_until(lambda: portal.alerts_of("sos"), what="sos alert")
    event = world.band(BAND1).last_event
    assert event is not None
    [alert] = portal.alerts_of("sos")
    assert alert["wristband"] == BAND1
    assert alert["event_id"] == f"{BAND1}:{event.sequence}:{event.band_clock}"
    assert alert["details"]["seq"] == event.sequence
    assert alert["details"]["authenticated"] is True and alert["details"]["radio"] == "adapter"
    assert alert["occurred_at"].timestamp() == event.band_clock  # the press, on the band's clock
    world.band(BAND1).resend_last_event()  # the same indication again
    await wait_until(lambda: bridge.stats(BAND1).duplicates >= 1, what="duplicate counted")
    await wait_until(lambda: len(portal.readings) > 0, what="readings")
    assert len(portal.alerts_of("sos")) == 1


async def test_readings_are_batched_with_all_kinds(
    make_bridge: BridgeFactory, portal: RecordingPortal
) -> None:
    bridge = make_bridge([BAND1])
    await bridge.start()
    await wait_until(lambda: {r["kind"] for r in portal.readings} >= {"heart_rate", "spo2", "temperature", "battery"},
                     what="all reading kinds")
    assert all(r["wristband"] == BAND1 and r["measured_at"].tzinfo is not None for r in portal.readings)
    assert len(portal.batches) < len(portal.readings)  # batched, not one call per reading
    heart_rates = [r["value"] for r in portal.readings if r["kind"] == "heart_rate"]
    assert all(40 <= v <= 120 for v in heart_rates)


async def test_sos_from_band_without_connection_arrives_through_advertisement(
    make_bridge: BridgeFactory, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    bridge = make_bridge([BAND1, BAND2], max_connections=1)
    await bridge.start()
    await wait_until(lambda: len(bridge.connected()) == 1, what="one connection")
    [connected] = bridge.connected()
    other = BAND2 if connected == BAND1 else BAND1
    world.band(other).press_sos()
    await wait_until(lambda: portal.alerts_of("sos"), what="sos via advertisement")
    [alert] = portal.alerts_of("sos")
    assert alert["wristband"] == other and alert["details"]["via"] == "advertisement"
    assert not bridge.is_connected(other)
    assert len(bridge.connected()) == 1


async def test_fall_is_forwarded_after_cancel_window(
    make_bridge: BridgeFactory, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    bridge = make_bridge([BAND1], fall_cancel_window=0.3)
    await bridge.start()
    await world.band(BAND1).wait_connected()
    world.band(BAND1).fall()
    await wait_until(lambda: bridge.stats(BAND1).notifications > 0, what="fall received")
    assert portal.alerts_of("fall") == []
    await wait_until(lambda: portal.alerts_of("fall"), what="fall forwarded")
    [alert] = portal.alerts_of("fall")
    assert alert["details"]["cancelled"] is False


async def test_fall_cancelled_within_window_is_recorded_then_cancelled(
    make_bridge: BridgeFactory, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    bridge = make_bridge([BAND1], fall_cancel_window=5.0)
    await bridge.start()
    await world.band(BAND1).wait_connected()
    world.band(BAND1).fall()
    world.band(BAND1).cancel_fall()
    await wait_until(lambda: portal.alerts_of("fall"), what="cancelled fall forwarded")
    await wait_until(lambda: portal.cancels, what="cancellation")
    [alert] = portal.alerts_of("fall")
    assert alert["details"]["cancelled"] is True and alert["emergency"] is False
    assert alert["details"]["seq"] == world.band(BAND1).sequence - 1  # the fall, not the cancel
    assert [c["event_id"] for c in portal.cancels] == [alert["event_id"]]


async def test_band_out_of_range_reconnects_and_resends_missed_event(
    make_bridge: BridgeFactory, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    bridge = make_bridge([BAND1])
    await bridge.start()
    band = world.band(BAND1)
    await band.wait_connected()
    band.go_out_of_range()
    await wait_until(lambda: not bridge.is_connected(BAND1), what="link lost")
    band.press_sos()  # not delivered: no link and the bridge hears no advertisement
    band.come_back()
    await wait_until(lambda: portal.alerts_of("sos"), what="sos after reconnect")
    await wait_until(lambda: band.connect_count == 2 and not band.pending, what="reconnected, event re-sent")
    await wait_until(lambda: bridge.stats(BAND1).duplicates + bridge.stats(BAND1).notifications > 3,
                     what="traffic after reconnect")
    assert len(portal.alerts_of("sos")) == 1


async def test_failed_connection_attempts_are_retried_with_backoff(
    make_bridge: BridgeFactory, world: SimulatedWorld
) -> None:
    world.band(BAND1).fail_next_connects(3)
    bridge = make_bridge([BAND1], connect_attempts=1)
    await bridge.start()
    await wait_until(lambda: bridge.is_connected(BAND1), what="connected after failures")
    link = bridge.link(BAND1)
    assert link is not None and link.failures == 3


async def test_max_connections_is_respected(make_bridge: BridgeFactory, world: SimulatedWorld) -> None:
    bridge = make_bridge(max_connections=2)
    await bridge.start()
    await wait_until(lambda: len(bridge.connected()) == 2, what="two connections")
    await wait_until(lambda: sum(b.is_connected for b in world.bands.values()) == 2, what="bands agree")
    assert len(bridge.connected()) == 2


async def test_malformed_notifications_are_counted_and_bridge_keeps_running(
    make_bridge: BridgeFactory, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    bridge = make_bridge([BAND1])
    await bridge.start()
    band = world.band(BAND1)
    await band.wait_connected()
    band.send_garbage()
    band.send_garbage(uuids.ANXIN_EVENT, b"\x01\x99")
    band.send_garbage(uuids.BATTERY_LEVEL, b"\xff")
    await wait_until(lambda: bridge.stats(BAND1).malformed == 3, what="malformed counted")
    band.press_sos()
    await wait_until(lambda: portal.alerts_of("sos"), what="sos after garbage")
    assert bridge.is_connected(BAND1)


async def test_sequence_gap_is_reported(
    make_bridge: BridgeFactory, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    bridge = make_bridge([BAND1])
    await bridge.start()
    band = world.band(BAND1)
    await band.wait_connected()
    band.press_sos()
    band.skip_sequence(2)
    band.press_sos()
    await wait_until(lambda: len(portal.alerts_of("sos")) == 2, what="two sos alerts")
    assert portal.alerts_of("sos")[1]["details"]["missed_events"] == 2
    assert bridge.stats(BAND1).missed_events == 2


async def test_taken_off_band_raises_device_alert_and_stops_heart_rate(
    make_bridge: BridgeFactory, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    bridge = make_bridge([BAND1])
    await bridge.start()
    band = world.band(BAND1)
    await band.wait_connected()
    band.take_off()
    await wait_until(lambda: portal.alerts_of("device"), what="device alert")
    assert portal.alerts_of("device")[0]["details"]["event"] == "off_wrist"
    await wait_until(lambda: len(portal.batches) >= 2, what="a batch after taking off")
    count = len([r for r in portal.readings if r["kind"] == "heart_rate"])
    await wait_until(lambda: len(portal.batches) >= 4, what="more batches")
    assert len([r for r in portal.readings if r["kind"] == "heart_rate"]) == count


async def test_itag_button_press_raises_sos(
    make_bridge: BridgeFactory, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    bridge = make_bridge([ITAG])
    await bridge.start()
    await world.band(ITAG).wait_connected()
    world.band(ITAG).press_sos()
    await wait_until(lambda: portal.alerts_of("sos"), what="itag sos")
    assert portal.alerts_of("sos")[0]["details"]["source"] == "itag"


async def test_nearby_lists_registered_and_unregistered_bands_with_rssi(
    make_bridge: BridgeFactory, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    bridge = make_bridge([BAND1])
    await bridge.start()
    await wait_until(lambda: len(bridge.nearby()) == 4, what="all bands heard")
    nearby = {b.address: b for b in bridge.nearby()}
    assert nearby[BAND1].registered and not nearby[BAND2].registered
    assert all(-100 < b.rssi < 0 for b in nearby.values())
    rssis = [b.rssi for b in bridge.nearby()]
    assert rssis == sorted(rssis, reverse=True)
    world.band(BAND2).go_out_of_range()
    await wait_until(lambda: BAND2 not in {b.address for b in bridge.nearby()}, what="band 2 forgotten")
    world.band(BAND2).press_sos()  # unregistered band: never forwarded
    assert portal.alerts_of("sos") == []


async def test_failed_alert_is_retried_at_next_flush(
    make_bridge: BridgeFactory, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    portal.fail_alerts = 1
    bridge = make_bridge([BAND1])
    await bridge.start()
    await world.band(BAND1).wait_connected()
    world.band(BAND1).press_sos()
    await wait_until(lambda: portal.alerts_of("sos"), what="sos after retry")


async def test_stop_forwards_fall_still_in_cancel_window(
    make_bridge: BridgeFactory, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    bridge = make_bridge([BAND1], fall_cancel_window=60.0)
    await bridge.start()
    await world.band(BAND1).wait_connected()
    world.band(BAND1).fall()
    await wait_until(lambda: bridge.processor.next_deadline() is not None, what="fall pending")
    await bridge.stop()
    assert [a["details"]["cancelled"] for a in portal.alerts_of("fall")] == [False]


async def test_sos_cancelled_on_band_cancels_alert_at_portal(
    make_bridge: BridgeFactory, world: SimulatedWorld, portal: RecordingPortal
) -> None:
    bridge = make_bridge([BAND1])
    await bridge.start()
    band = world.band(BAND1)
    await band.wait_connected()
    band.press_sos()
    band.cancel_sos()
    await wait_until(lambda: portal.cancels, what="cancellation")
    assert [c["event_id"] for c in portal.cancels] == [a["event_id"] for a in portal.alerts_of("sos")]


async def test_band_in_heart_rate_broadcast_mode_gives_readings_only(
    portal: RecordingPortal, world: SimulatedWorld, fast_settings: BridgeSettings
) -> None:
    band = world.add_band(model="hrs")
    bridge = WristbandBridge(portal, world.enrolments([band.address]), fast_settings,
                             scanner_backend=world.scanner_backend, client_backend=world.client_backend)
    await bridge.start()
    try:
        await wait_until(lambda: {"heart_rate", "battery"} <= {r["kind"] for r in portal.readings}, what="readings")
        assert {r["wristband"] for r in portal.readings} == {band.address}
        assert bridge.processor.enrolment(band.address).scheme.value == "hrs"  # type: ignore[union-attr]
        with pytest.raises(ValueError):
            band.press_sos()  # such bands have no way to call for help
    finally:
        await bridge.stop()


def test_simulated_band_advertises_only_its_latest_frame() -> None:
    """An older counter in the advertisement is what a replay looks like (docs/wristband-protocol.md 2.4)."""
    band = SimulatedWorld(1).band(BAND1)
    status = band.service_data()[BTHOME_UUID]  # sealed before any central subscribed
    band.press_sos()
    band.subscribe(uuids.ANXIN_EVENT, lambda _data: None)  # a central arrives: the SOS is re-sent, a new frame
    assert band.counter == 3 and band.service_data()[BTHOME_UUID] == band.last_frame != status
