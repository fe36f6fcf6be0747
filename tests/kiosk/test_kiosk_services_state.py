"""Pure parts of the services: times in words, cart, order stages, activities, visitors, requests."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.state.activities import Activity, Signup, card_lines, reminders, signup_result
from kiosk.state.cart import Cart, CatalogItem, quantity_text, yuan_text, yuan_words
from kiosk.state.orders import OrderSnapshot, OrderStage, order_stage, order_view
from kiosk.state.paging import page_of
from kiosk.state.requests import RequestRecord, row_lines
from kiosk.state.visitor import Visitor, nearby_candidates
from kiosk.state.when import clock_words, number_words, spoken_when, when_and_place
from kiosk.ui.chrome import caption_text

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SH)  # Wednesday


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.mark.parametrize(
    ("start", "words"),
    [
        pytest.param(at(28, 9), "本周六上午九点", id="this-saturday-morning"),
        pytest.param(at(25, 15), "今天下午三点", id="today"),
        pytest.param(at(26, 14, 30), "明天下午两点半", id="tomorrow-half-past-two"),
        pytest.param(at(29, 12), "本周日中午十二点", id="sunday-noon"),
        pytest.param(at(30, 19, 15), "下周一晚上七点十五分", id="next-monday-evening"),
        pytest.param(at(6, 8, 5, month=12), "下周日上午八点零五分", id="next-sunday-minutes-below-ten"),
        pytest.param(at(7, 9, month=12), "十二月七日上午九点", id="beyond-next-week"),
        pytest.param(at(26, 5), "明天凌晨五点", id="early-morning"),
        pytest.param(datetime(2026, 11, 28, 1, 0, tzinfo=ZoneInfo("UTC")), "本周六上午九点", id="utc-converted"),
    ],
)
def test_activity_times_are_said_in_words(start, words):
    assert spoken_when(start, NOW) == words


def test_when_and_place_reads_like_a_sentence():
    assert when_and_place(at(28, 9), "社区医院", NOW) == "本周六上午九点，社区医院"
    assert when_and_place(at(28, 9), "  ", NOW) == "本周六上午九点"


@pytest.mark.parametrize(("n", "words"), [(0, "零"), (2, "二"), (10, "十"), (15, "十五"), (20, "二十"), (42, "四十二")])
def test_number_words(n, words):
    assert number_words(n) == words


def test_two_oclock_is_liang_dian():
    assert clock_words(at(25, 2)) == "凌晨两点" and clock_words(at(25, 14)) == "下午两点"


TOMATO = CatalogItem(id=1, name="西红柿", category="蔬菜", unit="斤", price_fen=400)
RICE = CatalogItem(id=9, name="大米", category="粮油", unit="袋", price_fen=3500)


def test_cart_steps_half_a_jin_for_weighed_goods_and_one_for_the_rest():
    cart = Cart().add(TOMATO).add(RICE).add(TOMATO)
    assert [(ln.item.name, ln.quantity) for ln in cart.lines] == [("西红柿", 1.0), ("大米", 1.0)]
    assert cart.summary == "一斤西红柿，一袋大米"
    assert cart.speech == "购物车里有：一斤西红柿，一袋大米。按参考价大约三十九元。"
    assert cart.order_items() == [{"item_id": 1, "quantity": 1.0, "unit": "斤"}, {"item_id": 9, "quantity": 1.0,
                                                                                "unit": "袋"}]


def test_decreasing_below_one_step_removes_the_line():
    cart = Cart().add(TOMATO).decrease(1)
    assert cart.empty and cart.speech == "购物车是空的。"


def test_spoken_items_replace_amounts_and_keep_positions():
    cart = Cart().add(TOMATO).add(RICE).merged([(TOMATO, 3, None), (RICE, None, None)])
    assert [(ln.item.name, ln.quantity) for ln in cart.lines] == [("西红柿", 3.0), ("大米", 1.0)]


def test_another_unit_than_the_catalogs_has_no_estimate():
    assert Cart().merged([(TOMATO, 6, "个")]).estimated_fen is None


@pytest.mark.parametrize(("q", "unit", "text"), [(0.5, "斤", "半斤"), (1.5, "斤", "1斤半"), (2, "袋", "2 袋")])
def test_quantity_text(q, unit, text):
    assert quantity_text(q, unit) == text


def test_money_in_digits_for_the_eye_and_words_for_the_ear():
    assert (yuan_text(4250), yuan_words(4250), yuan_text(4300), yuan_words(4305)) == (
        "42.50 元", "四十二元五角", "43 元", "四十三元五分")


def _order(state: str, **extra: object) -> dict[str, object]:
    return {"id": 7, "state": state, "claimed_by": "李志愿", "amount_paid_fen": None,
            "items": [{"name": "西红柿", "quantity": 2, "unit": "斤"}], **extra}


@pytest.mark.parametrize(
    ("snap", "stage"),
    [
        pytest.param(OrderSnapshot("e"), OrderStage.SENDING, id="just-placed"),
        pytest.param(OrderSnapshot("e", elapsed_s=9), OrderStage.OFFLINE, id="slow-means-offline"),
        pytest.param(OrderSnapshot("e", reachable=False), OrderStage.OFFLINE, id="unreachable"),
        pytest.param(OrderSnapshot("e", outbox="rejected"), OrderStage.REJECTED, id="refused"),
        pytest.param(OrderSnapshot("e", outbox="delivered"), OrderStage.SUBMITTED, id="delivered-not-read-yet"),
        pytest.param(OrderSnapshot("e", order=_order("claimed")), OrderStage.CLAIMED, id="claimed"),
        pytest.param(OrderSnapshot("e", order=_order("delivered"), receipt="sent"), OrderStage.RECEIVED,
                     id="receipt-shown-at-once"),
    ],
)
def test_order_stage(snap, stage):
    assert order_stage(snap, offline_after_s=8) is stage


def test_bought_order_says_the_amount_in_words_and_shows_digits():
    view = order_view(OrderSnapshot("e", order=_order("bought", amount_paid_fen=1230)), duty_phone="1",
                      offline_after_s=8)
    assert (view.step_text, view.title) == ("第 4 步，共 5 步", "李志愿已买好，正在送来")
    assert view.detail == "一共花了 12.30 元。"
    assert "一共花了十二元三角" in view.speech and "两斤西红柿" in view.speech


def test_received_order_can_be_rated_once():
    received = OrderSnapshot("e", order=_order("received"))
    assert order_view(received, duty_phone="1", offline_after_s=8).can_rate
    assert not order_view(OrderSnapshot("e", order=_order("received"), rated=True), duty_phone="1",
                          offline_after_s=8).can_rate


CLINIC = Activity(id=3, title="社区义诊", place="社区医院", starts_at=at(28, 9), spots_left=0)


def test_activity_card_says_when_where_and_the_persons_state():
    waiting = Signup(activity_id=3, title="社区义诊", place="社区医院", starts_at=at(28, 9), state="waitlisted",
                     waitlist_position=2)
    assert card_lines(CLINIC, None, NOW) == ("社区义诊", "本周六上午九点，社区医院", "名额已满，可以候补")
    assert card_lines(CLINIC, waiting, NOW)[2] == "您在候补第 2 位"


def test_reminders_name_confirmed_signups_of_the_next_two_days():
    soon = Signup(activity_id=1, title="太极拳", place="小广场", starts_at=at(26, 7, 30), state="confirmed")
    later = Signup(activity_id=2, title="书法", place="活动室", starts_at=at(30, 9), state="confirmed")
    waiting = Signup(activity_id=3, title="义诊", place="医院", starts_at=at(25, 15), state="waitlisted")
    assert reminders([later, waiting, soon], NOW) == "提醒您：明天上午七点半，太极拳，在小广场。"
    assert reminders([later], NOW) == ""


@pytest.mark.parametrize(
    ("state", "answer", "cancelling", "text"),
    [
        pytest.param("pending", None, False, "正在办理，请稍等。", id="sending"),
        pytest.param("saved", None, False, "已经保存，联网后会自动发出。", id="offline"),
        pytest.param("delivered", {"state": "confirmed"}, False, "报名成功！到时候请准时参加。", id="confirmed"),
        pytest.param("delivered", {"state": "waitlisted", "waitlist_position": 1}, False,
                     "名额已满，您在候补第一位。有人取消时会自动补上。", id="waitlisted"),
        pytest.param("delivered", {"state": "cancelled"}, True, "已取消报名。", id="cancelled"),
        pytest.param("rejected", None, False, "没有办成：活动可能已经开始或已取消。请问工作人员。", id="refused"),
    ],
)
def test_signup_result(state, answer, cancelling, text):
    assert signup_result(state, answer, cancelling=cancelling) == text


def test_nearby_candidates_keep_signal_order_skip_unpaired_and_declined():
    bands = [{"resident_id": None}, {"resident_id": 4}, {"resident_id": 1}, {"resident_id": 4}, {"resident_id": 2}]
    assert nearby_candidates(bands, declined={1}) == [4, 2]


def test_visitor_greeting():
    visitor = Visitor.from_json({"id": 1, "polite_name": "王阿姨", "room": "3号楼201"}, code="0201")
    assert visitor.question == "王阿姨，您好！是您吗？" and visitor.to_json()["code"] == "0201"


def test_request_rows_show_kind_time_summary_and_rating():
    record = RequestRecord(kind="order", event_id="e", resident_id=1, created_at=at(25, 9).isoformat(),
                           summary="两斤西红柿", state="delivered", target_id=7)
    assert row_lines(record, NOW) == ("买菜代购 · 今天上午九点", "两斤西红柿", "已送到，可以评价")
    help_call = RequestRecord(kind="help", event_id="h", resident_id=1, created_at=at(24, 20).isoformat(),
                              summary="", state="accepted", detail="李志愿")
    assert row_lines(help_call, NOW) == ("呼叫帮助 · 昨天晚上八点", "请志愿者来帮忙", "志愿者已接单：李志愿")


def test_paging_clamps_and_labels():
    page = page_of(list(range(9)), 5, 4)
    assert (page.items, page.index, page.count, page.label) == ((8,), 2, 3, "第 3 页，共 3 页")
    assert not page.has_next and page.has_previous
    assert page_of([], 0, 4).label == ""


def test_caption_keeps_the_latest_words():
    assert caption_text("", listening=True) == "请说话，我在听……"
    assert caption_text("买两斤鸡蛋", listening=True) == "我听到：买两斤鸡蛋"
    assert caption_text("一二三四五六七八九十", listening=False, max_chars=4) == "我听到：…七八九十"


def test_reminder_window_is_two_days():
    far = Signup(activity_id=1, title="x", place="y", starts_at=NOW + timedelta(hours=49), state="confirmed")
    assert reminders([far], NOW) == ""


@pytest.mark.parametrize(("row", "title", "state"), [
    pytest.param({"kind": "help", "event_id": "phone-a-h", "state": "accepted", "state_label": "已接单",
                  "detail": "李志愿", "summary": "灯泡坏了", "created_at": "2026-12-07T01:00:00+00:00"},
                 "呼叫帮助（电话代录） · 今天上午九点", "志愿者已接单：李志愿", id="help-accepted"),
    pytest.param({"kind": "order", "event_id": "phone-a-o", "state": "bought", "state_label": "已买好，配送中",
                  "summary": "鸡蛋2斤", "target_id": 9, "created_at": "2026-12-07T01:00:00+00:00"},
                 "买菜代购（电话代录） · 今天上午九点", "已买好，正在送来", id="order-bought"),
    pytest.param({"kind": "signup", "event_id": "phone-a-s", "state": "waitlisted", "summary": "书法班",
                  "activity_id": 3, "created_at": "2026-12-07T01:00:00+00:00"},
                 "活动报名（电话代录）", "候补", id="signup-waitlisted"),
])
def test_what_the_desk_recorded_shows_in_my_requests(row: dict[str, object], title: str, state: str) -> None:
    record = RequestRecord.recorded_by_desk(row, 7)
    now = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert record.via_phone and record.event_id == row["event_id"]
    assert row_lines(record, now)[0] == title and row_lines(record, now)[2].startswith(state)
