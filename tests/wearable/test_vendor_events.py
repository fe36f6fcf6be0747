"""The Anxin vendor event and iTAG button decoders (docs/wristband-protocol.md)."""

from __future__ import annotations

import pytest

from wearable.gatt import (
    ItagButtonPress,
    MalformedPayload,
    WristbandEvent,
    WristbandEventKind,
    parse_itag_button,
    parse_wristband_event,
)


@pytest.mark.parametrize(
    ("hex_payload", "expected"),
    [
        pytest.param(
            "01010700a0d2f569550d",
            WristbandEvent(WristbandEventKind.SOS, 7, 1777717920, 85, worn=True, charging=False,
                           retransmission=True),
            id="sos-seq7-retransmitted",
        ),
        pytest.param(
            "01022a00a0d2f56950 01".replace(" ", ""),
            WristbandEvent(WristbandEventKind.FALL, 42, 1777717920, 80, worn=True),
            id="fall",
        ),
        pytest.param(
            "01032b00aed2f56950 01".replace(" ", ""),
            WristbandEvent(WristbandEventKind.FALL_CANCELLED, 43, 1777717934, 80, worn=True),
            id="fall-cancelled",
        ),
        pytest.param(
            "010508000000000 0ff02".replace(" ", ""),
            WristbandEvent(WristbandEventKind.OFF_WRIST, 8, 0, None, worn=False, charging=True),
            id="off-wrist-battery-unknown-charging",
        ),
        pytest.param(
            "0101ffff0100000064f9".replace(" ", ""),
            WristbandEvent(WristbandEventKind.SOS, 0xFFFF, 1, 100, worn=True),
            id="reserved-flag-bits-ignored",
        ),
    ],
)
def test_parse_wristband_event(hex_payload: str, expected: WristbandEvent) -> None:
    assert parse_wristband_event(bytes.fromhex(hex_payload)) == expected


@pytest.mark.parametrize(
    "hex_payload",
    [
        pytest.param("", id="empty"),
        pytest.param("01010700a0d2f56955", id="truncated-flags"),
        pytest.param("01010700a0d2f569550d00", id="trailing-byte"),
        pytest.param("02010700a0d2f569550d", id="unknown-version"),
        pytest.param("01000700a0d2f569550d", id="kind-zero"),
        pytest.param("01400700a0d2f569550d", id="unknown-kind"),
        pytest.param("01010700a0d2f569650d", id="battery-101"),
    ],
)
def test_parse_wristband_event_rejects(hex_payload: str) -> None:
    with pytest.raises(MalformedPayload):
        parse_wristband_event(bytes.fromhex(hex_payload))


def test_event_kind_slug_is_lower_case_name() -> None:
    assert WristbandEventKind.FALL_CANCELLED.slug == "fall_cancelled"


def test_parse_itag_button_press() -> None:
    assert parse_itag_button(b"\x01") == ItagButtonPress(code=1)


@pytest.mark.parametrize("payload", [b"", b"\x01\x01"])
def test_parse_itag_button_rejects_wrong_length(payload: bytes) -> None:
    with pytest.raises(MalformedPayload):
        parse_itag_button(payload)


@pytest.mark.parametrize(
    ("hex_payload", "kind", "seq", "retransmission"),
    [
        pytest.param("01 01 07 00 c0 86 fd 6a 55 01", WristbandEventKind.SOS, 7, False, id="sos"),
        pytest.param("01 01 07 00 c0 86 fd 6a 55 05", WristbandEventKind.SOS, 7, True, id="sos-resent"),
        pytest.param("01 02 08 00 cc 86 fd 6a 54 01", WristbandEventKind.FALL, 8, False, id="fall"),
        pytest.param("01 03 09 00 d4 86 fd 6a 54 01", WristbandEventKind.FALL_CANCELLED, 9, False,
                     id="fall-cancelled"),
        pytest.param("01 05 0a 00 d0 94 fd 6a ff 02", WristbandEventKind.OFF_WRIST, 10, False, id="off-wrist"),
    ],
)
def test_protocol_document_examples_decode_as_documented(
    hex_payload: str, kind: WristbandEventKind, seq: int, retransmission: bool
) -> None:
    event = parse_wristband_event(bytes.fromhex(hex_payload))
    assert (event.kind, event.sequence, event.retransmission) == (kind, seq, retransmission)
