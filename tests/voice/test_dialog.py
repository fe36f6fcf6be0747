"""The voice dialog state machine, driven by scripted conversations through the real parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.prompts import prompt
from kiosk.voice.dialog import (
    ActivitiesChanged,
    CancelAlert,
    CancelSignUp,
    ChangeRate,
    ChangeVolume,
    DialogState,
    Heard,
    QueryStatus,
    RaiseAlert,
    Show,
    SignUp,
    Silence,
    Speak,
    StopSpeaking,
    SubmitOrder,
    Touched,
    handle,
)
from kiosk.voice.intents import parse

from .conftest import ACTIVITIES, CATALOG, NOW
from .test_corpus import load_corpus

START = DialogState(activities=ACTIVITIES)
EGGS_2 = {"name": "鸡蛋", "quantity": 2, "unit": "斤"}
RICE_1 = {"name": "大米", "quantity": 1, "unit": "袋"}


def hear(text: str) -> Heard:
    return Heard(text, parse(text, catalog=CATALOG, activities=ACTIVITIES, now=NOW), NOW)


def run(script: list[str], state: DialogState = START) -> tuple[DialogState, list[list]]:
    """Feed each utterance in turn; return the final state and the actions of every turn."""
    turns = []
    for text in script:
        state, actions = handle(state, hear(text))
        turns.append(actions)
    return state, turns


def spoken(actions: list) -> list[str]:
    return [a.text for a in actions if isinstance(a, Speak)]


CONVERSATIONS = [
    pytest.param(
        ["帮我买鸡蛋", "两斤", "对"],
        [["鸡蛋要几斤？"], ["两斤鸡蛋，对吗？"], [prompt("order_sent")]],
        id="asks-for-missing-amount",
    ),
    pytest.param(
        ["两斤鸡蛋，一袋大米", "对的"],
        [["两斤鸡蛋，一袋大米，对吗？"], [prompt("order_sent")]],
        id="reads-order-back",
    ),
    pytest.param(
        ["买大米和两斤鸡蛋", "三袋"],
        [["大米要几袋？"], ["三袋大米，两斤鸡蛋，对吗？"]],
        id="asks-in-the-item-unit",
    ),
    pytest.param(
        ["买两斤鸡蛋", "不对，要三斤鸡蛋", "对"],
        [["两斤鸡蛋，对吗？"], ["三斤鸡蛋，对吗？"], [prompt("order_sent")]],
        id="corrects-an-amount",
    ),
    pytest.param(
        ["买两斤鸡蛋", "不对", "一袋大米"],
        [["两斤鸡蛋，对吗？"], [prompt("ask_items_again")], ["一袋大米，对吗？"]],
        id="not-right-asks-again",
    ),
    pytest.param(["买两斤鸡蛋", "算了"], [["两斤鸡蛋，对吗？"], [prompt("order_cancelled")]], id="abandons-order"),
    pytest.param(["买两斤鸡蛋", "再说一遍"], [["两斤鸡蛋，对吗？"], ["两斤鸡蛋，对吗？"]], id="repeats-the-question"),
    pytest.param(
        ["买两斤鸡蛋", "今天天气怎么样"],
        [["两斤鸡蛋，对吗？"], [prompt("say_yes_or_no")]],
        id="asks-for-yes-or-no",
    ),
    pytest.param(["买鸡蛋", "回首页"], [["鸡蛋要几斤？"], [prompt("going_home")]], id="home-from-a-question"),
    pytest.param(
        ["我要报名明天的太极拳", "对"],
        [
            ["报名太极拳晨练，明天上午七点半，对吗？"],
            [prompt("signup_sent", title="太极拳晨练")],
        ],
        id="signup",
    ),
    pytest.param(
        ["我要报名", "包饺子", "是的"],
        [
            [prompt("ask_activity", choices="太极拳晨练，健康讲座：老年人防跌倒，社区包饺子，书法兴趣班")],
            ["报名社区包饺子，本周六上午十点，对吗？"],
            [prompt("signup_sent", title="社区包饺子")],
        ],
        id="signup-asks-which",
    ),
    pytest.param(
        ["取消太极拳报名", "对"],
        [[prompt("confirm_cancel_signup", title="太极拳晨练")], [prompt("cancel_signup_sent", title="太极拳晨练")]],
        id="cancel-signup",
    ),
    pytest.param(
        ["我要报名明天的太极拳", "不对"],
        [["报名太极拳晨练，明天上午七点半，对吗？"], [prompt("signup_dropped")]],
        id="signup-declined",
    ),
    pytest.param(
        ["帮我换个灯泡", "好"], [[prompt("confirm_help")], [prompt("help_sent")]], id="ordinary-help-is-confirmed"
    ),
    pytest.param(["帮我换个灯泡", "不用了"], [[prompt("confirm_help")], [prompt("help_dropped")]], id="help-declined"),
    pytest.param(["我的订单怎么样了"], [[prompt("status")]], id="status"),
    pytest.param(["你叫什么名字"], [[prompt("not_understood")]], id="not-understood"),
]


@pytest.mark.parametrize(("script", "expected"), CONVERSATIONS)
def test_conversation_speaks_the_expected_prompts(script: list[str], expected: list[list[str]]) -> None:
    _, turns = run(script)
    assert [spoken(actions) for actions in turns] == expected


def test_confirmed_order_is_submitted_once_with_all_items() -> None:
    state, turns = run(["两斤鸡蛋，一袋大米", "对"])
    assert [a for a in turns[0] if isinstance(a, SubmitOrder)] == []
    assert turns[1][0] == SubmitOrder((EGGS_2, RICE_1))
    assert Show("home") in turns[1] and state.step == "idle" and state.items == ()


@pytest.mark.parametrize(
    "script",
    [
        pytest.param(["救命"], id="from-idle"),
        pytest.param(["帮我买鸡蛋", "就命啊"], id="during-a-question"),
        pytest.param(["买两斤鸡蛋", "我摔倒了"], id="during-a-confirmation"),
        pytest.param(["帮我换个灯泡", "胸口疼"], id="during-ordinary-help"),
    ],
)
def test_emergency_is_raised_at_once_from_any_step(script: list[str]) -> None:
    state, turns = run(script)
    assert turns[-1][0] == RaiseAlert("help", True)
    assert Show("emergency") in turns[-1] and state.step == "emergency"
    assert spoken(turns[-1]) == [prompt("emergency_raised")]


def test_emergency_can_be_cancelled_as_a_false_alarm() -> None:
    state, turns = run(["救命", "取消"])
    assert turns[1][0] == CancelAlert() and state.step == "idle" and not state.alert_raised


def test_emergency_is_not_raised_twice_and_is_kept_unless_cancelled() -> None:
    state, turns = run(["救命", "对", "救命啊"])
    alerts = [a for actions in turns for a in actions if isinstance(a, RaiseAlert)]
    assert alerts == [RaiseAlert("help", True)]
    assert spoken(turns[1]) == spoken(turns[2]) == [prompt("emergency_kept")]
    assert state.step == "emergency"


@pytest.mark.parametrize(
    ("script", "action"),
    [
        pytest.param(["我要报名明天的太极拳", "对"], SignUp("a1"), id="signup"),
        pytest.param(["周五的讲座我去不了", "对"], CancelSignUp("a2"), id="cancel"),
        pytest.param(["帮我换个灯泡", "好的"], RaiseAlert("help", False), id="help"),
        pytest.param(["我的订单怎么样了"], QueryStatus(), id="status"),
    ],
)
def test_requests_end_in_their_action(script: list[str], action: object) -> None:
    _, turns = run(script)
    assert action in turns[-1]


@pytest.mark.parametrize(
    ("text", "action"),
    [
        pytest.param("大声点", ChangeVolume("up"), id="louder"),
        pytest.param("小声点", ChangeVolume("down"), id="quieter"),
        pytest.param("说慢点", ChangeRate(-20), id="slower"),
    ],
)
def test_speech_controls_work_mid_dialog_without_losing_the_step(text: str, action: object) -> None:
    state, _ = run(["买两斤鸡蛋"])
    after, actions = handle(state, hear(text))
    assert actions[0] == action and after.step == "order_confirm" and after.items == state.items


def test_slower_repeats_the_pending_question() -> None:
    _, turns = run(["买两斤鸡蛋", "说慢点"])
    assert spoken(turns[1]) == [prompt("slower") + "两斤鸡蛋，对吗？"]


def test_touch_stops_speech_and_keeps_state() -> None:
    state, _ = run(["买鸡蛋"])
    assert handle(state, Touched()) == (state, [StopSpeaking()])


def test_silence_repeats_once_then_goes_home() -> None:
    state, _ = run(["买鸡蛋"])
    state, first = handle(state, Silence())
    assert spoken(first) == ["鸡蛋要几斤？"]
    state, second = handle(state, Silence())
    assert Show("home") in second and state.step == "idle"
    assert handle(state, Silence()) == (state, [])


def test_no_activities_means_none_to_choose() -> None:
    state, _ = handle(DialogState(), ActivitiesChanged(()))
    _, actions = handle(state, hear("我要报名"))
    assert spoken(actions) == [prompt("no_activities")]


_UTTERANCES = [text for text, _ in load_corpus()] + ["两斤", "三个", "太极拳"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_UTTERANCES), max_size=8))
def test_any_conversation_keeps_a_valid_state(script: list[str]) -> None:
    state, turns = run(script)
    steps = {"idle", "order_quantity", "order_confirm", "choose_activity", "signup_confirm", "cancel_confirm"}
    assert state.step in steps | {"help_confirm", "emergency"}
    for actions in turns:
        assert any(isinstance(a, Speak) for a in actions)
        for action in actions:
            if isinstance(action, SubmitOrder):
                assert action.items and all(i["quantity"] is not None for i in action.items)
