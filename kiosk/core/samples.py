"""Every screen of the kiosk in every state worth seeing, made by driving :func:`handle`.

Used by the spoken-vs-shown test, the accessibility walk, the screenshots and the voice
engineer's pronunciation test (:func:`all_spoken_texts`). The data is a small made-up site:
four categories, three activities, a resident 王阿姨.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.core.events import (
    ActivitiesLoaded,
    CatalogLoaded,
    Event,
    HelpCallChanged,
    LookupAnswered,
    NearbyAnswered,
    OrderChanged,
    PointsLoaded,
    RepliesLoaded,
    RequestsLoaded,
    RollCallsLoaded,
    SignupAnswered,
    SiteAlertsLoaded,
    Tapped,
    Tick,
    VoiceReady,
)
from kiosk.core.handle import handle, view_of
from kiosk.core.prompts import PROMPTS
from kiosk.core.state import KioskState, Site, initial_state
from kiosk.core.view import View
from kiosk.state.activities import Activity, Signup
from kiosk.state.cart import CatalogItem
from kiosk.state.feedback import Points, Reply, RewardOffer
from kiosk.state.help_call import HelpCallSnapshot
from kiosk.state.orders import OrderSnapshot
from kiosk.state.requests import RequestRecord
from kiosk.state.visitor import Visitor

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
SITE = Site(site_name="幸福社区", place="社区中心大厅", duty_phone="010-6512 3456", greeting_wait_s=1.5)
CATALOG = (
    CatalogItem(1, "西红柿", "蔬菜", "斤", 400, picture_url="/static/catalog/1f345.svg"),
    CatalogItem(2, "大白菜", "蔬菜", "斤", 150, picture_url="/static/catalog/1f96c.svg"),
    CatalogItem(3, "土豆", "蔬菜", "斤", 250, picture_url="/static/catalog/1f954.svg"),
    CatalogItem(4, "鸡蛋", "肉蛋", "斤", 650, picture_url="/static/catalog/1f95a.svg"),
    CatalogItem(5, "大米", "粮油", "袋", 4250, picture_url="/static/catalog/1f35a.svg"),
    CatalogItem(6, "卫生纸", "日用", "提", 1890, picture_url="/static/catalog/1f9fb.svg"),
)
ACTIVITIES = (
    Activity(11, "社区义诊", "社区服务中心一楼大厅", NOW + timedelta(days=5, hours=-0.5),
             "请带上医保卡和常用药的药盒。", capacity=30, spots_left=18),
    Activity(12, "太极拳晨练", "小区南门广场", NOW + timedelta(days=1, hours=-2), "老师带着练，初学也可以。",
             capacity=20, spots_left=0, waitlisted=2),
    Activity(13, "手机课堂", "活动室", NOW + timedelta(days=9), "教大家用手机视频通话。", capacity=12, spots_left=5),
)
WANG = Visitor(7, "王阿姨", room="3-201", code="3201")
ALERTS = ({"kind": "sos", "state": "accepted", "place": "3号楼 201"}, {"kind": "help", "state": "open", "place": "5栋"})


def tap(target: str, arg: str = "") -> Tapped:
    """A tap long after the last one (no tap guard)."""
    return Tapped(target, NOW, arg)


def _drive(state: KioskState, *events: Event) -> KioskState:
    for event in events:
        state = handle(replace(state, guard_until=0.0), event)[0]
    return state


def started(site: Site = SITE) -> KioskState:
    """A kiosk with its data loaded and a voice model."""
    return _drive(initial_state(site, NOW), CatalogLoaded(CATALOG, True, NOW), ActivitiesLoaded(ACTIVITIES, True, NOW),
                  SiteAlertsLoaded(ALERTS, True, NOW, NOW), VoiceReady(True, NOW))


def known(state: KioskState) -> KioskState:
    """王阿姨 identified (via the keypad)."""
    state = _drive(state, tap("home.requests"))
    for key in ("3", "2", "0", "1", "确定"):
        state = _drive(state, tap("resident.key", key))
    signup = Signup(11, "社区义诊", "社区服务中心一楼大厅", ACTIVITIES[0].starts_at, "confirmed")
    return _drive(state, LookupAnswered("3201", "found", NOW, WANG, (signup,)))


def _help(state: KioskState) -> Iterator[tuple[str, KioskState]]:
    yield "confirm_help", _drive(state, tap("home.help"))
    raised = _drive(state, tap("home.help"), tap("question.answer", "yes"))
    yield "help_sending", raised
    yield "help_offline", _drive(raised, Tick(NOW + timedelta(seconds=20)))
    for name, alert in (("delivered", {"id": 5, "state": "open"}),
                        ("accepted", {"id": 5, "state": "accepted", "accepted_by": "李志愿"}),
                        ("resolved", {"id": 5, "state": "resolved"})):
        yield f"help_{name}", _drive(raised, HelpCallChanged(HelpCallSnapshot("e1", alert=alert, delivered=True), NOW))
    yield "help_rejected", _drive(raised, HelpCallChanged(HelpCallSnapshot("e1", rejected=True, reachable=True), NOW))
    yield "confirm_cancel", _drive(raised, tap("help.ask_cancel"))
    yield "help_cancelling", _drive(raised, tap("help.ask_cancel"), tap("question.answer", "yes"))


def _groceries(state: KioskState) -> Iterator[tuple[str, KioskState]]:
    shop = _drive(state, tap("home.groceries"))
    yield "grocery_categories", shop
    items = _drive(shop, tap("groceries.category", "蔬菜"))
    yield "grocery_items", items
    chosen = _drive(items, tap("groceries.add", "1"), tap("groceries.add", "1"))
    yield "grocery_items_chosen", chosen
    yield "grocery_items_page_2", _drive(chosen, tap("grocery_items.page", "1"))
    yield "cart_empty", _drive(shop, tap("groceries.cart"))
    full = _drive(chosen, tap("groceries.category", "粮油"), tap("groceries.add", "5"),
                  tap("groceries.category", "日用"), tap("groceries.add", "6"), tap("groceries.cart"))
    yield "cart", full
    yield "cart_page_2", _drive(full, tap("cart.page", "1"))
    line = _drive(full, tap("groceries.line", "1"))
    yield "cart_line", line
    yield "cart_delete_question", _drive(line, tap("groceries.change", "less"), tap("groceries.change", "less"))
    asked = _drive(full, tap("groceries.checkout"))
    yield "greeting_wait", asked
    yield "greet", _drive(asked, NearbyAnswered(asked.visit.attempt, WANG, (), NOW))
    keypad = _drive(asked, NearbyAnswered(asked.visit.attempt, None, (), NOW))
    yield "keypad_empty", keypad
    typed = _drive(keypad, tap("resident.key", "3"), tap("resident.key", "2"), tap("resident.key", "0"))
    yield "keypad_typed", typed
    yield "keypad_unknown", _drive(typed, tap("resident.key", "确定"), LookupAnswered("320", "unknown", NOW))
    yield "keypad_offline", _drive(typed, tap("resident.key", "确定"), LookupAnswered("320", "offline", NOW))
    confirm = _drive(typed, tap("resident.key", "确定"), LookupAnswered("320", "found", NOW, WANG))
    yield "confirm_order", confirm
    placed = _drive(confirm, tap("question.answer", "yes"))
    yield "order_sending", placed
    yield "order_offline", _drive(placed, Tick(NOW + timedelta(seconds=20)))
    base = OrderSnapshot("o1", summary="两斤西红柿", outbox="delivered")
    for name, order in (("submitted", {"id": 9, "state": "submitted"}),
                        ("claimed", {"id": 9, "state": "claimed", "claimed_by": "李志愿"}),
                        ("bought", {"id": 9, "state": "bought", "claimed_by": "李志愿", "amount_paid_fen": 4250}),
                        ("delivered", {"id": 9, "state": "delivered"})):
        yield f"order_{name}", _drive(placed, OrderChanged(replace(base, order=order), NOW))
    delivered = _drive(placed, OrderChanged(replace(base, order={"id": 9, "state": "delivered"}), NOW))
    yield "order_rejected", _drive(placed, OrderChanged(replace(base, outbox="rejected"), NOW))
    found = {"id": 9, "state": "delivered", "amount_paid_fen": 2050, "amount_due_fen": 2050,
             "estimated_total_fen": 1200, "needs_confirmation": True,
             "items": [{"line_id": 1, "name": "西红柿", "quantity": 2, "unit": "斤", "outcome": "bought"},
                       {"line_id": 2, "name": "鸡蛋", "quantity": 1, "unit": "斤", "outcome": "not_bought"},
                       {"line_id": 3, "name": "酱油", "quantity": 1, "unit": "瓶", "outcome": "substitute",
                        "substitute_name": "生抽", "substitute_price_fen": 1250}]}
    substitute = _drive(placed, OrderChanged(replace(base, order=found), NOW))
    yield "order_substitute", substitute
    declined = _drive(substitute, tap("groceries.substitute", "3:no"))
    yield "order_substitute_declined", declined
    yield "order_amount_question", _drive(declined, tap("groceries.received"))
    yield "order_amount_refused", _drive(declined, tap("groceries.received"), tap("question.answer", "no"))
    rating = _drive(delivered, tap("groceries.received"))
    yield "rating", rating
    yield "rating_chosen", _drive(rating, tap("rating.star", "4"))
    yield "rating_thanks", _drive(rating, tap("rating.star", "4"), tap("rating.submit"))


def _activities(state: KioskState) -> Iterator[tuple[str, KioskState]]:
    listed = _drive(state, tap("home.activities"))
    yield "activities", listed
    yield "activities_page_2", _drive(listed, tap("activities.page", "1"))
    yield "activities_offline", _drive(listed, ActivitiesLoaded((), False, NOW))
    detail = _drive(listed, tap("activities.detail_of", "11"))
    yield "activity_detail", detail
    yield "activity_detail_full", _drive(listed, tap("activities.detail_of", "12"))
    person = known(state)
    asked = _drive(person, tap("home.activities"), tap("activities.detail_of", "13"), tap("activities.act", "13"))
    yield "confirm_signup", asked
    sent = _drive(asked, tap("question.answer", "yes"))
    yield "signup_pending", sent
    yield "signup_confirmed", _drive(sent, SignupAnswered(13, "delivered", False, NOW, {"state": "confirmed"}))
    yield "signup_waitlisted", _drive(sent, SignupAnswered(13, "delivered", False, NOW,
                                                           {"state": "waitlisted", "waitlist_position": 2}))
    yield "confirm_cancel_signup", _drive(person, tap("home.activities"), tap("activities.detail_of", "11"),
                                          tap("activities.act", "11"))
    yield "my_activities", _drive(person, tap("home.activities"), tap("activities.mine"))


def _requests(state: KioskState) -> Iterator[tuple[str, KioskState]]:
    person = known(state)
    opened = _drive(person, tap("home.requests"))
    yield "my_requests_loading", opened
    records = (RequestRecord("order", "o1", 7, "2026-12-07T08:00:00+08:00", "两斤西红柿", target_id=9,
                             state="delivered"),
               RequestRecord("signup", "s1", 7, "2026-12-06T10:00:00+08:00", "社区义诊", activity_id=11),
               RequestRecord("help", "h1", 7, "2026-12-05T10:00:00+08:00", "", target_id=5, state="resolved"),
               RequestRecord("help", "phone-1", 7, "2026-12-04T10:00:00+08:00", "灯泡坏了", target_id=6,
                             state="accepted", detail="李志愿", via_phone=True))
    loaded = _drive(opened, RequestsLoaded(7, records, NOW))
    yield "my_requests", loaded
    yield "my_requests_page_2", _drive(loaded, tap("my_requests.page", "1"))
    yield "my_requests_empty", _drive(opened, RequestsLoaded(7, (), NOW))
    yield "checkin_thanks", _drive(person, tap("home.checkin"))
    asked = _drive(person, tap("home.checkin"), RollCallsLoaded(WANG.resident_id, ("高温",), NOW))
    yield "roll_call_question", asked
    yield "roll_call_safe", _drive(asked, tap("question.answer", "yes"))
    yield "roll_call_help", _drive(asked, tap("question.answer", "no"))


REPLIES = (Reply(21, "problem", "设施维修", "楼道灯已经换好了，谢谢您告诉我们。", NOW - timedelta(days=2)),
           Reply(22, "suggestion", "服务和活动", "读报小组下周一开始，每周一上午九点在活动室。",
                 NOW - timedelta(days=9)))
POINTS = Points(115, (RewardOffer(31, "免费理发一次", 60), RewardOffer(32, "一袋大米", 100),
                      RewardOffer(33, "家政服务一次", 200)), waiting=("一桶食用油",))


def _voice(state: KioskState) -> Iterator[tuple[str, KioskState]]:
    person = known(state)
    menu = _drive(person, tap("requests.voice"))
    yield "voice_menu", menu
    problem = _drive(menu, tap("voice.report", "problem"))
    yield "report_category", problem
    yield "report_category_suggestion", _drive(menu, tap("voice.report", "suggestion"))
    asked = _drive(problem, tap("voice.category", "facilities"))
    yield "report_confirm", asked
    yield "report_sent", _drive(asked, tap("question.answer", "yes"))
    replies = _drive(person, tap("home.checkin"), RepliesLoaded(WANG.resident_id, REPLIES, NOW))
    yield "reply", replies
    waiting = _drive(person, RepliesLoaded(WANG.resident_id, REPLIES[:1], NOW))
    yield "my_requests_reply_waiting", waiting
    yield "voice_menu_reply_waiting", _drive(waiting, tap("reply.show"), tap("reply.ok"), tap("requests.voice"),
                                             RepliesLoaded(WANG.resident_id, REPLIES[1:], NOW))
    yield "reply_last", _drive(replies, tap("reply.ok"))
    points = _drive(menu, tap("voice.points"))
    yield "my_points_loading", points
    yield "my_points_offline", _drive(points, PointsLoaded(WANG.resident_id, None, NOW))
    loaded = _drive(points, PointsLoaded(WANG.resident_id, POINTS, NOW))
    yield "my_points", loaded
    yield "my_points_page_2", _drive(loaded, tap("my_points.page", "1"))
    yield "my_points_short", _drive(loaded, tap("my_points.page", "1"), tap("points.pick", "33"))
    confirm = _drive(loaded, tap("points.pick", "32"))
    yield "redeem_confirm", confirm
    yield "redeemed", _drive(confirm, tap("question.answer", "yes"))


def _other(state: KioskState) -> Iterator[tuple[str, KioskState]]:
    yield "home", state
    yield "home_no_alerts", _drive(state, SiteAlertsLoaded((), True, NOW))
    yield "home_offline", _drive(state, SiteAlertsLoaded((), False, NOW, NOW - timedelta(minutes=5)))
    yield "home_no_voice", _drive(state, VoiceReady(False, NOW))
    yield "settings", _drive(state, tap("settings.open"))
    yield "settings_changed", _drive(state, tap("settings.open"), tap("settings.change", "slower"))
    groceries = _drive(state, tap("home.groceries"))
    yield "idle_warning", _drive(groceries, Tick(NOW + timedelta(seconds=state.site.idle_timeout_s + 1)))


def sample_states(site: Site = SITE) -> Iterator[tuple[str, KioskState]]:
    """(label, state) for every screen and state worth checking."""
    state = started(site)
    for part in (_other, _help, _groceries, _activities, _requests, _voice):
        yield from part(state)


def all_views(site: Site = SITE) -> Iterator[tuple[str, View]]:
    """(label, view) of every sample state."""
    for label, state in sample_states(site):
        yield label, view_of(state)


def all_spoken_texts() -> list[str]:
    """Every text the kiosk can say: each sample screen read in full, and every conversation prompt."""
    texts = [view.full_speech for _label, view in all_views()]
    return texts + [text for text in PROMPTS.values() if "{" not in text]
