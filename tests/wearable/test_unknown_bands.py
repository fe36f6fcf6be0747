"""Enrolment by pressing: the bridge tells a press of a band it cannot read yet from its timer frames, and
reports the unregistered bands it hears (what each looks like, its signal, its latest press) to the portal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.wearable.fakes import RecordingPortal, wait_until
from wearable import uuids
from wearable.bridge import WristbandBridge
from wearable.config import BridgeSettings
from wearable.frames import (
    BTHOME_UUID,
    MIBEACON_UUID,
    bthome_button,
    mibeacon_button,
    plain_bthome,
    seal_anxin_event,
    seal_bthome,
    seal_mibeacon,
)
from wearable.simulator import SimulatedWorld, simulated_key
from wearable.unknown import UnknownBands, frame_of, guess_kind, is_press
from wearable.vendor import WristbandEvent, WristbandEventKind

ADDRESS = "F0:00:00:00:00:07"
KEY = simulated_key(ADDRESS)
T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def anxin(kind: WristbandEventKind, counter: int) -> dict[str, bytes]:
    event = WristbandEvent(kind=kind, sequence=counter, band_clock=1_700_000_000, battery_percent=80, worn=True)
    return {BTHOME_UUID: seal_anxin_event(event, address=ADDRESS, key=KEY, counter=counter)}


def bthome(counter: int) -> dict[str, bytes]:
    return {BTHOME_UUID: seal_bthome(bthome_button("press"), address=ADDRESS, key=KEY, counter=counter)}


def mibeacon(counter: int) -> dict[str, bytes]:
    return {MIBEACON_UUID: seal_mibeacon(mibeacon_button("press"), address=ADDRESS, key=KEY, counter=counter)}


STATUS, SOS, FALL = WristbandEventKind.STATUS, WristbandEventKind.SOS, WristbandEventKind.FALL


@pytest.mark.parametrize(("previous", "current", "pressed"), [
    pytest.param(None, anxin(STATUS, 1), False, id="anxin-first-status-frame"),
    pytest.param(anxin(STATUS, 1), anxin(STATUS, 2), False, id="anxin-next-status-frame"),
    pytest.param(anxin(STATUS, 1), anxin(SOS, 2), True, id="anxin-sos-press"),
    pytest.param(anxin(STATUS, 1), anxin(FALL, 2), True, id="anxin-fall-is-an-event-too"),
    pytest.param(anxin(SOS, 2), anxin(SOS, 2), False, id="anxin-same-frame-repeated"),
    pytest.param(None, bthome(5), True, id="bthome-button-advertises-only-when-pressed"),
    pytest.param(bthome(5), bthome(5), False, id="bthome-repeat-of-one-press"),
    pytest.param(bthome(5), bthome(6), True, id="bthome-next-press"),
    pytest.param(None, {BTHOME_UUID: plain_bthome(bthome_button("press"))}, True, id="plain-bthome-press"),
    pytest.param(None, {BTHOME_UUID: plain_bthome(bytes([0x01, 90]))}, False, id="plain-bthome-battery-only"),
    pytest.param(None, mibeacon(3), True, id="mibeacon-press"),
    pytest.param(mibeacon(3), mibeacon(3), False, id="mibeacon-repeat"),
    pytest.param(mibeacon(3), mibeacon(4), True, id="mibeacon-next-press"),
    pytest.param(None, {}, False, id="no-frame"),
])
def test_a_press_is_a_new_event_frame_and_never_a_timer_frame(
    previous: dict[str, bytes] | None, current: dict[str, bytes], pressed: bool
) -> None:
    assert is_press(frame_of(current), frame_of(previous) if previous is not None else None) is pressed


@pytest.mark.parametrize(("service_uuids", "service_data", "kind"), [
    pytest.param([uuids.ANXIN_SERVICE, uuids.HEART_RATE_SERVICE], anxin(STATUS, 1), "anxin", id="anxin-band"),
    pytest.param([], bthome(1), "bthome", id="bthome-button"),
    pytest.param([], mibeacon(1), "mibeacon", id="xiaomi-button"),
    pytest.param([uuids.ITAG_SERVICE], {}, "itag", id="itag"),
    pytest.param([uuids.HEART_RATE_SERVICE], {}, "hrs", id="heart-rate-band"),
    pytest.param(["0000feaa-0000-1000-8000-00805f9b34fb"], {}, None, id="not-a-band"),
])
def test_kind_is_guessed_from_the_advertisement(service_uuids: list[str], service_data: dict[str, bytes],
                                                kind: str | None) -> None:
    assert guess_kind(service_uuids, service_data) == kind


def test_tracker_keeps_the_latest_press_lists_pressed_first_and_forgets_silent_bands() -> None:
    bands = UnknownBands(ttl=timedelta(seconds=30))
    heard = {"name": None, "rssi": -60, "radio": "adapter", "service_uuids": [uuids.ANXIN_SERVICE]}
    bands.observe(ADDRESS, service_data=anxin(STATUS, 1), now=T0, **heard)  # type: ignore[arg-type]
    bands.observe("F0:00:00:00:00:08", service_data=anxin(STATUS, 1), now=T0, **heard)  # type: ignore[arg-type]
    assert bands.changed and [b.pressed_at for b in bands.take(T0)] == [None, None]
    assert not bands.changed
    pressed_at = T0 + timedelta(seconds=5)
    bands.observe("f0:00:00:00:00:08", service_data=anxin(SOS, 2), now=pressed_at, **heard)  # type: ignore[arg-type]
    bands.observe("F0:00:00:00:00:08", service_data=anxin(SOS, 2), now=pressed_at + timedelta(seconds=1),
                  **heard)  # type: ignore[arg-type]
    assert bands.changed
    assert [(b.address, b.pressed_at) for b in bands.take(pressed_at)] == [
        ("F0:00:00:00:00:08", pressed_at), (ADDRESS, None)]
    assert [b.address for b in bands.take(T0 + timedelta(seconds=32))] == ["F0:00:00:00:00:08"]
    bands.forget(["F0:00:00:00:00:08"])
    assert bands.take(T0) == []


async def test_bridge_reports_unregistered_bands_and_the_press_and_the_pairing_press_is_no_alert(
    portal: RecordingPortal, fast_settings: BridgeSettings
) -> None:
    world = SimulatedWorld(2, reading_interval=0.02, advertise_interval=0.02, connect_latency=0.005)
    registered, new = world.addresses
    paired: list[list[str]] = []
    bridge = WristbandBridge(portal, world.enrolments([registered]), fast_settings,
                             scanner_backend=world.scanner_backend, client_backend=world.client_backend,
                             unknown_sink=portal, on_registered=paired.append)
    async with bridge:
        def reported(pressed: bool) -> bool:
            return any(b["address"] == new and (b["pressed_at"] is not None) is pressed
                       for report in portal.unknown_reports for b in report)

        await wait_until(lambda: reported(False), 30, "the new band reported, not pressed")
        assert all(b["address"] != registered for report in portal.unknown_reports for b in report)
        [entry] = [b for b in portal.unknown_reports[-1] if b["address"] == new]
        assert entry["kind"] == "anxin" and entry["radio"] == "adapter" and entry["rssi"] is not None
        world.band(new).press_sos()
        await wait_until(lambda: reported(True), 30, "the press reported")
        assert portal.alerts == []  # a band nobody registered raises nothing
        portal.registered_now = [new]
        await wait_until(lambda: paired == [[new]], 30, "the bridge told the band is registered now")
        bridge.register(world.enrolments([new])[0])  # the portal lists it with its key
        await wait_until(lambda: bridge.stats(new).pairing_presses >= 1, 30, "the pairing press heard with its key")
        world.band(new).press_sos()
        await wait_until(lambda: len(portal.alerts_of("sos")) == 1, 30, "the SOS pressed after pairing")
        assert portal.alerts_of("sos")[0]["wristband"] == new  # and the press that paired it raised nothing
    await world.close()
