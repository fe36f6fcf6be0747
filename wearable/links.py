"""One GATT link per registered band: connect, subscribe, wait for loss, back off, reconnect."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError
from bleak_retry_connector import establish_connection

from wearable import uuids
from wearable.config import BridgeSettings, backoff_delay
from wearable.events import Advert, EventProcessor, Notification

logger = logging.getLogger(__name__)

LINK_ERRORS = (BleakError, TimeoutError, OSError, EOFError)


class BandLink:
    """Keeps one band connected while it is in range, within the bridge's connection slots."""

    def __init__(
        self,
        address: str,
        *,
        settings: BridgeSettings,
        queue: asyncio.Queue[Notification | Advert],
        slots: asyncio.Semaphore,
        wait_for_device: Callable[[str], Awaitable[BLEDevice]],
        client_backend: type[BaseBleakClient] | None = None,
    ) -> None:
        self.address = address
        self.settings = settings
        self.queue = queue
        self.slots = slots
        self.wait_for_device = wait_for_device
        self.client_backend = client_backend
        self.connected = False
        self.connections = 0
        self.failures = 0
        self._rng = random.Random(address)

    async def run(self) -> None:
        """Connect / reconnect forever (cancel to stop)."""
        while True:
            device = await self.wait_for_device(self.address)
            async with self.slots:
                started = time.monotonic()
                try:
                    await self._session(device)
                except LINK_ERRORS as exc:
                    logger.warning("%s: connection failed: %s", self.address, exc)
                lasted = time.monotonic() - started
            self.failures = 0 if lasted >= self.settings.stable_after else self.failures + 1
            delay = backoff_delay(
                self.failures,
                initial=self.settings.reconnect_initial,
                maximum=self.settings.reconnect_max,
                jitter=self._rng.random(),
            )
            if delay:
                logger.info("%s: reconnecting in %.1f s (failure %d)", self.address, delay, self.failures)
                await asyncio.sleep(delay)

    async def _session(self, device: BLEDevice) -> None:
        lost = asyncio.Event()
        kwargs: dict[str, Any] = {} if self.client_backend is None else {"backend": self.client_backend}
        if self.settings.adapter:
            kwargs["bluez"] = {"adapter": self.settings.adapter}
        async with asyncio.timeout(self.settings.connect_timeout):
            client = await establish_connection(
                BleakClient,
                device,
                device.name or self.address,
                disconnected_callback=lambda _client: lost.set(),
                max_attempts=self.settings.connect_attempts,
                **kwargs,
            )
        try:
            subscribed = await self._subscribe_all(client)
            self.connected = True
            self.connections += 1
            logger.info("%s: connected, %d characteristic(s) subscribed", self.address, subscribed)
            await self._read_battery(client)
            await lost.wait()
            logger.info("%s: connection lost", self.address)
        finally:
            self.connected = False
            if client.is_connected:
                await client.disconnect()

    async def _subscribe_all(self, client: BleakClient) -> int:
        count = 0
        for service in client.services:
            for char in service.characteristics:
                if EventProcessor.handles(char.uuid) and {"notify", "indicate"} & set(char.properties):
                    await client.start_notify(char, self._enqueue)
                    count += 1
        return count

    def _enqueue(self, char: BleakGATTCharacteristic, data: bytearray) -> None:
        # The BLE callback only enqueues; the forwarder decodes and talks to the portal.
        self.queue.put_nowait(Notification(self.address, char.uuid, bytes(data), datetime.now(UTC)))

    async def _read_battery(self, client: BleakClient) -> None:
        char = client.services.get_characteristic(uuids.BATTERY_LEVEL)
        if char is None or "read" not in char.properties:
            return
        try:
            data = await client.read_gatt_char(char)
        except LINK_ERRORS as exc:
            logger.debug("%s: battery read failed: %s", self.address, exc)
            return
        self._enqueue(char, data)
