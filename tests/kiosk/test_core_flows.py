"""The kiosk core, pure: touch flows, visits, idle, speech following the screen (no Kivy)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.core.effects import (
    ApplySpeech,
    CancelHelpCall,
    FindNearby,
    PlaceOrder,
    RaiseHelpCall,
    Remember,
    SignUp,
    Speak,
    StartTimer,
    StopSpeaking,
    SubmitRating,
)
from kiosk.core.events import (
    HelpCallChanged,
    LookupAnswered,
    NearbyAnswered,
    RequestsLoaded,
    Restored,
    SignupAnswered,
    Tick,
    TimerFired,
    Touched,
)
from kiosk.core.handle import SCREENS, TAPS, handle, view_of
from kiosk.core.samples import NOW, SITE, WANG, all_views, known, sample_states, started
from kiosk.core.state import Visit
from kiosk.core.view import MAX_MAIN_CHOICES
from kiosk.state.help_call import HelpCallSnapshot
from kiosk.state.requests import RequestRecord
from tests.kiosk.core_helpers import later, of_type, run, said, tap


@pytest.fixture
def kiosk():
    return started()


def test_every_screen_is_reached_by_the_samples() -> None:
    reached = {state.screen for _label, state in sample_states()}
    assert reached == set(SCREENS)


def test_every_choice_on_every_sample_screen_has_a_step() -> None:
    targets = {c.id for _l, v in all_views() for c in (*v.choices, *v.keys, *v.bar.choices)}
    assert targets - set(TAPS) == set()


@pytest.mark.parametrize("portrait", [False, True], ids=["landscape", "portrait"])
def test_no_screen_offers_more_than_four_main_choices(portrait: bool) -> None:
    for label, view in all_views(replace(SITE, portrait=portrait)):
        assert len(view.choices) <= MAX_MAIN_CHOICES, label
        assert len(view.bar.choices) <= 4, label


def test_touch_help_call_is_confirmed_then_raised_as_an_emergency_with_the_press_time(kiosk) -> None:
    state, turns = run(kiosk, tap("home.help", now=later(3)), tap("question.answer", "yes", now=later(5)))
    assert state.screen == "help_status" and of_type(turns[0], RaiseHelpCall) == []
    assert of_type(turns[1], RaiseHelpCall) == [RaiseHelpCall(emergency=True, occurred_at=later(5))]
    assert "正在发送" in said(turns[1])


def test_help_call_of_a_known_person_carries_their_id(kiosk) -> None:
    state, turns = run(known(kiosk), tap("home.help"), tap("question.answer", "yes"))
    assert of_type(turns[1], RaiseHelpCall)[0].resident_id == WANG.resident_id


def test_second_press_shows_the_running_call_instead_of_a_new_one(kiosk) -> None:
    state, turns = run(kiosk, tap("home.help"), tap("question.answer", "yes"), tap("nav.home"), tap("home.help"))
    assert state.screen == "help_status" and of_type(turns[3], RaiseHelpCall) == []


def test_cancel_is_asked_first_and_then_sent(kiosk) -> None:
    state, turns = run(kiosk, tap("home.help"), tap("question.answer", "yes"), tap("help.ask_cancel"))
    assert state.screen == "question" and of_type(turns[2], CancelHelpCall) == []
    state, turns = run(state, tap("question.answer", "yes"))
    assert of_type(turns[0], CancelHelpCall) == [CancelHelpCall()] and "正在取消呼叫" in said(turns[0])


def test_help_status_news_is_spoken_when_it_changes(kiosk) -> None:
    state, _ = run(kiosk, tap("home.help"), tap("question.answer", "yes"))
    news = HelpCallChanged(HelpCallSnapshot("e1", alert={"id": 3, "state": "accepted", "accepted_by": "李志愿"}), NOW)
    state, turns = run(state, news)
    assert "志愿者已接单：李志愿" in said(turns[0]) and "我没事" not in said(turns[0])
    _, again = run(state, news)
    assert said(again[0]) == ""


def test_a_call_that_cannot_be_delivered_says_the_duty_phone_digit_by_digit(kiosk) -> None:
    state, _ = run(kiosk, tap("home.help"), tap("question.answer", "yes"))
    _, turns = run(state, Tick(later(20)))
    assert "值班电话。零 幺 零，六 五 幺 二，三 四 五 六" in said(turns[0])


def test_restart_follows_the_call_raised_before(kiosk) -> None:
    state, _ = run(kiosk, Restored("e9", NOW))
    assert state.screen == "help_status" and state.data.help.event_id == "e9"


def test_deleting_from_the_cart_asks_first(kiosk) -> None:
    state, _ = run(kiosk, tap("home.groceries"), tap("groceries.category", "蔬菜"), tap("groceries.add", "1"),
                   tap("groceries.cart"), tap("groceries.line", "1"))
    state, _ = run(state, tap("groceries.change", "less"))
    assert state.screen == "question" and state.visit.cart.quantity_of(1) == 0.5
    kept, _ = run(state, tap("question.answer", "no"))
    assert kept.screen == "cart_line" and kept.visit.cart.quantity_of(1) == 0.5
    gone, turns = run(state, tap("question.answer", "yes"))
    assert gone.screen == "cart" and gone.visit.cart.empty and "去掉了西红柿" in said(turns[0])


def test_adding_an_item_says_only_what_changed(kiosk) -> None:
    state, _ = run(kiosk, tap("home.groceries"), tap("groceries.category", "蔬菜"))
    _, turns = run(state, tap("groceries.add", "1"))
    text = said(turns[0])
    assert "已选半斤" in text and "购物车里有：半斤西红柿" in text and "大白菜" not in text


def test_an_order_asks_who_is_there_then_reads_back_then_places(kiosk) -> None:
    state, turns = run(kiosk, tap("home.groceries"), tap("groceries.category", "蔬菜"), tap("groceries.add", "1"),
                       tap("groceries.add", "1"), tap("groceries.cart"), tap("groceries.checkout"))
    find = of_type(turns[-1], FindNearby)[0]
    assert of_type(turns[-1], StartTimer) == [StartTimer("greeting", find.attempt, SITE.greeting_wait_s)]
    state, turns = run(state, NearbyAnswered(find.attempt, WANG, (), NOW))
    assert state.screen == "greet" and "王阿姨，您好！是您吗？" in said(turns[0])
    state, turns = run(state, tap("greet.answer", "yes"))
    assert state.screen == "question" and "确定要下单吗？一斤西红柿" in said(turns[0])
    assert of_type(turns[0], Remember) == [Remember(WANG)] and "王阿姨，您好！" in said(turns[0])
    state, turns = run(state, tap("question.answer", "yes"))
    assert of_type(turns[0], PlaceOrder) == [PlaceOrder(7, ({"item_id": 1, "quantity": 1.0, "unit": "斤"},),
                                                        "一斤西红柿")]
    assert state.screen == "order_status" and state.visit.cart.empty


def test_no_wristband_answer_in_time_shows_the_keypad(kiosk) -> None:
    state, turns = run(kiosk, tap("home.activities"), tap("activities.mine"))
    attempt = of_type(turns[-1], FindNearby)[0].attempt
    state, _ = run(state, TimerFired("greeting", attempt, later(2)))
    assert state.screen == "resident"
    late, _ = run(state, NearbyAnswered(attempt, WANG, (), later(3)))
    assert late.screen == "resident"


def test_not_me_declines_that_band_and_shows_the_keypad(kiosk) -> None:
    state, turns = run(kiosk, tap("home.requests"))
    attempt = of_type(turns[0], FindNearby)[0].attempt
    state, _ = run(state, NearbyAnswered(attempt, WANG, (), NOW), tap("greet.answer", "no"))
    assert state.screen == "resident" and state.visit.declined == frozenset({7})


@pytest.mark.parametrize(("outcome", "note", "spoken"), [
    ("unknown", "没有找到号码 3201", "没有找到号码 三 二 零 幺"),
    ("offline", "暂时联系不上服务中心", "查不到号码 三 二 零 幺。请稍后再试，或拨打值班电话 零 幺 零")])
def test_keypad_says_why_a_code_was_not_accepted(kiosk, outcome: str, note: str, spoken: str) -> None:
    state, _ = run(kiosk, tap("home.requests"), TimerFired("greeting", 1, later(2)),
                   *[tap("resident.key", k) for k in "3201"], tap("resident.key", "确定"))
    state, turns = run(state, LookupAnswered("3201", outcome, NOW))
    assert note in view_of(state).piece("resident.note").text
    assert spoken in said(turns[0])


def test_after_signing_up_the_kiosk_never_says_how_to_sign_up(kiosk) -> None:
    state, _ = run(known(kiosk), tap("home.activities"), tap("activities.detail_of", "13"),
                   tap("activities.act", "13"))
    state, turns = run(state, tap("question.answer", "yes"))
    assert of_type(turns[0], SignUp) == [SignUp(13, 7, "手机课堂")]
    state, turns = run(state, SignupAnswered(13, "delivered", False, NOW, {"state": "confirmed"}))
    view = view_of(state)
    assert "报名成功" in said(turns[0]) and [c.text for c in view.choices] == ["看其他活动", "取消报名"]
    assert "要报名" not in view.full_speech and "“报名”" not in view.full_speech


def test_my_requests_takes_a_sign_ups_state_from_the_sign_ups(kiosk) -> None:
    person = known(kiosk)
    record = RequestRecord("signup", "s1", 7, "2026-12-06T10:00:00+08:00", "社区义诊", activity_id=11)
    state, _ = run(person, tap("home.requests"), RequestsLoaded(7, (record,), NOW))
    card = view_of(state).choices[0]
    assert card.lines[-1] == "已报名" and "正在报名" not in view_of(state).full_speech


def test_rating_is_sent_once_and_thanked(kiosk) -> None:
    state, _ = run(kiosk, tap("home.help"), tap("question.answer", "yes"),
                   HelpCallChanged(HelpCallSnapshot("e1", alert={"id": 5, "state": "resolved"}), NOW),
                   tap("help.rate"))
    state, turns = run(state, tap("rating.submit"))
    assert of_type(turns[0], SubmitRating) == [] and "请先点星星" in said(turns[0])
    state, turns = run(state, tap("rating.star", "5"), tap("rating.submit"))
    assert of_type(turns[1], SubmitRating) == [SubmitRating("alert", 5, 5, "", "e1")]
    assert state.screen == "notice" and ("alert", 5) in state.data.rated


def test_next_visit_starts_from_the_sites_defaults(kiosk) -> None:
    state, _ = run(known(kiosk), tap("settings.open"), tap("settings.change", "softer"),
                   tap("settings.change", "slower"), tap("home.groceries"), tap("groceries.category", "蔬菜"),
                   tap("groceries.add", "1"), tap("home.activities"), tap("activities.page", "1"))
    assert state.visit.speech != SITE.speech and not state.visit.cart.empty
    state, turns = run(state, Tick(later(SITE.idle_timeout_s + 1)))
    assert state.screen == "idle_warning" and "您还在使用吗？" in said(turns[0])
    state, turns = run(state, Tick(later(SITE.idle_timeout_s + 200)))
    assert state.screen == "home" and state.visit == Visit(speech=SITE.speech)
    assert ApplySpeech(SITE.speech.volume, SITE.speech.rate_wpm) in turns[0]


def test_grace_period_starts_after_the_warning_is_said_and_a_touch_restarts_it(kiosk) -> None:
    state, _ = run(kiosk, tap("home.groceries"), Tick(later(91)))
    grace_from = state.idle.grace_from
    assert grace_from is not None and grace_from > later(91).timestamp() + 1
    state, _ = run(state, Touched(later(110)))
    assert state.idle.grace_from == later(110).timestamp() and state.screen == "idle_warning"
    state, turns = run(state, tap("idle.still_here", now=later(111)))
    assert state.screen == "grocery_categories" and not state.idle.warning


def test_countdown_ticks_on_screen_without_being_spoken_every_second(kiosk) -> None:
    state, _ = run(kiosk, tap("home.groceries"), Tick(later(91)))
    start = state.idle.grace_from
    state, turns = run(state, Tick(later(start - NOW.timestamp() + 5)))
    assert view_of(state).piece("idle.countdown").text == "还有 25 秒回到首页" and said(turns[0]) == ""


def test_a_running_help_call_is_never_sent_home(kiosk) -> None:
    state, _ = run(kiosk, tap("home.help"), tap("question.answer", "yes"), Tick(later(1000)))
    assert state.screen == "help_status"


def test_home_after_a_finished_task_ends_the_visit_but_not_with_a_full_cart(kiosk) -> None:
    person = known(kiosk)
    state, _ = run(person, tap("nav.home"))
    assert state.visit.person is None
    state, _ = run(known(kiosk), tap("home.groceries"), tap("groceries.category", "蔬菜"), tap("groceries.add", "1"),
                   tap("nav.home"))
    assert state.visit.person is not None and not state.visit.cart.empty


def test_repeat_reads_the_whole_screen_and_the_bottom_bar(kiosk) -> None:
    state, turns = run(kiosk, tap("home.groceries"), tap("groceries.category", "蔬菜"), tap("nav.repeat"))
    text = said(turns[-1])
    assert "西红柿" in text and "下一页" in text and "换一类" in text and "购物车（零样）" in text
    assert "返回首页" in text and "再听一遍" in text


def test_taps_right_after_a_screen_change_are_ignored(kiosk) -> None:
    state, _ = handle(kiosk, tap("home.help"))
    same, effects = handle(state, tap("question.answer", "yes", now=later(0.2)))
    assert same.screen == "question" and effects == ()


def test_a_touch_stops_speech(kiosk) -> None:
    assert handle(kiosk, Touched(later(1)))[1] == (StopSpeaking(),)


def test_voice_off_says_so_when_the_microphone_is_pressed() -> None:
    state = replace(started(), data=replace(started().data, voice_ready=False))
    state, turns = run(state, tap("nav.mic"))
    assert "语音功能暂时不能用" in said(turns[0])
    assert view_of(state).bar.choices[-2].text == "语音未安装"


def test_speak_interrupts_for_taps_and_queues_for_news(kiosk) -> None:
    state, turns = run(kiosk, tap("home.help"), tap("question.answer", "yes"),
                       HelpCallChanged(HelpCallSnapshot("e1", delivered=True), NOW))
    assert of_type(turns[1], Speak)[0].interrupt is True and of_type(turns[2], Speak)[0].interrupt is False
