"""Exact behaviour of ``kiosk.voice.intents.parse`` on a core table, robustness and speed."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.voice.intents import CONFIDENT, INTENT_NAMES, Intent, parse

from .conftest import ACTIVITIES, CATALOG, NOW
from .test_corpus import load_corpus


def item(name: str, quantity: float | None = None, unit: str | None = None) -> dict:
    return {"name": name, "quantity": quantity, "unit": unit}


CORE = [
    pytest.param("救命", Intent("help", {"emergency": True}), id="jiuming"),
    pytest.param("就命啊", Intent("help", {"emergency": True}), id="jiuming-homophone"),
    pytest.param("我摔倒了", Intent("help", {"emergency": True}), id="fall"),
    pytest.param("胸口疼", Intent("help", {"emergency": True}), id="chest-pain"),
    pytest.param("喘不上气", Intent("help", {"emergency": True}), id="cannot-breathe"),
    pytest.param("老伴晕倒了", Intent("help", {"emergency": True}), id="fainting"),
    pytest.param("着火了", Intent("help", {"emergency": True}), id="fire"),
    pytest.param("帮我换个灯泡", Intent("help", {"emergency": False}), id="light-bulb"),
    pytest.param("陪我去医院", Intent("help", {"emergency": False}), id="hospital-company"),
    pytest.param("帮我取个快递", Intent("help", {"emergency": False}), id="parcel"),
    pytest.param("帮 我 买 两 斤 鸡蛋", Intent("grocery_order", {"items": [item("鸡蛋", 2, "斤")]}), id="spaced"),
    pytest.param("来三个番茄", Intent("grocery_order", {"items": [item("西红柿", 3, "个")]}), id="synonym"),
    pytest.param("半斤猪肉", Intent("grocery_order", {"items": [item("猪肉", 0.5, "斤")]}), id="half-jin"),
    pytest.param("一斤半猪肉", Intent("grocery_order", {"items": [item("猪肉", 1.5, "斤")]}), id="jin-and-half"),
    pytest.param("买3斤土豆", Intent("grocery_order", {"items": [item("土豆", 3, "斤")]}), id="arabic"),
    pytest.param(
        "两斤鸡蛋，一袋大米",
        Intent("grocery_order", {"items": [item("鸡蛋", 2, "斤"), item("大米", 1, "袋")]}),
        id="two-items",
    ),
    pytest.param("买鸡蛋", Intent("grocery_order", {"items": [item("鸡蛋")]}), id="no-amount"),
    pytest.param("帮我买一台电视", Intent("unknown", {}), id="not-in-catalog"),
    pytest.param("鸡蛋多少钱一斤", Intent("unknown", {}), id="price"),
    pytest.param("我要保名明天的太极拳", Intent("activity_signup", {"activity_id": "a1"}), id="signup-homophone"),
    pytest.param("我想学写毛笔字", Intent("activity_signup", {"activity_id": "a4"}), id="signup-by-topic"),
    pytest.param("下周三的活动我报名", Intent("activity_signup", {"activity_id": "a4"}), id="signup-by-day"),
    pytest.param("我要报名", Intent("activity_signup", {"activity_id": None}), id="signup-unnamed"),
    pytest.param("周五的讲座我去不了", Intent("activity_cancel", {"activity_id": "a2"}), id="cancel-by-day"),
    pytest.param("取消报名", Intent("activity_cancel", {"activity_id": None}), id="cancel-unnamed"),
    pytest.param("我的订单怎么样了", Intent("status", {}), id="status"),
    pytest.param("好的", Intent("confirm", {}), id="confirm"),
    pytest.param("嗯", Intent("confirm", {}), id="bare-en"),
    pytest.param("不对", Intent("deny", {}), id="deny"),
    pytest.param("算了", Intent("deny", {}), id="never-mind"),
    pytest.param("取消", Intent("deny", {}), id="bare-cancel"),
    pytest.param("再说一遍", Intent("repeat", {}), id="repeat"),
    pytest.param("回首页", Intent("home", {}), id="home"),
    pytest.param("大声点", Intent("volume", {"direction": "up"}), id="louder"),
    pytest.param("小声点", Intent("volume", {"direction": "down"}), id="quieter"),
    pytest.param("说慢点", Intent("slower", {}), id="slower"),
    pytest.param("嗯那个哎呀", Intent("unknown", {}), id="only-fillers"),
    pytest.param("", Intent("unknown", {}), id="empty"),
]


@pytest.mark.parametrize(("text", "want"), CORE)
def test_core_table_is_parsed_exactly(text: str, want: Intent, context: dict) -> None:
    assert parse(text, **context) == want


def test_intent_is_frozen() -> None:
    intent = Intent("confirm", {})
    with pytest.raises(AttributeError):
        intent.name = "deny"  # type: ignore[misc]


def test_confidence_defaults_to_sure_and_does_not_change_equality() -> None:
    assert Intent("confirm").confidence == 1.0
    assert Intent("help", {"emergency": True}, 0.3) == Intent("help", {"emergency": True})
    assert 0.0 < CONFIDENT < 1.0


def test_parse_gives_a_confidence_between_0_and_1(context: dict) -> None:
    assert all(0.0 <= parse(text, **context).confidence <= 1.0 for text, _ in load_corpus())


def test_day_words_resolve_relative_to_now() -> None:
    # The same words name a different activity one week later.
    later = NOW.replace(day=2)  # 2026-11-02, a Monday: 下周三 is 11-11, no activity then
    assert parse("报名明天的活动", catalog=CATALOG, activities=ACTIVITIES, now=NOW).slots == {"activity_id": "a1"}
    assert parse("报名下周三的活动", catalog=CATALOG, activities=ACTIVITIES, now=later).slots == {"activity_id": None}


def test_naive_now_and_naive_starts_work_together() -> None:
    activities = [{"id": 7, "title": "象棋比赛", "starts_at": "2026-11-26T09:00:00"}]
    got = parse("明天的活动我报名", catalog=[], activities=activities, now=datetime(2026, 11, 25, 9))
    assert got == Intent("activity_signup", {"activity_id": 7})


def test_catalog_spelling_wins_over_synonym_group() -> None:
    got = parse("来两斤西红柿", catalog=["番茄"], activities=[], now=NOW)
    assert got == Intent("grocery_order", {"items": [item("番茄", 2, "斤")]})


def test_catalog_name_containing_a_common_word_is_matched() -> None:
    got = parse("买一袋米", catalog=["东北大米"], activities=[], now=NOW)
    assert got == Intent("grocery_order", {"items": [item("东北大米", 1, "袋")]})


def test_malformed_activities_do_not_break_parsing() -> None:
    activities = [{"id": "x", "title": "太极", "starts_at": "not a date"}, {"id": "y"}]
    got = parse("报名太极", catalog=CATALOG, activities=activities, now=NOW)
    assert got == Intent("activity_signup", {"activity_id": "x"})


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parse_never_raises_on_arbitrary_text(text: str) -> None:
    got = parse(text, catalog=CATALOG, activities=ACTIVITIES, now=NOW)
    assert got.name in INTENT_NAMES


_SOUP = "救命帮我买两斤半鸡蛋番茄报名取消明天周六下三个一点五的了吗不对好 0123456789"
_CHINESE = st.text(alphabet=st.sampled_from(_SOUP), max_size=30)


@settings(max_examples=300, deadline=None)
@given(_CHINESE)
def test_parse_never_raises_on_keyword_soup(text: str) -> None:
    assert parse(text, catalog=CATALOG, activities=ACTIVITIES, now=NOW).name in INTENT_NAMES


def test_parse_is_fast_enough() -> None:
    texts = [text for text, _ in load_corpus()]
    for text in texts:  # warm the caches (lexicon, pinyin dictionaries)
        parse(text, catalog=CATALOG, activities=ACTIVITIES, now=NOW)
    # CPU time of this thread, so a busy CI machine preempting us does not count as parse time.
    p99 = min(_p99(texts) for _ in range(3))
    assert p99 < 0.005, f"p99 {p99 * 1000:.2f} ms"


def _p99(texts: list[str]) -> float:
    samples = []
    for text in texts:
        start = time.thread_time()
        parse(text, catalog=CATALOG, activities=ACTIVITIES, now=NOW)
        samples.append(time.thread_time() - start)
    samples.sort()
    return samples[int(len(samples) * 0.99)]


@settings(max_examples=100, deadline=None)
@given(
    st.text(max_size=20),
    st.lists(st.text(max_size=6), max_size=5),
    st.lists(
        st.fixed_dictionaries({"id": st.integers(), "title": st.text(max_size=8), "starts_at": st.text(max_size=25)}),
        max_size=3,
    ),
)
def test_parse_never_raises_on_odd_catalogs_and_activities(text: str, catalog: list[str], activities: list) -> None:
    assert parse(text, catalog=catalog, activities=activities, now=NOW).name in INTENT_NAMES
