"""Server-side framing of ESPHome's native API for the fake proxy: plaintext and Noise-encrypted.

Plaintext: ``0x00``, varint length, varint message type, protobuf. Encrypted (``api:
encryption: key:`` in a device's YAML): Noise ``NNpsk0_25519_ChaChaPoly_SHA256`` with the
same prologue and backend ``aioesphomeapi`` uses as the initiator; frames are ``0x01``,
a 2-byte length, then (after the handshake) the encrypted message type, length and
protobuf. The responder side here follows ``aioesphomeapi/_frame_helper/noise.py``: the
client's empty hello, the server hello (protocol, name, MAC), the handshake, then messages.
"""

from __future__ import annotations

from aioesphomeapi._frame_helper.noise_encryption import ESPHOME_NOISE_BACKEND, NOISE_PROTOCOL_NAME
from aioesphomeapi.core import MESSAGE_TYPE_TO_PROTO
from aioesphomeapi.noise import decode_noise_psk
from google.protobuf.message import Message
from noise.connection import NoiseConnection

PROTO_TO_TYPE = {proto: number for number, proto in MESSAGE_TYPE_TO_PROTO.items()}
NOISE_PROLOGUE = b"NoiseAPIInit\x00\x00"


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


def _message(kind: int, body: bytes) -> Message:
    message = MESSAGE_TYPE_TO_PROTO[kind]()
    message.ParseFromString(body)
    return message


def plain_frame(message: Message) -> bytes:
    """One plaintext frame."""
    body = message.SerializeToString()
    return b"\x00" + _varint(len(body)) + _varint(PROTO_TO_TYPE[type(message)]) + body


class PlainFraming:
    """A plaintext connection."""

    shared = True
    """One encoding of a message serves every connection."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, data: bytes) -> tuple[list[Message], bytes]:
        """Messages completed by ``data`` (and bytes to send back: none for plaintext)."""
        self._buffer += data
        messages = []
        while self._buffer:
            if self._buffer[0] != 0:
                raise ValueError("not a plaintext frame (an encrypting client?)")
            length = _read_varint(self._buffer, 1)
            kind = _read_varint(self._buffer, length[1]) if length else None
            if length is None or kind is None or len(self._buffer) < kind[1] + length[0]:
                break
            messages.append(_message(kind[0], self._buffer[kind[1]:kind[1] + length[0]]))
            self._buffer = self._buffer[kind[1] + length[0]:]
        return messages, b""

    def encode(self, message: Message) -> bytes:
        """The frame of a message."""
        return plain_frame(message)


class NoiseFraming:
    """An encrypted connection (the responder of the Noise handshake)."""

    shared = False

    def __init__(self, psk: str, *, name: str, mac: str) -> None:
        self._hello = b"\x01" + name.encode() + b"\x00" + mac.encode() + b"\x00"
        self._buffer = b""
        self._greeted = False
        self._proto = NoiseConnection.from_name(NOISE_PROTOCOL_NAME, backend=ESPHOME_NOISE_BACKEND)
        self._proto.set_as_responder()
        self._proto.set_psks(decode_noise_psk(psk))
        self._proto.set_prologue(NOISE_PROLOGUE)
        self._proto.start_handshake()

    @staticmethod
    def _frame(payload: bytes) -> bytes:
        return bytes((0x01, len(payload) >> 8, len(payload) & 0xFF)) + payload

    def feed(self, data: bytes) -> tuple[list[Message], bytes]:
        """Messages completed by ``data``, and handshake bytes to send back."""
        self._buffer += data
        messages: list[Message] = []
        reply = b""
        while len(self._buffer) >= 3:
            if self._buffer[0] != 0x01:
                raise ValueError("not an encrypted frame (a plaintext client?)")
            size = (self._buffer[1] << 8) | self._buffer[2]
            if len(self._buffer) < 3 + size:
                break
            payload, self._buffer = self._buffer[3:3 + size], self._buffer[3 + size:]
            if not self._greeted:  # the client's hello: answer with ours
                self._greeted = True
                reply += self._frame(self._hello)
            elif not self._proto.handshake_finished:
                self._proto.read_message(payload[1:])  # a wrong key raises: the connection ends
                reply += self._frame(b"\x00" + bytes(self._proto.write_message()))
            else:
                plain = bytes(self._proto.decrypt(payload))
                messages.append(_message((plain[0] << 8) | plain[1], plain[4:]))
        return messages, reply

    def encode(self, message: Message) -> bytes:
        """The encrypted frame of a message."""
        body = message.SerializeToString()
        kind = PROTO_TO_TYPE[type(message)]
        header = bytes((kind >> 8, kind & 0xFF, len(body) >> 8, len(body) & 0xFF))
        return self._frame(bytes(self._proto.encrypt(header + body)))
