"""Slots as people say them: amounts, items, activities and loudness (kiosk.voice.grocery / numbers / rules)."""

from __future__ import annotations

import pytest

from kiosk.voice.intents import Intent, parse
from kiosk.voice.numbers import first_quantity
from kiosk.voice.rules import volume_direction


def order(*items: tuple) -> Intent:
    return Intent("grocery_order", {"items": [{"name": n, "quantity": q, "unit": u} for n, q, u in items]})


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param("黄瓜要三根", order(("黄瓜", 3, "根")), id="amount-after"),
        pytest.param("酱油用完了，帮我捎一瓶", order(("酱油", 1, "瓶")), id="amount-later"),
        pytest.param("给我拿俩馒头", order(("馒头", 2, "个")), id="lia"),
        pytest.param("苹果来仨", order(("苹果", 3, "个")), id="sa-after"),
        pytest.param("鸡蛋要二十来个", order(("鸡蛋", 20, "个")), id="lai-about"),
        pytest.param("土豆称三斤多", order(("土豆", 3, "斤")), id="duo-more"),
        pytest.param("生姜来半斤", order(("生姜", 0.5, "斤")), id="half"),
        pytest.param("买斤半豆腐", order(("豆腐", 1.5, "斤")), id="jin-ban"),
        pytest.param("来斤猪肉", order(("猪肉", 1, "斤")), id="measure-word-alone"),
        pytest.param("香蕉来几根", order(("香蕉", None, None)), id="vague-ji"),
        pytest.param("买一些苹果", order(("苹果", None, None)), id="vague-yixie"),
        pytest.param("茄子来三四根", order(("茄子", None, None)), id="range-is-vague"),
        pytest.param("牛奶两盒，不对，三盒", order(("牛奶", 3, "盒")), id="correction"),
        pytest.param("大米要两袋算了一袋", order(("大米", 1, "袋")), id="correction-suanle"),
        pytest.param("来一斤苹果不对要梨不要了来一斤香蕉", order(("香蕉", 1, "斤")), id="declined"),
        pytest.param("两斤黄瓜，不是，茄子", order(("茄子", 2, "斤")), id="item-corrected"),
        pytest.param("白糖和盐都要一袋", order(("白糖", 1, "袋"), ("盐", 1, "袋")), id="dou-each"),
        pytest.param("我要两斤土豆，还要一袋面粉", order(("土豆", 2, "斤"), ("面粉", 1, "袋")), id="next-items-amount"),
        pytest.param("买两公斤面粉", order(("面粉", 2, "公斤")), id="unit-as-spoken"),
        pytest.param("来一斤红苕", order(("红薯", 1, "斤")), id="sichuan-name"),
        pytest.param("买两根落苏", order(("茄子", 2, "根")), id="shanghai-name"),
        pytest.param("整二斤洋柿子", order(("西红柿", 2, "斤")), id="northern-name"),
        pytest.param("割一斤肉", order(("猪肉", 1, "斤")), id="rou-is-pork"),
    ],
)
def test_amounts_and_items_as_people_say_them(text: str, want: Intent, context: dict) -> None:
    assert parse(text, **context) == want


@pytest.mark.parametrize(
    "text",
    ["上回送的苹果烂了好几个", "鸡蛋现在几块钱一斤", "帮我买两斤螃蟹", "我想吃红烧肉"],
)
def test_complaints_prices_and_other_shops_are_not_orders(text: str, context: dict) -> None:
    assert parse(text, **context).name == "unknown"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param("后天上午那个讲课的我去听", "a2", id="day-and-time-of-day"),
        pytest.param("星期六晚上那个我报名", "a7", id="saturday-evening"),
        pytest.param("星期六上午那个我报名", "a3", id="saturday-morning"),
        pytest.param("教写毛笔字的那个我想去", "a4", id="topic-paraphrase"),
        pytest.param("十二月一号那个检查身体的算我一个", "a6", id="absolute-date"),
        pytest.param("这个礼拜六的我报名", None, id="two-on-saturday"),
    ],
)
def test_activities_by_day_time_or_topic(text: str, want: str | None, context: dict) -> None:
    assert parse(text, **context) == Intent("activity_signup", {"activity_id": want})


@pytest.mark.parametrize("text", ["太极拳是几点开始的", "体检要不要带医保卡"])
def test_questions_about_an_activity_are_not_sign_ups(text: str, context: dict) -> None:
    assert parse(text, **context).name == "unknown"


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("声音太小了", "up"),
        ("太小声了，大点", "up"),
        ("你声音大些", "up"),
        ("声音 打 一 点", "up"),  # recognised by sound
        ("吵死人了", "down"),
        ("小点声", "down"),
        ("别那么大声嚷嚷", "down"),
    ],
)
def test_loudness_complaints_decide_before_requests(text: str, direction: str) -> None:
    assert volume_direction(text.replace(" ", "")) == direction


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [("十来个", 10, "个"), ("俩", 2, "个"), ("两斤多", 2, "斤"), ("二两", 2, "两"), ("半打", 0.5, "打")],
)
def test_colloquial_numbers(text: str, value: float, unit: str) -> None:
    found = first_quantity(text)
    assert found is not None and (found.value, found.unit) == (value, unit)


@pytest.mark.parametrize("text", ["五六个", "两三斤", "几个"])
def test_ranges_and_vague_amounts_are_no_amount(text: str) -> None:
    assert first_quantity(text) is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        pytest.param("我要反映个问题", Intent("report_problem", {"kind": "problem"}), id="report"),
        pytest.param("我想给社区提个建议", Intent("report_problem", {"kind": "suggestion"}), id="suggestion"),
        pytest.param("楼道灯坏了好几天了没人管", Intent("report_problem", {"kind": "problem"}), id="shared-place"),
        pytest.param("我家灯泡坏了帮我换一个", Intent("help", {"emergency": False}), id="own-home-is-help"),
        pytest.param("我被困在电梯里了", Intent("help", {"emergency": True}), id="danger-first"),
    ],
)
def test_reports_to_the_community_and_help_at_home(text: str, want: Intent, context: dict) -> None:
    assert parse(text, **context) == want
