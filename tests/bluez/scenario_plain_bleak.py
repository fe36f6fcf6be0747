"""Scenario: plain bleak on hci0 (real BlueZ backend) talks to the virtual wristband.

Run by ``test_bluez_backend.py`` in a child process whose ``DBUS_SYSTEM_BUS_ADDRESS``
points at the private bus, because bleak must see that variable before it is imported.
Prints one JSON object with what it observed; logs go to stderr.
"""

import asyncio
import json
import logging
import sys

from band_control import BandControl, open_event
from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData

from wearable.gatt import parse_battery_level, parse_heart_rate_measurement
from wearable.uuids import ANXIN_EVENT, ANXIN_SERVICE, BATTERY_LEVEL, HEART_RATE_MEASUREMENT

ADAPTER = {"adapter": "hci0"}
SCAN_TIMEOUT_S = 10.0
WAIT_S = 5.0
HEART_RATES_WANTED = 3


async def find_band() -> BLEDevice | None:
    """Scan on hci0 until a device advertises the Anxin service.

    The callback goes to the constructor, so it is in place before discovery starts:
    BlueZoo reports a device once (InterfacesAdded) and never again (no RSSI updates),
    and ``BleakScanner.find_device_by_filter`` / ``advertisement_data()`` subscribe only
    after discovery has started, so they can miss that single report.
    """
    found: asyncio.Future[BLEDevice] = asyncio.get_running_loop().create_future()

    def on_advert(device: BLEDevice, adv: AdvertisementData) -> None:
        if ANXIN_SERVICE in adv.service_uuids and not found.done():
            found.set_result(device)

    async with BleakScanner(on_advert, service_uuids=[ANXIN_SERVICE], bluez=ADAPTER):
        try:
            return await asyncio.wait_for(found, SCAN_TIMEOUT_S)
        except TimeoutError:
            return None


async def scenario() -> dict:
    """Scan, connect, read battery, take heart-rate notifications and an SOS indication."""
    device = await find_band()
    if device is None:
        return {"found": False}
    result: dict = {"found": True, "address": device.address, "name": device.name}
    disconnected = asyncio.Event()
    async with BleakClient(device, disconnected_callback=lambda _c: disconnected.set(), bluez=ADAPTER) as client:
        result["battery"] = parse_battery_level(await client.read_gatt_char(BATTERY_LEVEL)).percent

        heart_rates: asyncio.Queue[bytes] = asyncio.Queue()
        await client.start_notify(HEART_RATE_MEASUREMENT, lambda _c, data: heart_rates.put_nowait(bytes(data)))
        result["heart_rates"] = [
            parse_heart_rate_measurement(await asyncio.wait_for(heart_rates.get(), WAIT_S)).bpm
            for _ in range(HEART_RATES_WANTED)
        ]
        await client.stop_notify(HEART_RATE_MEASUREMENT)

        events: asyncio.Queue[bytes] = asyncio.Queue()
        await client.start_notify(ANXIN_EVENT, lambda _c, data: events.put_nowait(bytes(data)))
        async with BandControl() as band:
            await band.wait_subscribed(ANXIN_EVENT, WAIT_S)
            sequence = await band.press_sos()
            event = open_event(device.address, await asyncio.wait_for(events.get(), WAIT_S))
            result["sos"] = {"kind": event.kind.slug, "sequence": event.sequence, "pressed": sequence}
            result["confirmed"] = await band.wait_confirmed(sequence, WAIT_S)
    await asyncio.wait_for(disconnected.wait(), WAIT_S)
    result["disconnected"] = True
    return result


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    print(json.dumps(asyncio.run(scenario())))


if __name__ == "__main__":
    main()
