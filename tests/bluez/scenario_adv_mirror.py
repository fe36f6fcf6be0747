"""Scenario: bleak's BlueZ scanner on hci0 sees an SOS in the band's advertisement.

No connection: the band mirrors its latest event's encrypted frame as BTHome service data,
so a bridge that is only scanning still learns of an SOS (opened with the band's key).
Prints one JSON object.
"""

import asyncio
import json
import logging
import sys

from band_control import BandControl, open_event
from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData

from wearable.frames import BTHOME_UUID
from wearable.uuids import ANXIN_SERVICE

ADAPTER = {"adapter": "hci0"}
WAIT_S = 10.0


async def scenario() -> dict:
    """Scan; once the band is seen press SOS and wait for the event in its service data."""
    adverts: asyncio.Queue[tuple[BLEDevice, AdvertisementData]] = asyncio.Queue()

    def on_advert(device: BLEDevice, adv: AdvertisementData) -> None:
        adverts.put_nowait((device, adv))

    result: dict = {}
    async with BleakScanner(on_advert, service_uuids=[ANXIN_SERVICE], bluez=ADAPTER):
        _device, first = await asyncio.wait_for(adverts.get(), WAIT_S)
        result["before"] = {uuid: data.hex() for uuid, data in first.service_data.items()}
        async with BandControl() as band:
            pressed = await band.press_sos()
        while True:
            device, adv = await asyncio.wait_for(adverts.get(), WAIT_S)
            if BTHOME_UUID in adv.service_data:
                event = open_event(device.address, adv.service_data[BTHOME_UUID])
                break
    result["after"] = {"kind": event.kind.slug, "sequence": event.sequence, "pressed": pressed}
    return result


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    print(json.dumps(asyncio.run(scenario())))


if __name__ == "__main__":
    main()
