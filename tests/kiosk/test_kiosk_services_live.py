"""买菜代购, 活动报名, 我的请求 and ratings through the real app offscreen against a real portal process.

Touches are simulated on the real widgets; the portal is the seeded demo (catalog with pictures,
three activities, residents 王秀英 0201 / 李建国 0502 …); volunteers act on the portal's side.
"""

from __future__ import annotations

import uuid

import pytest

from kiosk.config import KioskConfig
from tests.conftest import LivePortal
from tests.kiosk import portal_side as side
from tests.kiosk.harness import KioskHarness

pytestmark = pytest.mark.kivy
WAIT = 15


def identify_by_keypad(h: KioskHarness, code: str) -> None:
    """Type a resident code on the keypad and press 确定."""
    assert h.wait_until(lambda: h.screen == "resident", WAIT), h.texts()
    for key in code:
        h.tap(key)
    h.tap("确定")


def tap_card(h: KioskHarness, screen: str, title: str) -> None:
    """Turn the pages of a card list until the card of ``title`` shows, and tap it."""
    for _ in range(10):
        cards = [w for w in h.widgets() if getattr(w, "kiosk_id", "").startswith("activities.detail_of")
                 and title in w.text]
        if cards:
            h.tap(cards[0].kiosk_id)
            return
        h.tap(next(w.kiosk_id for w in h.widgets() if getattr(w, "kiosk_id", "").startswith(f"{screen}.page")))
    raise AssertionError(f"no card {title!r}: {h.texts()}")


def test_grocery_order_by_touch_is_followed_until_received_and_rated(portal: LivePortal, live_config: KioskConfig):
    with KioskHarness(live_config) as h:
        h.tap("买菜代购")
        tile = "groceries.category.蔬菜"
        assert h.wait_until(lambda: getattr(h.find_or_none(tile), "has_picture", False), WAIT), "portal pictures"
        assert h.has_text("蔬菜\n（5 样）")
        h.tap(tile)
        h.tap("西红柿")  # half a 斤 per tap
        h.tap("西红柿")
        assert h.has_text("已选 1 斤") and "一斤西红柿" in h.spoken[-1]
        h.tap("换一类")
        h.tap("粮油")
        h.tap("大米")
        h.tap("groceries.cart")
        assert h.screen == "cart" and h.has_text("1 袋")
        assert h.wait_until(lambda: "西红柿，一斤" in h.spoken[-1] and "大米，一袋" in h.spoken[-1], WAIT)
        h.tap("大米")
        h.tap("多一点")
        h.tap("好了")
        h.tap("西红柿")
        h.tap("少一点")
        h.tap("好了")
        assert h.has_text("半斤") and h.has_text("2 袋")
        h.tap("下单")
        identify_by_keypad(h, "0201")
        assert h.wait_until(lambda: h.screen == "confirm_order", WAIT) and h.has_text("确定要下单吗？")
        assert h.wait_until(lambda: h.spoken[-1].startswith("王阿姨，您好！确定要下单吗？半斤西红柿，两袋大米。"), WAIT)
        h.tap("是，下单")
        assert h.wait_for_text("已下单，等志愿者认领", WAIT), h.texts()
        event_id = h.app.state.data.order.event_id  # type: ignore[union-attr]
        wang = side.resident_id(portal, "0201")
        with side.db(portal) as session:
            order = side.order_for_event(session, event_id)
            assert order is not None and order.resident_id == wang
            assert sorted((line.name, line.quantity, line.unit) for line in order.lines) == [
                ("大米", 2.0, "袋"), ("西红柿", 0.5, "斤")]
        side.volunteer_moves_order(portal, event_id, "claimed")
        assert h.wait_for_text("李志愿已认领，正在采购", WAIT), h.texts()
        side.volunteer_moves_order(portal, event_id, "bought", paid_fen=7230)
        assert h.wait_for_text("一共花了 72.30 元", WAIT), h.texts()
        assert any("七十二元三角" in s for s in h.spoken), "the amount is spoken in words"
        side.volunteer_moves_order(portal, event_id, "delivered")
        assert h.wait_for_text("我收到了", WAIT), h.texts()
        h.tap("我收到了")
        assert h.screen == "rating" and h.has_text("请给这次代购打分")
        h.tap("rating.star.5")
        h.tap("提交评价")
        assert h.has_text("谢谢您的评价")
        assert h.wait_until(lambda: h.app.client.pending_count() == 0, WAIT)  # type: ignore[union-attr]
    with side.db(portal) as session:
        order = side.order_for_event(session, event_id)
        assert order is not None and order.state == "received"
        order_id = order.id
    assert {"target_kind": "order", "target_id": order_id, "stars": 5, "comment": "", "resident_id": wang} \
        in side.ratings(portal)


def test_wristband_greeting_signup_waitlist_cancel_and_reminder(portal: LivePortal, live_config: KioskConfig):
    wang = side.resident_id(portal, "0201")
    soon = side.activity_soon(portal, f"太极拳晨练{uuid.uuid4().hex[:4]}", hours=3)
    side.kiosk_signs_up(portal, soon, wang, f"pre-{uuid.uuid4().hex}")  # signed up earlier, elsewhere
    full = side.activity_soon(portal, f"剪纸班{uuid.uuid4().hex[:4]}", hours=30, capacity=1)
    side.kiosk_signs_up(portal, full, side.resident_id(portal, "0502"), f"fill-{uuid.uuid4().hex}")
    with KioskHarness(live_config) as h:
        h.tap("我的请求")  # nobody known at this kiosk yet: the keypad, which also teaches the kiosk 王阿姨
        identify_by_keypad(h, "0201")
        assert h.wait_for_text("王阿姨的请求", WAIT)
        greeting = lambda: [s for s in h.spoken if "王阿姨，您好！提醒您：" in s]  # noqa: E731
        assert h.wait_until(greeting, WAIT), h.spoken[-3:]
        assert "太极拳晨练" in greeting()[-1] and "社区小广场" in greeting()[-1]
        h.tap("返回首页")
        side.bridge_hears(portal, [("F0:00:00:00:00:02", -80), ("F0:00:00:00:00:01", -45)])
        h.tap("活动报名")
        assert h.wait_for_text("名额已满，可以候补", WAIT), h.texts()
        tap_card(h, "activities", "剪纸班")
        assert h.has_text("候补报名")
        h.tap("候补报名")
        assert h.wait_until(lambda: h.screen == "greet", WAIT), h.texts()
        assert h.has_text("王阿姨，您好！是您吗？"), "the strongest band is 王阿姨's"
        h.tap("是")
        assert h.screen == "confirm_signup" and h.has_text("名额已满，可以候补")
        h.tap("是，报名")
        assert h.wait_for_text("您在候补第 1 位", WAIT) or h.wait_for_text("候补第一位", WAIT), h.texts()
        assert side.signups(portal, full).count((wang, "waitlisted")) == 1
        h.tap("取消报名")
        assert h.has_text("确定要取消报名")
        h.tap("是，取消报名")
        assert h.wait_for_text("已取消报名", WAIT), h.texts()
        assert (wang, "cancelled") in side.signups(portal, full)
        h.tap("返回首页")
        h.tap("活动报名")
        h.tap("我的活动")
        assert h.wait_until(lambda: h.screen == "greet", WAIT)
        h.tap("不是")  # someone else stands there: the keypad, and 王阿姨 is not asked again
        identify_by_keypad(h, "0502")
        assert h.wait_for_text("李叔叔的活动", WAIT) and h.wait_for_text("您已报名", WAIT), h.texts()


def test_help_call_of_a_known_resident_is_listed_and_rated_once_resolved(portal: LivePortal,
                                                                         live_config: KioskConfig):
    with KioskHarness(live_config) as h:
        h.tap("我的请求")
        identify_by_keypad(h, "1101")
        assert h.wait_until(lambda: h.screen == "my_requests", WAIT)
        h.hear("叫人来帮我一下")  # said while she is known: the call carries her resident id
        assert "确定要呼叫帮助吗" in h.spoken[-1], "an ordinary request is asked back first"
        h.hear("对")
        assert h.wait_for_text("已送达，正在通知志愿者", WAIT), h.texts()
        alert_id = int(h.app.state.data.help.alert["id"])  # type: ignore[union-attr,index]
        assert side.alert(portal, alert_id).resident_id == side.resident_id(portal, "1101")
        side.volunteer_resolves_alert(portal, alert_id)
        assert h.wait_for_text("评价这次帮忙", WAIT), h.texts()
        h.tap("评价这次帮忙")
        h.tap("rating.star.4")
        h.tap("提交评价")
        assert h.wait_until(lambda: h.app.client.pending_count() == 0, WAIT)  # type: ignore[union-attr]
        h.tap("返回首页")
        h.tap("我的请求")
        identify_by_keypad(h, "1101")
        assert h.wait_for_text("呼叫帮助", WAIT) and h.wait_for_text("已处理", WAIT), h.texts()
    assert any(r["target_kind"] == "alert" and r["target_id"] == alert_id and r["stars"] == 4
               for r in side.ratings(portal))


def test_spoken_grocery_order_reaches_the_portal(portal: LivePortal, live_config: KioskConfig):
    """Voice and touch in one flow: the order is said and confirmed aloud, the code is typed."""
    with KioskHarness(live_config) as h:
        assert h.wait_until(lambda: len(h.app.state.data.catalog) >= 14, WAIT), "catalog for the parser"
        h.hear("我要买两斤西红柿，还要一袋大米")
        identify_by_keypad(h, "0502")  # who is there first, then the read-back
        assert h.wait_until(lambda: h.screen == "confirm_order", WAIT), h.texts()
        assert "两斤西红柿，一袋大米" in h.spoken[-1]
        h.hear("对")
        assert h.wait_for_text("已下单，等志愿者认领", WAIT), h.texts()
        event_id = h.app.state.data.order.event_id  # type: ignore[union-attr]
    li = side.resident_id(portal, "0502")
    with side.db(portal) as session:
        order = side.order_for_event(session, event_id)
        assert order is not None and order.resident_id == li
        assert sorted((line.name, line.quantity, line.unit) for line in order.lines) == [
            ("大米", 1.0, "袋"), ("西红柿", 2.0, "斤")]


def test_portal_cut_off_mid_flow_loses_nothing(portal: LivePortal, live_config: KioskConfig):
    """Catalog, activities and the residents met are cached; requests are stored before they are sent."""
    with KioskHarness(live_config) as h:
        h.tap("我的请求")
        identify_by_keypad(h, "2104")  # 赵福生, met while online
        assert h.wait_until(lambda: h.screen == "my_requests", WAIT)
        assert h.wait_until(lambda: h.app.state.data.catalog and h.app.state.data.activities, WAIT)
        h.tap("返回首页")
        h.tap("买菜代购")
        h.tap("肉蛋")
        h.tap("鸡蛋")
        h.tap("groceries.cart")
        portal.stop()  # the network goes away in the middle of the order
        h.tap("下单")
        identify_by_keypad(h, "2104")  # answered from the cache
        assert h.wait_until(lambda: h.screen == "confirm_order", WAIT), h.texts()
        h.tap("是，下单")
        assert h.wait_for_text("暂时联系不上服务中心", WAIT) and h.has_text("联网后会自动发出"), h.texts()
        order_event = h.app.state.data.order.event_id  # type: ignore[union-attr]
        h.tap("返回首页")
        h.tap("活动报名")
        assert h.wait_for_text("网络中断，显示的是上次的信息", WAIT), h.texts()
        tap_card(h, "activities", "社区义诊")
        h.tap("报名")
        identify_by_keypad(h, "2104")
        assert h.wait_until(lambda: h.screen == "confirm_signup", WAIT)
        h.tap("是，报名")
        assert h.wait_for_text("已经保存，联网后会自动发出", WAIT), h.texts()
        assert h.app.client.pending_count() == 2  # type: ignore[union-attr]
    with KioskHarness(live_config) as h:  # the kiosk restarts, still offline
        h.tap("买菜代购")
        assert h.has_text("肉蛋\n（3 样）") and h.find("groceries.category.肉蛋").has_picture
        assert h.app.client.pending_count() == 2  # type: ignore[union-attr]
        portal.start()
        assert h.wait_until(lambda: h.app.client.pending_count() == 0, 60), "the outbox delivers by itself"
    zhao = side.resident_id(portal, "2104")
    with side.db(portal) as session:
        order = side.order_for_event(session, order_event)
        assert order is not None and order.resident_id == zhao
        assert [(line.name, line.quantity) for line in order.lines] == [("鸡蛋", 0.5)]
    clinic = next(a.id for a in h.app.state.data.activities if a.title == "社区义诊")
    assert side.signups(portal, clinic) == [(zhao, "confirmed")]


def test_a_report_is_answered_at_the_next_visit_and_points_buy_rice(portal: LivePortal, live_config: KioskConfig):
    wang = side.resident_id(portal, "0201")
    with KioskHarness(live_config) as h:
        h.tap("我的请求")
        identify_by_keypad(h, "0201")
        assert h.wait_for_text("王阿姨的请求", WAIT), h.texts()
        h.tap("反映问题 · 我的积分")
        h.tap("反映问题")
        h.tap("设施维修")
        assert h.has_text("确定要反映设施维修方面的问题吗？")
        h.tap("是，告诉社区")
        assert h.wait_for_text("已经告诉社区了", WAIT)
        assert h.wait_until(lambda: side.open_reports(portal, wang) == 1, WAIT), "the report reached the portal"
        feedback_id = side.grid_worker_replies(portal, wang, "楼道灯已经换好了")
        side.office_credits(portal, wang, 105)
        h.tap("返回首页")  # the visit ends; the next one hears the reply once identified
        h.tap("我今天很好")
        identify_by_keypad(h, "0201")
        assert h.wait_until(lambda: h.screen == "reply", WAIT), h.texts()
        assert h.wait_until(lambda: any("楼道灯已经换好了" in text for text in h.spoken), WAIT)
        h.tap("知道了")
        assert h.wait_until(lambda: side.feedback_row(portal, feedback_id).reply_heard_at is not None, WAIT)
        h.tap("返回首页")
        h.tap("我的请求")
        identify_by_keypad(h, "0201")
        assert h.wait_for_text("王阿姨的请求", WAIT)
        h.tap("反映问题 · 我的积分")
        h.tap("我的积分")
        assert h.wait_for_text("王阿姨的积分：105 分", WAIT), h.texts()
        rice = next(w.kiosk_id for w in h.widgets() if "一袋大米" in getattr(w, "text", "")
                    and getattr(w, "kiosk_id", "").startswith("points.pick"))
        h.tap(rice)
        h.tap("是，兑换")
        assert h.wait_for_text("请到服务台领取，工作人员会交给您。您还有 5 分。", WAIT)
        assert h.wait_until(lambda: ("一袋大米（5 公斤）", wang) in side.waiting_redemptions(portal), WAIT)
