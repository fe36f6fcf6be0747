"""The replay guard: which frame counters are new, late, duplicates, replays or too far ahead (pure)."""

from __future__ import annotations

import pytest

from wearable.replay import CounterGuard, CounterPolicy, Verdict

POLICY = CounterPolicy(max_ahead=1000, late_window=4, reorder_window=5.0, repeat_window=60.0)


def guard_with(*accepted: tuple[int, float]) -> CounterGuard:
    guard = CounterGuard(POLICY)
    for counter, at in accepted:
        assert guard.check(counter, at).acceptable
        guard.accept(counter, at)
    return guard


@pytest.mark.parametrize(
    ("counter", "now", "verdict"),
    [
        pytest.param(11, 2.0, Verdict.NEW, id="next"),
        pytest.param(1010, 2.0, Verdict.NEW, id="as-far-ahead-as-allowed"),
        pytest.param(1011, 2.0, Verdict.AHEAD, id="too-far-ahead"),
        pytest.param(10, 30.0, Verdict.DUPLICATE, id="latest-repeated"),
        pytest.param(10, 61.5, Verdict.REPLAYED, id="latest-long-after-the-device-stopped-sending-it"),
        pytest.param(8, 2.0, Verdict.DUPLICATE, id="older-seen-copy-from-a-slower-radio"),
        pytest.param(9, 2.0, Verdict.LATE, id="older-never-seen-within-the-reorder-window"),
        pytest.param(5, 2.0, Verdict.REPLAYED, id="older-beyond-the-late-window"),
        pytest.param(9, 7.0, Verdict.REPLAYED, id="older-after-the-reorder-window"),
        pytest.param(8, 7.0, Verdict.REPLAYED, id="older-seen-after-the-reorder-window"),
    ],
)
def test_verdicts(counter: int, now: float, verdict: Verdict) -> None:
    guard = guard_with((8, 0.0), (10, 1.0))
    assert guard.check(counter, now) is verdict
    assert verdict.suspicious is (verdict in (Verdict.REPLAYED, Verdict.AHEAD))


def test_first_frame_after_enrolment_is_new_and_only_accepting_moves_the_guard() -> None:
    guard = CounterGuard(POLICY)
    assert guard.check(123_456, 0.0) is Verdict.NEW
    assert guard.highest is None  # a frame whose MIC failed is never accepted
    assert guard.accept(123_456, 0.0) and guard.highest == 123_456
    assert not guard.accept(123_455, 0.5)  # a late one does not lower it


def test_after_a_restart_the_stored_highest_is_a_duplicate_and_anything_older_a_replay() -> None:
    guard = CounterGuard(POLICY, highest=50)
    assert guard.check(50, 0.0) is Verdict.DUPLICATE
    assert guard.check(49, 0.0) is Verdict.REPLAYED
    assert guard.check(51, 0.0) is Verdict.NEW
