"""Durable bridge state: falls inside their cancel window and iTAG presses survive a restart."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from caregiver_portal.client import AlertCreate
from tests.wearable.bands import BAND, CLOCK, CLOCK_AT, KEY, T0, SealingBand
from tests.wearable.fakes import RecordingPortal
from wearable import uuids
from wearable.events import AlertOut, CancelOut, EventProcessor, FallHeld, FallSettled, Notification
from wearable.forwarder import Forwarder
from wearable.keys import Enrolment, Scheme
from wearable.state import BridgeState
from wearable.vendor import WristbandEventKind

FALL_ID = f"{BAND}:3:{CLOCK}"
FALL = AlertOut("fall", BAND, FALL_ID, {"seq": 3, "band_clock": CLOCK, "battery": 80, "worn": True, "via": "gatt",
                                        "radio": "adapter", "authenticated": True}, occurred_at=CLOCK_AT)
ITAG = "F0:00:00:00:00:04"
SEALER = SealingBand()


def event_note(kind: WristbandEventKind, seq: int) -> Notification:
    return SEALER.note(kind, seq)


def new_processor(**options: float) -> EventProcessor:
    return EventProcessor(enrolments=[SEALER.enrolment, Enrolment(ITAG, Scheme.ITAG)], **options)


@pytest.fixture
def state(tmp_path: Path) -> BridgeState:
    return BridgeState(tmp_path / "state.sqlite3")


# ----- the state file ---------------------------------------------------------------------------


def test_held_fall_survives_reopening_until_settled(tmp_path: Path) -> None:
    first = BridgeState(tmp_path / "state.sqlite3")
    first.hold_fall(FALL, detected_at=T0, deadline_at=T0 + timedelta(seconds=30))
    first.hold_fall(FALL, detected_at=T0, deadline_at=T0 + timedelta(seconds=99))  # a repeat changes nothing
    first.close()
    reopened = BridgeState(tmp_path / "state.sqlite3")
    [stored] = reopened.held_falls()
    assert (stored.alert.details, stored.detected_at, stored.deadline_at) == (FALL.details, T0,
                                                                              T0 + timedelta(seconds=30))
    reopened.settle_fall(FALL_ID)
    assert reopened.held_falls() == []


def test_frame_counters_are_kept_per_key_and_only_ever_raised(state: BridgeState) -> None:
    state.store_counters({(BAND, "k1"): 10, (ITAG, "k2"): 3})
    state.store_counters({(BAND, "k1"): 7, (BAND, "k9"): 1})  # lower: ignored; another key: its own counter
    assert state.counters() == {(BAND, "k1"): 10, (BAND, "k9"): 1, (ITAG, "k2"): 3}


def test_cached_keys_open_only_with_the_same_token(tmp_path: Path) -> None:
    first = BridgeState(tmp_path / "state.sqlite3")
    bands = [Enrolment(BAND, Scheme.ANXIN, KEY), Enrolment(ITAG, Scheme.ITAG)]
    first.store_enrolments(bands, secret=b"device-token-1")
    first.close()
    assert KEY not in (tmp_path / "state.sqlite3").read_bytes()
    reopened = BridgeState(tmp_path / "state.sqlite3")
    assert reopened.enrolments(secret=b"device-token-1") == bands
    assert reopened.enrolments(secret=b"another-token") == [Enrolment(BAND, Scheme.ANXIN), bands[1]]


def test_restored_counters_make_a_frame_from_before_the_restart_a_replay() -> None:
    band = SealingBand()
    old = band.frame(WristbandEventKind.SOS, 1)
    first = new_processor()
    first.handle(band.note(WristbandEventKind.SOS, 2), now=0.0)
    counters = first.take_counters()
    assert counters == {(BAND, band.enrolment.key_id): 2}
    second = new_processor()
    second.restore_counters(counters)
    assert second.handle(Notification(BAND, uuids.ANXIN_EVENT, old, T0), now=0.0) == []
    assert second.stats(BAND).refused["replayed"] == 1


def test_itag_press_keeps_only_the_latest_per_button(state: BridgeState) -> None:
    state.note_itag_press(BAND, event_id="late", pressed_at=T0 + timedelta(seconds=5))
    state.note_itag_press(BAND, event_id="early", pressed_at=T0)  # out of order: ignored
    [press] = state.itag_presses()
    assert (press.wristband, press.event_id, press.pressed_at) == (BAND, "late", T0 + timedelta(seconds=5))


# ----- restoring into the pure processor --------------------------------------------------------


def test_restored_fall_waits_only_for_what_was_left_of_its_window() -> None:
    processor = new_processor(fall_cancel_window=30.0)
    left = processor.restore_fall(FALL, detected_at=T0, deadline_at=T0 + timedelta(seconds=30), now=500.0,
                                  wall_now=T0 + timedelta(seconds=12))
    assert left == 18.0 and processor.next_deadline() == 518.0
    assert processor.due(517.9) == []
    assert processor.due(518.0) == [AlertOut("fall", BAND, FALL_ID, {**FALL.details, "cancelled": False},
                                             occurred_at=CLOCK_AT), FallSettled(BAND, FALL_ID)]


@pytest.mark.parametrize("down_for_s", [pytest.param(31, id="window-ended"), pytest.param(86_400, id="a-day")])
def test_fall_whose_window_ended_while_down_is_due_at_once(down_for_s: int) -> None:
    processor = new_processor(fall_cancel_window=30.0)
    processor.restore_fall(FALL, detected_at=T0, deadline_at=T0 + timedelta(seconds=30), now=500.0,
                           wall_now=T0 + timedelta(seconds=down_for_s))
    assert [type(o).__name__ for o in processor.due(500.0)] == ["AlertOut", "FallSettled"]


def test_clock_set_back_never_stretches_the_window() -> None:
    processor = new_processor(fall_cancel_window=30.0)
    left = processor.restore_fall(FALL, detected_at=T0, deadline_at=T0 + timedelta(seconds=30), now=0.0,
                                  wall_now=T0 - timedelta(hours=1))
    assert left == 30.0


def test_restored_fall_can_still_be_cancelled_and_counts_time_before_the_restart() -> None:
    processor = new_processor(fall_cancel_window=30.0)
    processor.restore_fall(FALL, detected_at=T0, deadline_at=T0 + timedelta(seconds=30), now=500.0,
                           wall_now=T0 + timedelta(seconds=10))
    out = processor.handle(event_note(WristbandEventKind.FALL_CANCELLED, 4), now=505.0)
    assert [type(o).__name__ for o in out] == ["AlertOut", "CancelOut", "FallSettled"]
    raised = out[0]
    assert isinstance(raised, AlertOut) and raised.emergency is False
    assert raised.details["cancelled_after_s"] == 15.0


def test_advertisement_mirror_of_a_restored_fall_is_a_duplicate() -> None:
    processor = new_processor(fall_cancel_window=30.0)
    processor.restore_fall(FALL, detected_at=T0, deadline_at=T0 + timedelta(seconds=30), now=0.0, wall_now=T0)
    assert processor.handle(SEALER.advert(WristbandEventKind.FALL, 3), now=1.0) == []
    assert processor.restore_fall(FALL, detected_at=T0, deadline_at=T0 + timedelta(seconds=30), now=0.0,
                                  wall_now=T0) == 0.0  # restoring twice holds it once
    assert len(processor.flush_falls()) == 2


def test_itag_press_right_before_a_restart_still_debounces_the_repeat() -> None:
    processor = new_processor(itag_debounce=2.0)
    processor.restore_itag_press(ITAG, pressed_at=T0, now=100.0, wall_now=T0 + timedelta(seconds=1.5))
    repeat = Notification(ITAG, uuids.ITAG_BUTTON, b"\x01", T0 + timedelta(seconds=1.5))
    assert processor.handle(repeat, now=100.0) == []
    assert len(processor.handle(repeat, now=100.6)) == 2  # 2.1 s after the first press: a new press


# ----- the forwarder writes state in order ------------------------------------------------------


def make_forwarder(portal: RecordingPortal, state: BridgeState, *, window: float = 30.0) -> Forwarder:
    processor_ = new_processor(fall_cancel_window=window)
    return Forwarder(portal, processor_, asyncio.Queue(), batch_interval=1.0, state=state,
                     clock=lambda: 0.0, wall_clock=lambda: T0)


async def test_fall_is_in_the_state_file_until_its_alert_is_in_the_outbox(
    portal: RecordingPortal, state: BridgeState
) -> None:
    forwarder = make_forwarder(portal, state)
    await forwarder._dispatch(forwarder.processor.handle(event_note(WristbandEventKind.FALL, 3), now=0.0))
    assert [f.alert.event_id for f in state.held_falls()] == [FALL_ID] and portal.alerts == []
    await forwarder._dispatch(forwarder.processor.due(30.0))
    assert [a["event_id"] for a in portal.alerts] == [FALL_ID] and state.held_falls() == []


async def test_failed_alert_keeps_its_fall_held_until_the_retry_succeeds(
    portal: RecordingPortal, state: BridgeState
) -> None:
    forwarder = make_forwarder(portal, state)
    await forwarder._dispatch(forwarder.processor.handle(event_note(WristbandEventKind.FALL, 3), now=0.0))
    portal.fail_alerts = 1
    await forwarder._dispatch(forwarder.processor.due(30.0))
    assert portal.alerts == [] and len(state.held_falls()) == 1  # a crash now re-raises it after restart
    await forwarder.flush()
    assert [a["event_id"] for a in portal.alerts] == [FALL_ID] and state.held_falls() == []


async def test_cancelled_fall_is_settled_only_after_its_cancellation_is_queued(
    portal: RecordingPortal, state: BridgeState
) -> None:
    forwarder = make_forwarder(portal, state)
    outputs = forwarder.processor.handle(event_note(WristbandEventKind.FALL, 3), now=0.0)
    outputs += forwarder.processor.handle(event_note(WristbandEventKind.FALL_CANCELLED, 4), now=5.0)
    assert [type(o) for o in outputs] == [FallHeld, AlertOut, CancelOut, FallSettled]
    await forwarder._dispatch(outputs)
    assert portal.alerts[0]["emergency"] is False and portal.alerts[0]["details"]["cancelled"] is True
    assert [c["event_id"] for c in portal.cancels] == [FALL_ID] and state.held_falls() == []


async def test_restore_loads_held_falls_and_itag_presses(portal: RecordingPortal, state: BridgeState) -> None:
    state.hold_fall(FALL, detected_at=T0 - timedelta(seconds=10), deadline_at=T0 + timedelta(seconds=20))
    state.note_itag_press(ITAG, event_id="x", pressed_at=T0)
    forwarder = make_forwarder(portal, state)
    assert await forwarder.restore() == 1
    assert forwarder.processor.next_deadline() == 20.0
    itag = Notification(ITAG, uuids.ITAG_BUTTON, b"\x01", T0)
    assert forwarder.processor.handle(itag, now=0.5) == []


async def test_stop_in_the_middle_of_a_cancelled_fall_still_delivers_its_cancellation(
    portal: RecordingPortal, state: BridgeState
) -> None:
    forwarder = make_forwarder(portal, state)
    outputs = forwarder.processor.handle(event_note(WristbandEventKind.FALL, 3), now=0.0)
    outputs += forwarder.processor.handle(event_note(WristbandEventKind.FALL_CANCELLED, 4), now=5.0)
    entered, release = threading.Event(), threading.Event()
    original = portal.raise_alert

    def slow_raise(alert: AlertCreate) -> str:
        entered.set()
        release.wait(5)
        return original(alert)

    portal.raise_alert = slow_raise  # type: ignore[method-assign]
    dispatching = asyncio.create_task(forwarder._dispatch(outputs))
    await asyncio.to_thread(entered.wait, 5)
    dispatching.cancel()  # bridge.stop() cancels the forwarder while the fall's record is being stored
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await dispatching
    await forwarder.drain()
    assert [c["event_id"] for c in portal.cancels] == [FALL_ID]
    assert {a["event_id"] for a in portal.alerts} == {FALL_ID} and state.held_falls() == []
