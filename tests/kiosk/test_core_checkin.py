"""我今天很好 at the kiosk: the daily check-in (平安打卡) of an identified person, through the pure core."""

from __future__ import annotations

from dataclasses import replace

from kiosk.core.effects import CheckIn, FindNearby, Speak
from kiosk.core.events import LookupAnswered
from kiosk.core.handle import handle, view_of
from kiosk.core.samples import NOW, WANG, known, started, tap


def test_checkin_asks_who_it_is_first_then_records_it() -> None:
    state, effects = handle(started(), tap("home.checkin"))
    assert any(isinstance(e, FindNearby) for e in effects)
    assert not any(isinstance(e, CheckIn) for e in effects)
    state, _ = handle(state, tap("greet.answer", "no"))
    for key in ("3", "2", "0", "1", "确定"):
        state, _ = handle(state, tap("resident.key", key))
    state, effects = handle(state, LookupAnswered("3201", "found", NOW, WANG, ()))
    assert CheckIn(WANG.resident_id, NOW) in effects
    assert view_of(state).screen == "notice"
    spoken = " ".join(e.text for e in effects if isinstance(e, Speak))
    assert "已平安打卡" in spoken and "谢谢您告诉我们您今天很好" in spoken


def test_a_known_person_checks_in_with_one_tap() -> None:
    state, effects = handle(replace(known(started()), guard_until=0.0), tap("home.checkin"))
    assert [e for e in effects if isinstance(e, CheckIn)] == [CheckIn(WANG.resident_id, NOW)]
    assert "已平安打卡" in view_of(state).full_speech


def test_home_says_the_checkin_choice() -> None:
    home = view_of(started())
    assert "我今天很好" in home.full_speech and any(c.id == "home.checkin" for c in home.bar.choices)
