"""Remote control for the virtual wristband over its ``org.anxin.VirtualWristband1`` interface.

Connects to the system bus of the environment (the private bus in tests) with dbus-fast.
"""

import asyncio
import time
from types import TracebackType
from typing import Any

from dbus_fast import BusType, Message, MessageType
from dbus_fast.aio import MessageBus

from wearable.gatt import parse_wristband_event
from wearable.openers import BthomeOpener
from wearable.vendor import WristbandEvent

BAND_KEY_HEX = "5f1e3a9c0b7d42e8a61c9f03d2b87e44"
"""The virtual band's key (a test key, never a real device's)."""
BUS_NAME = "org.anxin.VirtualWristband"
PATH = "/org/anxin/band"
INTERFACE = "org.anxin.VirtualWristband1"
POLL_S = 0.02


def open_event(address: str, frame: bytes) -> WristbandEvent:
    """Open an encrypted frame of the virtual band with its key (bthome-ble verifies the MIC)."""
    opened = BthomeOpener(address.upper(), bytes.fromhex(BAND_KEY_HEX)).open(frame, now=0.0)
    if opened is None or opened.record is None:
        raise BandControlError(f"frame {frame.hex()} does not open with the band's key")
    return parse_wristband_event(opened.record)


class BandControlError(RuntimeError):
    """The virtual wristband refused a call or a wait timed out."""


class BandControl:
    """Press buttons on the virtual wristband and watch what its central did."""

    def __init__(self, bus_address: str | None = None) -> None:
        self._bus_address = bus_address
        self._bus: MessageBus | None = None

    async def __aenter__(self) -> "BandControl":
        self._bus = await MessageBus(bus_address=self._bus_address, bus_type=BusType.SYSTEM).connect()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bus is not None:
            self._bus.disconnect()
            self._bus = None

    async def _call(self, interface: str, member: str, signature: str = "", body: list | None = None) -> Any:
        assert self._bus is not None, "use BandControl as an async context manager"
        reply = await self._bus.call(
            Message(
                destination=BUS_NAME,
                path=PATH,
                interface=interface,
                member=member,
                signature=signature,
                body=body or [],
            )
        )
        if reply.message_type == MessageType.ERROR:
            raise BandControlError(f"{member}: {reply.error_name} {reply.body}")
        return reply.body[0] if reply.body else None

    async def _property(self, name: str) -> Any:
        variant = await self._call("org.freedesktop.DBus.Properties", "Get", "ss", [INTERFACE, name])
        return variant.value

    async def press_sos(self) -> int:
        """Press the SOS button; return the event's sequence number."""
        return await self._call(INTERFACE, "PressSos")

    async def send_event(self, kind: int) -> int:
        """Make the band emit an event of ``kind`` (a ``WristbandEventKind`` value)."""
        return await self._call(INTERFACE, "SendEvent", "y", [kind])

    async def set_battery(self, percent: int) -> None:
        """Change the battery level (notified when a central is subscribed)."""
        await self._call(INTERFACE, "SetBattery", "y", [percent])

    async def set_heart_rate(self, bpm: int) -> None:
        """Change the heart rate the band streams."""
        await self._call(INTERFACE, "SetHeartRate", "q", [bpm])

    async def confirmed(self) -> list[int]:
        """Sequence numbers of event indications the central confirmed."""
        return list(await self._property("Confirmed"))

    async def subscribed(self) -> list[str]:
        """UUIDs of characteristics a central has subscribed to."""
        return list(await self._property("Subscribed"))

    async def wait_subscribed(self, uuid: str, timeout: float) -> None:
        """Wait until a central subscribes to the characteristic ``uuid``."""
        await self._wait(lambda: self.subscribed(), lambda v: uuid in v, timeout, f"subscription to {uuid}")

    async def wait_confirmed(self, sequence: int, timeout: float) -> list[int]:
        """Wait until the indication of event ``sequence`` is confirmed; return all confirmed."""
        return await self._wait(self.confirmed, lambda v: sequence in v, timeout, f"confirmation of {sequence}")

    async def _wait(self, read: Any, done: Any, timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while not done(value := await read()):
            if time.monotonic() > deadline:
                raise BandControlError(f"timed out after {timeout} s waiting for {what} (last: {value})")
            await asyncio.sleep(POLL_S)
        return value
