"""点名 at the kiosk, through the pure core: once a person is identified the kiosk asks the portal about open
roll calls; an open one is asked as 您平安吗？ (我平安 / 我需要帮助) only from a quiet screen, and the answer is
stored durably and thanked for — every text shown is also said."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.core.effects import AnswerRollCall, FetchRollCalls, Speak
from kiosk.core.events import LookupAnswered, RollCallsLoaded
from kiosk.core.handle import handle, view_of
from kiosk.core.samples import NOW, WANG, known, started, tap


def test_identifying_someone_asks_the_portal_about_open_roll_calls() -> None:
    state, _ = handle(started(), tap("home.checkin"))
    state, _ = handle(state, tap("greet.answer", "no"))
    for key in ("3", "2", "0", "1", "确定"):
        state, _ = handle(state, tap("resident.key", key))
    _, effects = handle(state, LookupAnswered("3201", "found", NOW, WANG, ()))
    assert FetchRollCalls(WANG.resident_id) in effects


def quiet(reasons: tuple[str, ...] = ("台风",)):  # type: ignore[no-untyped-def]
    state, _ = handle(replace(known(started()), guard_until=0.0), tap("home.checkin"))  # a notice: quiet
    return handle(replace(state, guard_until=0.0), RollCallsLoaded(WANG.resident_id, reasons, NOW))


def test_an_open_roll_call_is_asked_and_said() -> None:
    state, effects = quiet()
    view = view_of(state)
    assert view.screen == "roll_call" and "台风点名：王阿姨，您平安吗？" in view.full_speech
    spoken = " ".join(e.text for e in effects if isinstance(e, Speak))
    assert "您平安吗" in spoken and "我平安" in spoken and "我需要帮助" in spoken


@pytest.mark.parametrize(("arg", "answer", "title"), [
    pytest.param("yes", "safe", "已告诉社区您平安", id="safe"),
    pytest.param("no", "help", "已告诉社区您需要帮助", id="needs-help"),
])
def test_the_answer_is_sent_and_thanked_for(arg: str, answer: str, title: str) -> None:
    state, _ = quiet()
    state, effects = handle(replace(state, guard_until=0.0), tap("question.answer", arg))
    assert AnswerRollCall(WANG.resident_id, answer) in effects
    assert view_of(state).screen == "notice" and title in view_of(state).full_speech


@pytest.mark.parametrize("event", [
    pytest.param(RollCallsLoaded(WANG.resident_id, (), NOW), id="no-open-roll-call"),
    pytest.param(RollCallsLoaded(WANG.resident_id + 1, ("高温",), NOW), id="someone-else"),
])
def test_nothing_is_asked_without_an_open_roll_call_for_this_person(event: RollCallsLoaded) -> None:
    state, _ = handle(replace(known(started()), guard_until=0.0), tap("home.checkin"))
    after, effects = handle(state, event)
    assert view_of(after).screen == view_of(state).screen and effects == ()


def test_a_task_in_progress_is_never_interrupted() -> None:
    state = known(started())  # on 我的请求, waiting for the portal
    after, _ = handle(state, RollCallsLoaded(WANG.resident_id, ("停电",), NOW))
    assert view_of(after).screen == view_of(state).screen
