"""Voice through the core: what is heard becomes the same steps as touch (scripted conversations
through the real parser)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.effects import (
    ApplySpeech,
    FetchRequests,
    PlaceOrder,
    RaiseHelpCall,
    ReportFeedback,
    SignUp,
    StartTimer,
)
from kiosk.core.events import CatalogLoaded, Listening, LookupAnswered, TimerFired
from kiosk.core.handle import handle, view_of
from kiosk.core.idle import speech_seconds
from kiosk.core.prompts import prompt
from kiosk.core.samples import WANG, _drive, started
from kiosk.core.state import KioskState
from kiosk.state.activities import Activity
from kiosk.state.cart import CatalogItem
from tests.kiosk.core_helpers import hear, of_type, run, said, tap
from tests.voice.conftest import ACTIVITIES, CATALOG, NOW
from tests.voice.test_corpus import load_corpus

UNITS = {"大米": "袋", "牛奶": "盒", "卫生纸": "提", "馒头": "个", "豆腐": "块"}


def _activities() -> tuple[Activity, ...]:
    return tuple(Activity(i + 1, a["title"], "社区服务中心", datetime.fromisoformat(a["starts_at"]), spots_left=10)
                 for i, a in enumerate(ACTIVITIES))


def kiosk(*, identified: bool = True) -> KioskState:
    """A kiosk with the voice tests' shop and week, optionally with 王阿姨 known."""
    base = started()
    items = tuple(CatalogItem(i + 1, name, "其他", UNITS.get(name, "斤"), 300) for i, name in enumerate(CATALOG))
    state = _drive(base, CatalogLoaded(items, True, NOW))
    state = replace(state, now=NOW, data=replace(state.data, activities=_activities()))
    if identified:
        state = _drive(state, tap("home.requests", now=NOW), TimerFired("greeting", state.visit.attempt + 1, NOW),
                       *[tap("resident.key", k, now=NOW) for k in "3201确定"],
                       LookupAnswered("3201", "found", NOW, WANG))
        state = _drive(state, tap("nav.home", now=NOW))
        state = replace(state, visit=replace(state.visit, person=WANG, task_done=False))
    return state


def talk(state: KioskState, *texts: str) -> tuple[KioskState, list[str], list]:
    """Say each text in turn: the final state, what the kiosk said each turn, all effects."""
    spoken, effects = [], []
    for text in texts:
        state, turn = run(state, hear(state, text))
        spoken.append(said(turn[0]))
        effects.extend(turn[0])
    return state, spoken, effects


def test_missing_amount_is_asked_then_the_order_is_read_back_and_placed() -> None:
    state, spoken, effects = talk(kiosk(), "帮我买鸡蛋", "两斤", "对")
    assert spoken[0].startswith("鸡蛋要几斤？")
    assert "确定要下单吗？两斤鸡蛋" in spoken[1]
    assert of_type(effects, PlaceOrder) == [PlaceOrder(7, ({"item_id": 1, "quantity": 2.0, "unit": "斤"},), "两斤鸡蛋")]
    assert state.screen == "order_status"


def test_two_items_are_read_back_together_and_sent_once() -> None:
    _, spoken, effects = talk(kiosk(), "两斤鸡蛋，一袋大米", "对的")
    assert "两斤鸡蛋，一袋大米" in spoken[0]
    orders = of_type(effects, PlaceOrder)
    assert len(orders) == 1 and [i["item_id"] for i in orders[0].items] == [1, 2]


def test_asks_in_the_items_unit() -> None:
    _, spoken, _ = talk(kiosk(), "买大米和两斤鸡蛋")
    assert spoken[0].startswith("大米要几袋？")


def test_not_right_goes_back_to_the_cart_without_ordering() -> None:
    state, _, effects = talk(kiosk(), "买两斤鸡蛋", "不对")
    assert of_type(effects, PlaceOrder) == [] and state.screen == "cart" and not state.visit.cart.empty


def test_a_correction_replaces_the_amount() -> None:
    state, spoken, _ = talk(kiosk(), "买两斤鸡蛋", "不对，要三斤鸡蛋")
    assert "三斤鸡蛋" in spoken[1] and state.visit.cart.quantity_of(1) == 3


def test_an_unknown_order_is_not_made_anonymous_the_person_is_asked_for() -> None:
    state, _, effects = talk(kiosk(identified=False), "买两斤鸡蛋")
    assert of_type(effects, StartTimer) and of_type(effects, PlaceOrder) == []


def test_a_spoken_order_adds_to_what_touch_put_in_the_cart() -> None:
    state, _ = run(kiosk(), tap("home.groceries", now=NOW), tap("groceries.category", "其他", now=NOW),
                   tap("groceries.add", "2", now=NOW))
    state, spoken, effects = talk(state, "再要两斤鸡蛋", "对")
    assert "确定要下单吗？一袋大米，两斤鸡蛋" in spoken[0]
    assert of_type(effects, PlaceOrder)[0].items == ({"item_id": 2, "quantity": 1.0, "unit": "袋"},
                                                     {"item_id": 1, "quantity": 2.0, "unit": "斤"})


def test_repeat_reads_the_screen_again() -> None:
    _, spoken, _ = talk(kiosk(), "买两斤鸡蛋", "再说一遍")
    assert "确定要下单吗" in spoken[1] and "再听一遍" in spoken[1]


def test_home_from_a_question() -> None:
    state, _, _ = talk(kiosk(), "买鸡蛋", "回首页")
    assert state.screen == "home" and state.visit.dialog.asking == ()


@pytest.mark.parametrize("script", [["救命"], ["帮我买鸡蛋", "救命啊"], ["买两斤鸡蛋", "我摔倒了"],
                                    ["帮我换个灯泡", "胸口疼"]], ids=["idle", "question", "confirm", "help"])
def test_a_sure_emergency_is_raised_at_once_from_any_step(script: list[str]) -> None:
    state, spoken, effects = talk(kiosk(), *script)
    calls = of_type(effects, RaiseHelpCall)
    assert calls == [RaiseHelpCall(emergency=True, occurred_at=NOW, resident_id=7)]
    assert state.screen == "help_status" and prompt("emergency_raised") in spoken[-1]


def test_an_emergency_is_not_raised_twice() -> None:
    _, spoken, effects = talk(kiosk(), "救命", "救命啊")
    assert len(of_type(effects, RaiseHelpCall)) == 1 and prompt("emergency_kept") in spoken[1]


def test_cancel_after_an_emergency_asks_then_cancels() -> None:
    state, spoken, _ = talk(kiosk(), "救命", "取消")
    assert state.screen == "question" and "确定要取消呼叫吗" in spoken[1]


def _unsure_emergency(state: KioskState) -> KioskState:
    event = hear(state, "救命", confidence=0.4)
    return handle(state, event)[0]


def test_an_unsure_emergency_asks_and_yes_raises_it() -> None:
    state = _unsure_emergency(kiosk())
    assert state.screen == "question" and state.visit.question.title == "您是要紧急呼叫吗？"
    _, turns = run(state, hear(state, "对"))
    assert of_type(turns[0], RaiseHelpCall)[0].emergency is True


def test_an_unsure_emergency_is_raised_after_ten_seconds_of_silence() -> None:
    base = kiosk()
    state, effects = handle(base, hear(base, "救命", confidence=0.4))
    timer = of_type(effects, StartTimer)[0]
    asking = speech_seconds(view_of(state).speech, state.visit.speech.rate_wpm)
    assert asking > 3 and timer.seconds == pytest.approx(asking + 10), "ten seconds once the question is said"
    _, turns = run(state, TimerFired(timer.name, timer.serial, NOW + timedelta(seconds=timer.seconds)))
    assert of_type(turns[0], RaiseHelpCall)[0].emergency is True


def test_an_unsure_emergency_waits_while_the_person_is_talking() -> None:
    base = kiosk()
    state, effects = handle(base, hear(base, "救命", confidence=0.4))
    timer = of_type(effects, StartTimer)[0]
    state, _ = handle(state, Listening(NOW))  # the person pressed 说话 and is answering
    state, effects = handle(state, TimerFired(timer.name, timer.serial, NOW + timedelta(seconds=timer.seconds)))
    assert of_type(effects, RaiseHelpCall) == [] and of_type(effects, StartTimer)[0].seconds == 10


def test_an_unsure_emergency_answered_no_raises_nothing() -> None:
    state = _unsure_emergency(kiosk())
    state, turns = run(state, hear(state, "不是"))
    assert of_type(turns[0], RaiseHelpCall) == [] and state.screen == "home"
    _, late = run(state, TimerFired("question", state.serial, NOW + timedelta(seconds=10)))
    assert of_type(late[0], RaiseHelpCall) == []


def test_an_unsure_request_is_clarified_by_naming_what_was_understood() -> None:
    base = kiosk()
    state, effects = handle(base, hear(base, "买两斤鸡蛋", confidence=0.3))
    assert "您是要买两斤鸡蛋吗？" in said(effects) and state.visit.cart.empty
    state, turns = run(state, hear(state, "对"))
    assert "确定要下单吗？两斤鸡蛋" in said(turns[0])


def test_signup_is_read_back_with_when_and_then_sent() -> None:
    state, spoken, effects = talk(kiosk(), "我要报名明天的太极拳", "对")
    assert "确定要报名“太极拳晨练”吗？明天上午七点半" in spoken[0]
    assert of_type(effects, SignUp) == [SignUp(1, 7, "太极拳晨练")]


def test_signup_without_a_title_offers_the_activities() -> None:
    state, spoken, effects = talk(kiosk(), "我要报名", "包饺子", "是的")
    offered = "太极拳晨练，健康讲座：老年人防跌倒，社区包饺子，书法兴趣班"
    assert spoken[0].startswith(prompt("ask_activity", choices=offered))
    assert "社区包饺子" in spoken[1] and of_type(effects, SignUp) == [SignUp(3, 7, "社区包饺子")]


def test_ordinary_help_is_confirmed_and_not_an_emergency() -> None:
    _, spoken, effects = talk(kiosk(), "帮我换个灯泡", "好")
    assert "确定要呼叫帮助吗" in spoken[0]
    assert of_type(effects, RaiseHelpCall)[0].emergency is False


@pytest.mark.parametrize(("text", "volume", "rate"), [("大声点", 5, 2), ("小声点", 3, 2), ("说慢点", 4, 1)])
def test_speech_controls_work_mid_question_without_losing_it(text: str, volume: int, rate: int) -> None:
    state, _, _ = talk(kiosk(), "买两斤鸡蛋")
    after, spoken, effects = talk(state, text)
    assert of_type(effects, ApplySpeech) and after.visit.speech.volume_level == volume
    assert after.visit.speech.rate_index == rate and after.screen == "question"


def test_status_opens_my_requests() -> None:
    state, _, effects = talk(kiosk(), "我的订单怎么样了")
    assert state.screen == "my_requests" and of_type(effects, FetchRequests) == [FetchRequests(7)]


def test_not_understood_says_what_can_be_said() -> None:
    _, spoken, _ = talk(kiosk(), "你叫什么名字")
    assert prompt("not_understood") in spoken[0]


_UTTERANCES = [text for text, _ in load_corpus()] + ["两斤", "三个", "太极拳", "对", "不对"]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(_UTTERANCES), max_size=8))
def test_any_conversation_keeps_a_valid_state(script: list[str]) -> None:
    state, spoken, effects = talk(kiosk(), *script)
    view_of(state)
    assert all(spoken)
    for effect in effects:
        if isinstance(effect, PlaceOrder):
            assert effect.items and all(i["quantity"] > 0 for i in effect.items)


@pytest.mark.parametrize(("text", "kind", "draft"), [
    pytest.param("我要反映个问题", "problem", "", id="asking-only-keeps-no-text"),
    pytest.param("楼道灯坏了好几天了没人管", "problem", "楼道灯坏了好几天了没人管", id="the-problem-is-the-text"),
    pytest.param("我想提个建议", "suggestion", "", id="a-suggestion"),
])
def test_a_spoken_report_asks_the_category_then_sends_what_was_said(text: str, kind: str, draft: str) -> None:
    state, _spoken, _effects = talk(kiosk(), text)
    assert state.screen == "report_category" and state.visit.report is not None
    assert (state.visit.report.kind, state.visit.report.text) == (kind, draft)
    state, turns = run(state, tap("voice.category", "other"), tap("question.answer", "yes"))
    sent = [e for e in turns[-1] if isinstance(e, ReportFeedback)]
    assert sent == [ReportFeedback(WANG.resident_id, kind, "other", draft)] and state.screen == "notice"


def test_a_spoken_report_of_someone_unknown_asks_who_first_and_keeps_the_words() -> None:
    state, _spoken, _effects = talk(kiosk(identified=False), "电梯又坏了")
    assert state.screen != "report_category" and state.visit.report is not None
    assert state.visit.report.text == "电梯又坏了"
