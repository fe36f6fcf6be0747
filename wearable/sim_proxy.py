"""A local fake of an ESPHome Bluetooth proxy: its native API on a TCP port, fed by simulated bands.

For tests, the benchmark and demos of :mod:`wearable.proxies` without an ESP32. It speaks
ESPHome's native API — plaintext, or Noise-encrypted when given an API key
(:mod:`wearable.sim_framing`) — with the message classes of ``aioesphomeapi`` itself, and
answers what ``aioesphomeapi`` and ``bleak-esphome`` ask of a proxy: hello, login, device
info (a passive proxy with raw advertisements), ping, disconnect, the advertisement
subscription. Advertisements are sent the way the firmware sends them: raw AD structures,
up to 16 per message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Mapping

from aioesphomeapi import api_pb2
from aioesphomeapi.model import BluetoothProxyFeature
from google.protobuf.message import Message

from wearable.sim_framing import NoiseFraming, PlainFraming

logger = logging.getLogger(__name__)

BATCH_SIZE = 16
"""Advertisements per BluetoothLERawAdvertisementsResponse, as in ESPHome's bluetooth_proxy."""
FEATURES = BluetoothProxyFeature.PASSIVE_SCAN | BluetoothProxyFeature.RAW_ADVERTISEMENTS
BASE_UUID_TAIL = "-0000-1000-8000-00805f9b34fb"


def ad_structures(service_data: Mapping[str, bytes], name: str | None = None) -> bytes:
    """Raw advertising data: flags, service data (16-bit UUIDs where possible), local name."""
    out = bytearray(b"\x02\x01\x06")
    for uuid, data in service_data.items():
        if uuid.startswith("0000") and uuid.endswith(BASE_UUID_TAIL):
            entry = b"\x16" + struct.pack("<H", int(uuid[4:8], 16)) + data
        else:
            entry = b"\x21" + bytes.fromhex(uuid.replace("-", ""))[::-1] + data
        out += bytes([len(entry)]) + entry
    if name:
        encoded = name.encode()
        out += bytes([len(encoded) + 1, 0x09]) + encoded
    return bytes(out)


class SimulatedProxy:
    """One fake proxy on ``host:port`` (port 0: a free one); see module docstring."""

    def __init__(self, name: str, *, mac: str, host: str = "127.0.0.1", port: int = 0,
                 flush_interval: float = 0.005, noise_psk: str | None = None) -> None:
        self.name = name
        self.noise_psk = noise_psk
        self.mac = mac.upper()
        self.host = host
        self.port = port
        self.flush_interval = flush_interval
        self.connections = 0
        self.sent = 0
        """Advertisements sent to subscribers."""
        self._server: asyncio.Server | None = None
        self._subscribers: dict[asyncio.StreamWriter, PlainFraming | NoiseFraming] = {}
        self._pending: list[Message] = []
        self._flush: asyncio.TimerHandle | None = None

    async def start(self) -> None:
        """Listen (the chosen port is in ``port`` afterwards)."""
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close every connection and stop listening."""
        if self._flush is not None:
            self._flush.cancel()
        for writer in list(self._subscribers):
            writer.close()
        self._subscribers.clear()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None

    @property
    def subscribed(self) -> int:
        """Clients subscribed to advertisements now."""
        return len(self._subscribers)

    def advertise(self, address: str, rssi: int, data: bytes) -> None:
        """Queue one received advertisement for the subscribers (batched like the firmware)."""
        if not self._subscribers:
            return
        self._pending.append(api_pb2.BluetoothLERawAdvertisement(
            address=int(address.replace(":", ""), 16), rssi=rssi, address_type=0, data=data))
        if len(self._pending) >= BATCH_SIZE:
            self._send_pending()
        elif self._flush is None:
            self._flush = asyncio.get_running_loop().call_later(self.flush_interval, self._send_pending)

    def flush(self) -> None:
        """Send what is queued now (a caller that queues a whole round at once)."""
        if self._pending:
            self._send_pending()

    def _send_pending(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        batch, self._pending = self._pending, []
        for start in range(0, len(batch), BATCH_SIZE):
            message = api_pb2.BluetoothLERawAdvertisementsResponse(advertisements=batch[start:start + BATCH_SIZE])
            shared: bytes | None = None
            for writer, framing in list(self._subscribers.items()):
                if framing.shared:
                    shared = shared or framing.encode(message)
                    writer.write(shared)
                else:
                    writer.write(framing.encode(message))
        self.sent += len(batch) * len(self._subscribers)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        framing = (NoiseFraming(self.noise_psk, name=self.name, mac=self.mac) if self.noise_psk
                   else PlainFraming())
        try:
            while data := await reader.read(4096):
                messages, handshake = framing.feed(data)
                if handshake:
                    writer.write(handshake)
                for message in messages:
                    self._answer(message, writer, framing)
        except Exception as exc:  # a client with the wrong key or framing: drop it, as the firmware does
            logger.info("%s: connection ended: %r", self.name, exc)
        finally:
            self._subscribers.pop(writer, None)
            writer.close()

    def _answer(self, message: Message, writer: asyncio.StreamWriter, framing: PlainFraming | NoiseFraming) -> None:
        reply: Message | None = None
        if isinstance(message, api_pb2.HelloRequest):
            reply = api_pb2.HelloResponse(api_version_major=1, api_version_minor=12, server_info="anxin fake proxy",
                                          name=self.name)
        elif isinstance(message, api_pb2.DeviceInfoRequest):
            reply = api_pb2.DeviceInfoResponse(name=self.name, mac_address=self.mac, bluetooth_mac_address=self.mac,
                                               esphome_version="2025.12.0", model="esp32dev",
                                               bluetooth_proxy_feature_flags=int(FEATURES))
        elif isinstance(message, api_pb2.PingRequest):
            reply = api_pb2.PingResponse()
        elif isinstance(message, api_pb2.DisconnectRequest):
            writer.write(framing.encode(api_pb2.DisconnectResponse()))
            writer.close()
        elif isinstance(message, api_pb2.SubscribeBluetoothLEAdvertisementsRequest):
            self._subscribers[writer] = framing
        elif isinstance(message, api_pb2.UnsubscribeBluetoothLEAdvertisementsRequest):
            self._subscribers.pop(writer, None)
        if reply is not None:
            writer.write(framing.encode(reply))
