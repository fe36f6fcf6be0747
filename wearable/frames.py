"""What a band or button sends over the air: encrypted frames, encoded on the device side (pure).

Used by the simulated bands, the BlueZ virtual band and tests, so they send exactly the
bytes a real device sends. The bridge never encodes: it opens frames through the maintained
parsers (``bthome-ble``, ``xiaomi-ble``; :mod:`wearable.openers`).

- **BTHome v2** (bthome.io): service data of UUID ``0xFCD2``: an advertisement-info byte,
  the objects (AES-CCM encrypted with a 4-byte MIC when the info byte says so), the 4-byte
  counter and the MIC. Nonce: device address (6) + ``d2 fc`` + info byte + counter.
- **Anxin frame**: a BTHome v2 encrypted frame whose only object is a raw object (``0x54``)
  holding the 10-byte Anxin event record (:mod:`wearable.vendor`). The same bytes go in the
  advertisement and in the Anxin Event characteristic (docs/wristband-protocol.md).
- **MiBeacon v5** (service data of UUID ``0xFE95``): frame control, product id, frame
  counter, reversed MAC, encrypted objects, 3 more counter bytes, MIC; nonce: reversed MAC +
  product id + frame counter + the 3 counter bytes; associated data ``0x11``.
"""

from __future__ import annotations

import struct

from cryptography.hazmat.primitives.ciphers.aead import AESCCM

from wearable.uuids import sig_uuid
from wearable.vendor import WristbandEvent, WristbandEventKind, encode_wristband_event

BTHOME_UUID = sig_uuid(0xFCD2)
MIBEACON_UUID = sig_uuid(0xFE95)
BTHOME_PLAIN_TRIGGER = 0x44
"""Advertisement info: BTHome v2, trigger based (sent on events), not encrypted."""
BTHOME_ENCRYPTED_TRIGGER = 0x45
"""Advertisement info: BTHome v2, trigger based, encrypted."""
BTHOME_ENCRYPTED_INTERVAL = 0x41
"""Advertisement info: BTHome v2, sent on a timer (an Anxin band's status frame), encrypted."""
OBJ_PACKET_ID = 0x00
OBJ_BATTERY = 0x01
OBJ_BUTTON = 0x3A
OBJ_RAW = 0x54
BTHOME_BUTTON_CODES = {"press": 0x01, "double_press": 0x02, "triple_press": 0x03, "long_press": 0x04,
                       "long_double_press": 0x05, "long_triple_press": 0x06}
"""BTHome button event codes (bthome.io, object 0x3A)."""

MIBEACON_V5_FRAME_CONTROL = 0x5958
"""Version 5, object included, MAC included, encrypted, registered and bound."""
XMWXKG01LM = 0x2387
"""Product id of the Xiaomi wireless switch 小米无线开关 (XMWXKG01LM) in xiaomi-ble."""
MIBEACON_GESTURES = {"press": 0x4E0C, "double_press": 0x4E0D, "long_press": 0x4E0E}
"""Objects the XMWXKG01LM sends for its three gestures (no value bytes)."""
MIBEACON_BATTERY = 0x4803
COUNTER = struct.Struct("<I")


def _mac(address: str) -> bytes:
    return bytes.fromhex(address.replace(":", ""))


def bthome_button(gesture: str, *, battery: int | None = None, packet_id: int | None = None) -> bytes:
    """BTHome objects of a button press (in the ascending object order the format asks for)."""
    objects = b""
    if packet_id is not None:
        objects += bytes([OBJ_PACKET_ID, packet_id & 0xFF])
    if battery is not None:
        objects += bytes([OBJ_BATTERY, battery])
    return objects + bytes([OBJ_BUTTON, BTHOME_BUTTON_CODES[gesture]])


def plain_bthome(objects: bytes) -> bytes:
    """An unencrypted BTHome v2 frame (service data of 0xFCD2)."""
    return bytes([BTHOME_PLAIN_TRIGGER]) + objects


def seal_bthome(objects: bytes, *, address: str, key: bytes, counter: int,
                info: int = BTHOME_ENCRYPTED_TRIGGER) -> bytes:
    """An encrypted BTHome v2 frame (service data of 0xFCD2) as a device with ``key`` sends it."""
    count = COUNTER.pack(counter & 0xFFFFFFFF)
    nonce = _mac(address) + b"\xd2\xfc" + bytes([info]) + count
    sealed = AESCCM(key, tag_length=4).encrypt(nonce, objects, None)
    return bytes([info]) + sealed[:-4] + count + sealed[-4:]


def seal_anxin_event(event: WristbandEvent, *, address: str, key: bytes, counter: int) -> bytes:
    """The Anxin frame of one event: the record in a raw object of an encrypted BTHome frame; a status
    frame is sent on a timer, so it does not say "trigger based" (a bridge tells a press from it unread)."""
    record = encode_wristband_event(event)
    info = BTHOME_ENCRYPTED_INTERVAL if event.kind is WristbandEventKind.STATUS else BTHOME_ENCRYPTED_TRIGGER
    return seal_bthome(bytes([OBJ_RAW, len(record)]) + record, address=address, key=key, counter=counter, info=info)


def mibeacon_button(gesture: str, *, battery: int | None = None) -> bytes:
    """MiBeacon objects of a press on an XMWXKG01LM (and its battery, when given)."""
    objects = struct.pack("<HB", MIBEACON_GESTURES[gesture], 0)
    if battery is not None:
        objects += struct.pack("<HBB", MIBEACON_BATTERY, 1, battery)
    return objects


def seal_mibeacon(objects: bytes, *, address: str, key: bytes, counter: int, product_id: int = XMWXKG01LM) -> bytes:
    """An encrypted MiBeacon v5 frame (service data of 0xFE95) with a 32-bit frame counter."""
    mac = _mac(address)
    counter &= 0xFFFFFFFF
    header = struct.pack("<HHB", MIBEACON_V5_FRAME_CONTROL, product_id, counter & 0xFF) + mac[::-1]
    extended = (counter >> 8).to_bytes(3, "little")
    nonce = mac[::-1] + header[2:5] + extended
    sealed = AESCCM(key, tag_length=4).encrypt(nonce, objects, b"\x11")
    return header + sealed[:-4] + extended + sealed[-4:]


def plain_mibeacon(objects: bytes, *, address: str, counter: int, product_id: int = XMWXKG01LM) -> bytes:
    """The same frame unencrypted (what a spoofer without the bind key can send)."""
    control = MIBEACON_V5_FRAME_CONTROL & ~0x0008
    return struct.pack("<HHB", control, product_id, counter & 0xFF) + _mac(address)[::-1] + objects
