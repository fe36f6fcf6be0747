"""A local fake of an ESPHome Bluetooth proxy: its native API on a TCP port, fed by simulated bands.

For tests, the benchmark and demos of :mod:`wearable.proxies` without an ESP32. It speaks
the plaintext framing of ESPHome's native API (``0x00``, varint length, varint message type,
protobuf) with the message classes of ``aioesphomeapi`` itself, and answers what
``aioesphomeapi`` and ``bleak-esphome`` ask of a proxy: hello, login, device info (a passive
proxy with raw advertisements), ping, disconnect, the advertisement subscription. Advertisements
are sent the way the firmware sends them: raw AD structures, up to 16 per message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Mapping

from aioesphomeapi import api_pb2
from aioesphomeapi.core import MESSAGE_TYPE_TO_PROTO
from aioesphomeapi.model import BluetoothProxyFeature
from google.protobuf.message import Message

logger = logging.getLogger(__name__)

PROTO_TO_TYPE = {proto: number for number, proto in MESSAGE_TYPE_TO_PROTO.items()}
BATCH_SIZE = 16
"""Advertisements per BluetoothLERawAdvertisementsResponse, as in ESPHome's bluetooth_proxy."""
FEATURES = BluetoothProxyFeature.PASSIVE_SCAN | BluetoothProxyFeature.RAW_ADVERTISEMENTS
BASE_UUID_TAIL = "-0000-1000-8000-00805f9b34fb"


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _read_varint(data: bytes, offset: int) -> tuple[int, int] | None:
    value = shift = 0
    while offset < len(data):
        byte = data[offset]
        value |= (byte & 0x7F) << shift
        offset += 1
        if not byte & 0x80:
            return value, offset
        shift += 7
    return None


def frame(message: Message) -> bytes:
    """One plaintext frame of the native API."""
    body = message.SerializeToString()
    return b"\x00" + _varint(len(body)) + _varint(PROTO_TO_TYPE[type(message)]) + body


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
                 flush_interval: float = 0.005) -> None:
        self.name = name
        self.mac = mac.upper()
        self.host = host
        self.port = port
        self.flush_interval = flush_interval
        self.connections = 0
        self.sent = 0
        """Advertisements sent to subscribers."""
        self._server: asyncio.Server | None = None
        self._subscribers: set[asyncio.StreamWriter] = set()
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
            chunk = batch[start:start + BATCH_SIZE]
            message = frame(api_pb2.BluetoothLERawAdvertisementsResponse(advertisements=chunk))
            for writer in list(self._subscribers):
                writer.write(message)
        self.sent += len(batch) * len(self._subscribers)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        buffer = b""
        try:
            while data := await reader.read(4096):
                buffer += data
                buffer = self._handle_frames(buffer, writer)
        except (ConnectionError, ValueError) as exc:
            logger.debug("%s: connection ended: %s", self.name, exc)
        finally:
            self._subscribers.discard(writer)
            writer.close()

    def _handle_frames(self, buffer: bytes, writer: asyncio.StreamWriter) -> bytes:
        while buffer:
            if buffer[0] != 0:
                raise ValueError("not a plaintext frame (an encrypted client?)")
            length = _read_varint(buffer, 1)
            kind = _read_varint(buffer, length[1]) if length else None
            if length is None or kind is None or len(buffer) < kind[1] + length[0]:
                return buffer
            body, buffer = buffer[kind[1]:kind[1] + length[0]], buffer[kind[1] + length[0]:]
            message = MESSAGE_TYPE_TO_PROTO[kind[0]]()
            message.ParseFromString(body)
            self._answer(message, writer)
        return buffer

    def _answer(self, message: Message, writer: asyncio.StreamWriter) -> None:
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
            writer.write(frame(api_pb2.DisconnectResponse()))
            writer.close()
        elif isinstance(message, api_pb2.SubscribeBluetoothLEAdvertisementsRequest):
            self._subscribers.add(writer)
        elif isinstance(message, api_pb2.UnsubscribeBluetoothLEAdvertisementsRequest):
            self._subscribers.discard(writer)
        if reply is not None:
            writer.write(frame(reply))
