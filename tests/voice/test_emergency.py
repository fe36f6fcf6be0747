"""The emergency detector (kiosk.voice.emergency) and how parse() turns its score into an Intent."""

from __future__ import annotations

import pytest

from kiosk.voice.emergency import danger_score, find_cues
from kiosk.voice.intents import CONFIDENT, EMERGENCY_AT, SURE_DANGER, Intent, parse
from kiosk.voice.normalise import normalise

EMERGENCY = Intent("help", {"emergency": True})


def danger(text: str) -> float:
    return danger_score(normalise(text))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("我这半边胳膊腿都使不上劲，嘴也歪了", id="stroke"),
        pytest.param("胸口跟压了块大石头一样", id="heart"),
        pytest.param("我憋得慌，气都喘不上来", id="breathing"),
        pytest.param("手上的血一直往外冒止不住", id="bleeding"),
        pytest.param("锅里的油溅了一脸，烫伤了", id="burn"),
        pytest.param("老伴突然抽搐，口吐白沫", id="seizure"),
        pytest.param("在厨房滑了一跤爬不起来", id="fall"),
        pytest.param("楼道里一股煤气味", id="gas"),
        pytest.param("我孙子吞了一颗纽扣电池", id="swallowed"),
        pytest.param("邻居老太太叫不醒了", id="someone-else"),
        pytest.param("遭了遭了屋头冒烟了", id="sichuan"),
        pytest.param("阿拉老头子跌跤了", id="shanghai"),
        pytest.param("俺栽倒了站不起来", id="northern"),
    ],
)
def test_described_dangers_are_sure_emergencies(text: str, context: dict) -> None:
    assert danger(text) >= SURE_DANGER
    got = parse(text, **context)
    assert got == EMERGENCY and got.confidence >= CONFIDENT


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("就 命 啊", id="homophone-and-spaces"),
        pytest.param("我 胸 口 疼", id="recogniser-spacing"),
        pytest.param("我心口疼的狠", id="homophones-de-hen"),
        pytest.param("救护 车 快 叫 就护车", id="repeated-homophone"),
        pytest.param("我喘上气", id="dropped-character"),
        pytest.param("我透不气了", id="dropped-in-a-long-cue"),
        pytest.param("快来人啊啊我摔的倒了", id="inserted-character"),
    ],
)
def test_misheard_dangers_are_still_emergencies(text: str, context: dict) -> None:
    assert parse(text, **context) == EMERGENCY


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("我有点头晕", id="lone-symptom"),
        pytest.param("肚子不太舒服", id="mild-pain"),
    ],
)
def test_a_lone_symptom_is_an_unsure_emergency(text: str, context: dict) -> None:
    """The dialog then asks 您是要紧急呼叫吗？ instead of dropping it."""
    assert EMERGENCY_AT <= danger(text) < SURE_DANGER
    got = parse(text, **context)
    assert got == EMERGENCY and got.confidence < CONFIDENT


def test_a_symptom_becomes_sure_with_urgency_or_someone_else() -> None:
    assert danger("我有点头晕") < SURE_DANGER
    assert danger("我头晕得厉害，快来人") >= SURE_DANGER
    assert danger("我老伴头晕站都站不住") >= SURE_DANGER


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("我没摔倒，就是想找人聊聊", id="negated"),
        pytest.param("防跌倒的讲座在哪里", id="talk-title"),
        pytest.param("上个月摔的那一下早就好了", id="healed"),
        pytest.param("电视里说有人煤气中毒", id="on-tv"),
        pytest.param("就明天吧", id="not-jiuming"),
        pytest.param("帮我把箱子搬到楼下", id="bandao-is-not-bandao"),
        pytest.param("帮我把垃圾倒了", id="rubbish-poured-out"),
    ],
)
def test_things_that_sound_like_danger_are_not_emergencies(text: str, context: dict) -> None:
    assert danger(text) < EMERGENCY_AT
    assert parse(text, **context) != EMERGENCY


def test_cues_report_how_they_matched() -> None:
    exact = {(h.word, h.quality) for h in find_cues("救命")}
    heard = {(h.word, h.quality) for h in find_cues("就命")}
    assert ("救命", 1.0) in exact
    assert any(word == "救命" and quality < 1.0 for word, quality in heard)
    assert not find_cues("今天天气不错")
