"""Scenario: the Anxin bridge (wearable.bridge) on bleak's real BlueZ backend forwards an SOS.

Run by ``test_bluez_bridge.py`` in a child process on the private bus. The bridge scans
on hci0, connects the registered virtual wristband, subscribes, and hands what it
decodes to a portal client: a real ``caregiver_portal.client.PortalClient`` when
``--portal-url`` is given (wrapped so the calls are also recorded), else only the
recorder. Prints one JSON object with what the portal client was asked to do.

``--press before-start``: SOS is pressed before the bridge runs, so the bridge first
learns of it from the advertisement mirror. ``--press when-subscribed``: SOS is pressed
once the bridge has subscribed to the event characteristic (a GATT indication).
"""

import argparse
import asyncio
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from band_control import BAND_KEY_HEX, BandControl

from caregiver_portal.client import AlertCreate, ReadingIn
from wearable.bridge import WristbandBridge
from wearable.config import BridgeSettings
from wearable.keys import Enrolment, Scheme
from wearable.uuids import ANXIN_EVENT

ADAPTER = "hci0"
WAIT_S = 15.0
POLL_S = 0.02


class RecordingPortal:
    """The bridge's portal sink: records every call, then passes it on to a real client."""

    def __init__(self, client: Any | None) -> None:
        self.client = client
        self.alerts: list[dict[str, Any]] = []
        self.readings: list[dict[str, Any]] = []
        self.batch_ids: list[str] = []
        self.cancellations: list[str] = []

    def raise_alert(self, alert: AlertCreate) -> str:
        """Record the alert; queue it in the real client's outbox when there is one."""
        event_id = self.client.raise_alert(alert) if self.client else alert.event_id
        self.alerts.append(alert.model_dump(exclude_none=True))
        return event_id

    def post_readings(self, readings: Sequence[ReadingIn]) -> str:
        """Record the readings; queue them in the real client's outbox when there is one."""
        batch_id = self.client.post_readings(readings) if self.client else f"batch-{len(self.batch_ids)}"
        self.readings.extend(reading.model_dump() for reading in readings)
        self.batch_ids.append(batch_id)
        return batch_id

    def cancel_alert(self, event_id: str, *, reason: str = "") -> str:
        """Record the cancellation; queue it in the real client's outbox when there is one."""
        cancel_id = self.client.cancel_alert(event_id, reason=reason) if self.client else f"cancel-{event_id}"
        self.cancellations.append(event_id)
        return cancel_id


async def wait_for(predicate: Any, what: str, timeout: float = WAIT_S) -> None:
    """Poll ``predicate`` on the event loop until true; raise TimeoutError naming ``what``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(POLL_S)


async def scenario(args: argparse.Namespace, portal: RecordingPortal) -> dict:
    """Run the bridge against the band, press SOS, wait for the alert and readings."""
    band_address = args.band.upper()
    # Default backends (bleak's BlueZ backend on Linux); only the adapter is pinned.
    settings = BridgeSettings(adapter=ADAPTER, batch_interval=0.3, fall_cancel_window=0, connect_timeout=20.0)
    bridge = WristbandBridge(portal, [Enrolment(band_address, Scheme.ANXIN, bytes.fromhex(BAND_KEY_HEX))], settings)
    async with BandControl() as band:
        pressed = await band.press_sos() if args.press == "before-start" else None
        async with bridge:
            await wait_for(lambda: bridge.is_connected(band_address), "the bridge to connect the band")
            await band.wait_subscribed(ANXIN_EVENT, WAIT_S)
            if pressed is None:
                pressed = await band.press_sos()
            await wait_for(lambda: any(a["kind"] == "sos" for a in portal.alerts), "an SOS alert")
            await wait_for(
                lambda: {"heart_rate", "battery"} <= {r["kind"] for r in portal.readings},
                "heart-rate and battery readings",
            )
            if args.press == "before-start":
                # The band re-sends the SOS it could not indicate; the bridge must drop it.
                await wait_for(lambda: bridge.stats(band_address).duplicates >= 1, "the re-sent SOS")
            confirmed = await band.confirmed()
        stats = bridge.stats(band_address)
    return {
        "pressed": pressed,
        "confirmed": confirmed,
        "alerts": [_public(a) for a in portal.alerts],
        "reading_kinds": sorted({r["kind"] for r in portal.readings}),
        "reading_wristbands": sorted({r["wristband"] for r in portal.readings}),
        "batch_ids": portal.batch_ids,
        "cancellations": portal.cancellations,
        "stats": {"duplicates": stats.duplicates, "malformed": stats.malformed, "alerts": stats.alerts,
                  "refused": dict(stats.refused)},
    }


def _public(alert: dict[str, Any]) -> dict[str, Any]:
    """The alert as JSON (drops the band clock, which is wall-clock time)."""
    details = {k: v for k, v in alert.get("details", {}).items() if k != "band_clock"}
    occurred_at = alert.get("occurred_at")
    return {"kind": alert["kind"], "wristband": alert["wristband"], "event_id": alert["event_id"], "details": details,
            "occurred_at": occurred_at.isoformat() if occurred_at else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--band", required=True, help="address of the registered wristband")
    parser.add_argument("--press", choices=("before-start", "when-subscribed"), required=True)
    parser.add_argument("--portal-url", help="forward to a real portal at this URL")
    parser.add_argument("--token", help="bridge device token for the portal")
    parser.add_argument("--outbox", type=Path, help="outbox file of the portal client")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)

    client = None
    if args.portal_url:
        from caregiver_portal.client import PortalClient

        client = PortalClient(args.portal_url, args.token, args.outbox)
        client.start()
    portal = RecordingPortal(client)
    try:
        result = asyncio.run(scenario(args, portal))
        if client is not None:
            ids = [a["event_id"] for a in portal.alerts] + portal.batch_ids
            result["delivered"] = {i: client.wait_delivered(i, timeout=WAIT_S) is not None for i in ids}
    finally:
        if client is not None:
            client.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
