"""Opening frames with the maintained parsers: the libraries' own test vectors, our encoders, refusals.

Captured payloads are copied from the test suites of ``bthome-ble`` (tests/test_parser_v2.py,
tests/test_v2_encryption.py) and ``xiaomi-ble`` (tests/test_parser.py) with their bind keys.
"""

from __future__ import annotations

import pytest

from tests.wearable.bands import BAND, KEY, T0, SealingBand, advert, indication
from wearable.decoders import BandDecoder, Refusal
from wearable.frames import (
    BTHOME_UUID,
    MIBEACON_UUID,
    bthome_button,
    mibeacon_button,
    plain_bthome,
    plain_mibeacon,
    seal_bthome,
    seal_mibeacon,
)
from wearable.keys import Enrolment, InvalidKey, Scheme, parse_key
from wearable.model import EventKind
from wearable.openers import BthomeOpener, Header, MibeaconOpener, Opened
from wearable.vendor import WristbandEventKind

# bthome-ble tests/test_parser_v2.py::test_encrypted_shelly_blu_button_event
SHELLY_ADDRESS = "B4:35:22:F5:3D:A4"
SHELLY_KEY = bytes.fromhex("90bffd73cb6b26ef58a7a8eba9232036")
SHELLY_PRESS = bytes.fromhex("450aeb84467f85ba010000318878" "8c")
# bthome-ble tests/test_parser_v2.py::test_bindkey_correct (Shelly BLU H&T) and test_v2_encryption.py example 1
HT_ADDRESS = "54:48:E6:8F:80:A5"
HT_KEY = bytes.fromhex("231d39c1d7cc1ab1aee224cd096db932")
HT_FRAME = bytes.fromhex("41a47266c95f730011223378237214")
# bthome-ble tests/test_parser_v2.py::test_encryption_downgrade_fails (plain BTHome v2)
PLAIN_FRAME = bytes.fromhex("4004138a01")
# xiaomi-ble tests/test_parser.py::test_Xiaomi_XMWXKG01LM_press (小米无线开关)
MI_ADDRESS = "18:C2:3C:24:37:05"
MI_KEY = bytes.fromhex("7202a2d4201bbf82ea5bb3705657c32a")
MI_PRESS = b"XY\x87#5\x057$<\xc2\x18\xd6w\x94\x02\x00\x00\xcb-\xe3\t"
# xiaomi-ble tests/test_parser.py::test_Xiaomi_KS1_double_press (quadruple switch, left button)
KS1_ADDRESS = "A4:C1:38:A1:FE:E6"
KS1_KEY = bytes.fromhex("8bdff7d0f70fa7f5c68f42157b5fd65b")
KS1_DOUBLE = bytes.fromhex("5859613ab4e6fea138c1a45905b5b90900006b8211cd")


@pytest.mark.parametrize(
    ("opener", "frame", "header", "opened"),
    [
        pytest.param(BthomeOpener(SHELLY_ADDRESS, SHELLY_KEY), SHELLY_PRESS, Header(True, 442),
                     Opened(("press",), 100), id="shelly-blu-button-encrypted"),
        pytest.param(BthomeOpener(HT_ADDRESS, HT_KEY), HT_FRAME, Header(True, 0x33221100), Opened(), id="bthome-ht"),
        pytest.param(BthomeOpener(HT_ADDRESS, None), PLAIN_FRAME, Header(False, None), Opened(), id="bthome-plain"),
        pytest.param(MibeaconOpener(MI_ADDRESS, MI_KEY), MI_PRESS, Header(True, 0x0235),
                     Opened(("press",)), id="xiaomi-xmwxkg01lm"),
        pytest.param(MibeaconOpener(KS1_ADDRESS, KS1_KEY), KS1_DOUBLE, Header(True, 0x09B4),
                     Opened(("double_press",)), id="xiaomi-ks1"),
    ],
)
def test_library_vectors_open(opener: BthomeOpener | MibeaconOpener, frame: bytes, header: Header,
                              opened: Opened) -> None:
    assert opener.header(frame) == header
    assert opener.open(frame, now=1.0) == opened


@pytest.mark.parametrize(
    ("opener", "frame"),
    [
        pytest.param(BthomeOpener(SHELLY_ADDRESS, KEY), SHELLY_PRESS, id="bthome-wrong-key"),
        pytest.param(BthomeOpener(SHELLY_ADDRESS, SHELLY_KEY), SHELLY_PRESS[:-1] + b"\x00", id="bthome-bad-mic"),
        pytest.param(BthomeOpener("B4:35:22:F5:3D:A5", SHELLY_KEY), SHELLY_PRESS, id="bthome-other-address"),
        pytest.param(MibeaconOpener(MI_ADDRESS, KEY), MI_PRESS, id="mibeacon-wrong-key"),
        pytest.param(MibeaconOpener(MI_ADDRESS, MI_KEY), MI_PRESS[:-1] + b"\x00", id="mibeacon-bad-mic"),
    ],
)
def test_frames_that_do_not_verify_do_not_open(opener: BthomeOpener | MibeaconOpener, frame: bytes) -> None:
    assert opener.open(frame, now=1.0) is None


def test_our_bthome_encoder_reproduces_the_bthome_example() -> None:
    # bthome-ble tests/test_v2_encryption.py::test_encryption_example_1 (service data after the UUID)
    sealed = seal_bthome(bytes.fromhex("02CA0903BF13"), address=HT_ADDRESS, key=HT_KEY, counter=0x33221100, info=0x41)
    assert sealed == HT_FRAME


@pytest.mark.parametrize("gesture", ["press", "double_press", "long_press"])
def test_our_encoders_open_with_the_libraries(gesture: str) -> None:
    bthome = seal_bthome(bthome_button(gesture, battery=64, packet_id=9), address=BAND, key=KEY, counter=77)
    assert BthomeOpener(BAND, KEY).open(bthome, now=1.0) == Opened((gesture,), 64)
    mibeacon = seal_mibeacon(mibeacon_button(gesture, battery=64), address=BAND, key=KEY, counter=0x01020304)
    assert MibeaconOpener(BAND, KEY).header(mibeacon) == Header(True, 0x01020304)
    assert MibeaconOpener(BAND, KEY).open(mibeacon, now=1.0) == Opened((gesture,), 64)


def test_anxin_frame_fits_a_legacy_advertisement() -> None:
    frame = SealingBand().frame(WristbandEventKind.SOS, 1)
    assert 3 + 4 + len(frame) <= 31  # flags AD + service data AD header (length, type, 16-bit UUID) + frame


@pytest.mark.parametrize(
    ("text", "key"),
    [
        pytest.param("90bffd73cb6b26ef58a7a8eba9232036", SHELLY_KEY, id="plain"),
        pytest.param("90:BF:FD:73:CB:6B:26:EF:58:A7:A8:EB:A9:23:20:36", SHELLY_KEY, id="colons"),
        pytest.param(" 90bf fd73 cb6b 26ef 58a7 a8eb a923 2036 ", SHELLY_KEY, id="spaces"),
    ],
)
def test_parse_key_accepts_how_people_type_it(text: str, key: bytes) -> None:
    assert parse_key(text) == key


@pytest.mark.parametrize("text", ["90bffd73", "zz" * 16, "90bffd73cb6b26ef58a7a8eba923203600"])
def test_parse_key_refuses_what_is_not_a_key(text: str) -> None:
    with pytest.raises(InvalidKey):
        parse_key(text)


def test_enrolment_never_shows_its_key() -> None:
    enrolment = Enrolment(BAND.lower(), Scheme.ANXIN, KEY)
    assert enrolment.address == BAND
    assert KEY.hex() not in repr(enrolment) and enrolment.key_id is not None and enrolment.key_id in repr(enrolment)


# ----- the decoder: what is taken, what is refused --------------------------------------------------------


def test_decoder_takes_genuine_frames_and_refuses_forged_plain_replayed_and_far_ahead() -> None:
    band = SealingBand()
    decoder = BandDecoder(band.enrolment, reorder_window=5.0)
    first, second = band.frame(WristbandEventKind.SOS, 1), band.frame(WristbandEventKind.SOS, 2)
    assert [e.kind for e in decoder.notification(indication(BAND, first), 0.0).events] == [EventKind.SOS]
    assert decoder.advert(advert(BAND, second), 1.0).events[0].details["via"] == "advertisement"
    forged = SealingBand(key=bytes(16))
    forged.counter = band.counter
    assert decoder.advert(advert(BAND, forged.frame(WristbandEventKind.SOS, 3)), 2.0).refusal is Refusal.BAD_MIC
    plain = plain_bthome(b"\x54\x0a" + b"\x01" * 10)
    assert decoder.advert(advert(BAND, plain), 3.0).refusal is Refusal.PLAINTEXT
    assert decoder.advert(advert(BAND, first), 10.0).refusal is Refusal.REPLAYED  # after the reorder window
    ahead = SealingBand()
    ahead.counter = band.counter + (1 << 20) + 5
    assert decoder.advert(advert(BAND, ahead.frame(WristbandEventKind.SOS, 9)), 11.0).refusal is Refusal.AHEAD
    assert decoder.guard.highest == 2  # forged and refused frames never moved it


def test_decoder_counts_a_repeated_forgery_once_and_keeps_the_latest_frame_as_a_duplicate() -> None:
    band = SealingBand()
    decoder = BandDecoder(band.enrolment)
    frame = band.frame(WristbandEventKind.STATUS, 1)
    assert decoder.advert(advert(BAND, frame), 0.0).heard
    repeat = decoder.advert(advert(BAND, frame), 1.0)
    assert (repeat.duplicate, repeat.heard, repeat.refusal) == (True, True, None)
    plain = plain_bthome(b"\x54\x0a" + b"\x01" * 10)
    assert decoder.advert(advert(BAND, plain), 2.0).refusal is Refusal.PLAINTEXT
    assert decoder.advert(advert(BAND, plain), 3.0).refusal is None


def test_late_copy_through_a_slower_radio_is_taken_within_the_reorder_window() -> None:
    band = SealingBand()
    decoder = BandDecoder(band.enrolment, reorder_window=5.0)
    early, later = band.frame(WristbandEventKind.SOS, 1), band.frame(WristbandEventKind.CHECK_IN, 2)
    decoder.advert(advert(BAND, later, radio="adapter"), 0.0)
    late = decoder.advert(advert(BAND, early, radio="proxy:home"), 1.0)
    assert [e.kind for e in late.events] == [EventKind.SOS]
    assert decoder.advert(advert(BAND, early, radio="proxy:other"), 1.5).duplicate


def test_band_without_its_key_yet_drops_frames_without_suspicion() -> None:
    decoder = BandDecoder(Enrolment(BAND, Scheme.ANXIN))
    refusal = decoder.advert(advert(BAND, SealingBand().frame(WristbandEventKind.SOS, 1)), 0.0).refusal
    assert refusal is Refusal.NO_KEY and not refusal.suspicious


@pytest.mark.parametrize(
    ("scheme", "key", "frame", "kinds", "authenticated"),
    [
        pytest.param(Scheme.BTHOME, KEY, seal_bthome(bthome_button("long_press", battery=77), address=BAND, key=KEY,
                                                     counter=5), [EventKind.SOS, EventKind.BATTERY], True,
                     id="bthome-long-press-sos"),
        pytest.param(Scheme.BTHOME, KEY, seal_bthome(bthome_button("double_press"), address=BAND, key=KEY, counter=5),
                     [EventKind.CHECK_IN], True, id="bthome-double-press-check-in"),
        pytest.param(Scheme.BTHOME, None, plain_bthome(bthome_button("press")), [EventKind.SOS], False,
                     id="plain-bthome-press-sos"),
        pytest.param(Scheme.MIBEACON, KEY, seal_mibeacon(mibeacon_button("double_press"), address=BAND, key=KEY,
                                                         counter=5), [EventKind.CHECK_IN], True,
                     id="mibeacon-double-press-check-in"),
    ],
)
def test_bought_buttons_map_gestures_to_one_event_model(scheme: Scheme, key: bytes | None, frame: bytes,
                                                        kinds: list[EventKind], authenticated: bool) -> None:
    uuid = MIBEACON_UUID if scheme is Scheme.MIBEACON else BTHOME_UUID
    decoded = BandDecoder(Enrolment(BAND, scheme, key)).advert(advert(BAND, frame, uuid=uuid), 0.0)
    assert [e.kind for e in decoded.events] == kinds
    assert all(e.authenticated is authenticated and e.occurred_at == T0 for e in decoded.events)


@pytest.mark.parametrize(
    ("scheme", "frame", "uuid"),
    [
        pytest.param(Scheme.BTHOME, plain_bthome(bthome_button("long_press")), BTHOME_UUID, id="bthome"),
        pytest.param(Scheme.MIBEACON, plain_mibeacon(mibeacon_button("long_press"), address=BAND, counter=3),
                     MIBEACON_UUID, id="mibeacon"),
    ],
)
def test_plain_press_from_a_button_enrolled_with_a_key_is_refused(scheme: Scheme, frame: bytes, uuid: str) -> None:
    decoded = BandDecoder(Enrolment(BAND, scheme, KEY)).advert(advert(BAND, frame, uuid=uuid), 0.0)
    assert decoded.refusal is Refusal.PLAINTEXT and decoded.events == ()
