"""Edges of the services with a scripted portal: slow or missing greetings, offline look-ups,
touch and voice mixed, and no network call on the UI thread."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from tests.kiosk.fake_community import NOW
from tests.kiosk.fakes import FakePortal

pytestmark = pytest.mark.kivy


def _keypad(h, code: str) -> None:  # type: ignore[no-untyped-def]
    assert h.wait_until(lambda: h.screen == "resident", 30), h.texts()
    for key in code:
        h.tap(key)
    h.tap("确定")


def test_greeting_comes_from_the_portal_when_it_knows_the_band(make_harness, fake_portal):
    fake_portal.greet_by_id = True
    fake_portal.nearby = [{"address": "F0:00:00:00:00:02", "resident_id": 2, "rssi": -40},
                          {"address": "F0:00:00:00:00:01", "resident_id": 1, "rssi": -70}]
    h = make_harness(client=fake_portal, clock=lambda: NOW)
    h.tap("我的请求")
    assert h.wait_until(lambda: h.screen == "greet", 30) and h.has_text("李叔叔，您好！是您吗？")
    h.tap("不是")  # the next band is not offered: someone said no, so ask for the code
    _keypad(h, "0201")
    assert h.wait_for_text("王阿姨的请求", 30)


def test_slow_nearby_answer_does_not_keep_the_person_waiting(make_harness, fake_portal, kiosk_config):
    release = threading.Event()
    original = fake_portal.nearby_bands
    fake_portal.nearby = [{"resident_id": 1}]
    fake_portal.greet_by_id = True

    def slow(**kwargs):  # type: ignore[no-untyped-def]
        release.wait(90)  # answers only once the keypad is up
        return original(**kwargs)

    fake_portal.nearby_bands = slow  # type: ignore[method-assign]
    h = make_harness(replace(kiosk_config, greeting_wait_s=0.5), client=fake_portal)
    h.tap("我的请求")
    assert h.wait_until(lambda: h.screen == "resident", 30), "the keypad after greeting_wait_s"
    release.set()
    h.pump(0.5)
    assert h.screen == "resident", "a late greeting never jumps in"


def test_unknown_code_while_offline_says_so_with_the_duty_phone(make_harness, fake_portal):
    h = make_harness(client=fake_portal)
    fake_portal.set_reachable(False)
    h.tap("我的请求")
    _keypad(h, "0201")
    assert h.wait_for_text("暂时联系不上服务中心，查不到号码 0201", 30)
    assert h.has_text("010-6512 3456") and "零 二 零 幺" in h.spoken[-1]


def test_a_help_call_never_waits_for_identification(make_harness, fake_portal):
    asked, release = threading.Event(), threading.Event()

    def never_answers(**_kw):  # type: ignore[no-untyped-def]
        asked.set()
        release.wait(120)  # the portal says nothing until the test has seen the call raised
        return []

    fake_portal.nearby_bands = never_answers  # type: ignore[method-assign]
    h = make_harness(client=fake_portal)
    try:
        h.tap("买菜代购")
        h.tap("蔬菜")
        h.tap("groceries.add.1")
        h.tap("groceries.cart")
        h.tap("下单")  # who is there? (the portal does not say)
        assert asked.wait(30), "the kiosk asked the portal who is near"
        h.tap("返回首页")
        h.tap("呼叫帮助")
        h.tap("是，呼叫")
        assert h.wait_until(lambda: fake_portal.raised, 60), "raised while the question is still unanswered"
        assert not release.is_set() and "resident_id" not in fake_portal.raised[0]
    finally:
        release.set()


def test_touch_and_voice_share_one_cart_and_voice_waits_for_identification(make_harness, fake_portal):
    h = make_harness(client=fake_portal)
    assert h.wait_until(lambda: h.app.state.data.catalog, 30)
    h.tap("买菜代购")
    h.tap("粮油")
    h.tap("groceries.add.8")  # 大米, by touch
    h.hear("再来两斤鸡蛋")
    assert h.wait_until(lambda: h.screen == "resident", 30), "who is there, before anything is read back"
    _keypad(h, "0502")
    assert h.wait_until(lambda: h.screen == "confirm_order", 30)
    assert h.spoken[-1].startswith("李叔叔，您好！确定要下单吗？一袋大米，两斤鸡蛋")
    assert not any(p["path"] == "/api/v1/orders" for p in fake_portal.posts), "nothing sent before 对"
    h.hear("对")
    assert h.wait_for_text("已下单，等志愿者认领", 30)
    order = next(p for p in fake_portal.posts if p["path"] == "/api/v1/orders")
    assert order["body"]["resident_id"] == 2 and order["urgent"]
    assert [(i["item_id"], i["quantity"]) for i in order["body"]["items"]] == [(8, 1.0), (6, 2)]
    h.hear("我要买一袋大米")  # a new conversation starts from the now empty cart (the person is known)
    assert h.screen == "confirm_order" and "确定要下单吗？一袋大米。" in h.spoken[-1]


def test_spoken_signup_of_a_known_person_goes_straight_to_the_result(make_harness, fake_portal):
    h = make_harness(client=fake_portal, clock=lambda: NOW)
    h.tap("我的请求")
    _keypad(h, "0201")
    assert h.wait_for_text("王阿姨的请求", 30)
    h.hear("我要报名社区义诊")
    assert h.screen == "confirm_signup" and "确定要报名“社区义诊”吗？" in h.spoken[-1]
    h.hear("对")
    assert h.wait_for_text("报名成功", 30)
    assert fake_portal.signups[1][0]["state"] == "confirmed"


def test_offline_start_without_cache_explains_the_missing_catalog(make_harness):
    portal = FakePortal()
    portal.set_reachable(False)
    h = make_harness(client=portal)
    h.tap("买菜代购")
    assert h.wait_for_text("商品目录还没有下载好", 30)


def test_network_calls_never_run_on_the_ui_thread(make_harness, fake_portal):
    ui_thread = threading.current_thread()
    seen: list[str] = []
    for name in ("get_json", "nearby_bands", "fetch_static", "get_alert_for_event", "site_alerts"):
        original = getattr(fake_portal, name)

        def spy(*args, __original=original, __name=name, **kwargs):  # type: ignore[no-untyped-def]
            if threading.current_thread() is ui_thread:
                seen.append(__name)
            return __original(*args, **kwargs)

        setattr(fake_portal, name, spy)
    h = make_harness(client=fake_portal, clock=lambda: NOW)
    h.tap("买菜代购")
    h.tap("蔬菜")
    h.tap("groceries.add.1")
    h.tap("groceries.cart")
    h.tap("下单")
    _keypad(h, "0201")
    assert h.wait_until(lambda: h.screen == "confirm_order", 30)
    h.tap("是，下单")
    assert h.wait_for_text("已下单", 30)
    h.tap("返回首页")
    h.tap("活动报名")
    h.tap("activities.detail_of.1")
    assert seen == []


def test_substitute_is_asked_about_and_a_far_off_bill_needs_the_seniors_yes(make_harness, fake_portal):
    h = make_harness(client=fake_portal)
    assert h.wait_until(lambda: h.app.state.data.catalog, 30)
    h.tap("买菜代购")
    h.tap("粮油")
    h.tap("groceries.add.8")  # 大米
    h.tap("groceries.cart")
    h.tap("下单")
    _keypad(h, "0201")
    h.tap("是，下单")
    assert h.wait_for_text("已下单，等志愿者认领", 30)
    event_id = h.app.state.data.order.event_id
    fake_portal.set_order(event_id, "delivered", amount_paid_fen=7250, amount_due_fen=7250, estimated_total_fen=3500,
                          needs_confirmation=True, items=[
                              {"line_id": 1, "name": "大米", "quantity": 1, "unit": "袋", "outcome": "bought"},
                              {"line_id": 2, "name": "酱油", "quantity": 1, "unit": "瓶", "outcome": "substitute",
                               "substitute_name": "生抽", "substitute_price_fen": 1250}])
    assert h.wait_for_text("酱油没有了，志愿者买了生抽，12.50 元。您要吗？", 30), h.texts()
    assert not h.has_text("我收到了"), "the substitute is answered first"
    h.tap("不要")
    assert h.wait_for_text("一共 60 元", 30), h.texts()
    substitute = next(p for p in fake_portal.posts if p["path"].endswith("/substitutes"))
    assert substitute["body"] == {"line_id": 2, "accept": False}
    h.tap("我收到了")
    assert h.screen == "confirm_amount" and h.has_text("这次一共 60 元，您同意吗？")
    assert h.has_text("比参考价多 25 元。不同意的话，东西照样收下，工作人员会打电话和您核对。")
    assert "这次一共六十元，您同意吗？" in h.spoken[-1]
    h.tap("同意")
    assert h.wait_until(lambda: h.screen == "rating", 30)
    received = next(p for p in fake_portal.posts if p["path"].endswith("/confirm-received"))
    assert received["body"] == {"amount_fen": 6000, "amount_accepted": True}
