"""Choosing among the recogniser's alternatives (kiosk.voice.choose) and reading Vosk's result JSON."""

from __future__ import annotations

import pytest

from kiosk.voice.choose import Alternative, choose
from kiosk.voice.intents import CONFIDENT, Intent, parse
from kiosk.voice.recognizer import alternatives_from_result

EMERGENCY = Intent("help", {"emergency": True})
EGGS = Intent("grocery_order", {"items": [{"name": "鸡蛋", "quantity": 2, "unit": "斤"}]})


def pick(context: dict, *alternatives: Alternative) -> Intent:
    return choose(alternatives, **context)


def test_one_alternative_is_what_parse_says(context: dict) -> None:
    got = pick(context, Alternative("帮我买两斤鸡蛋"))
    assert got == EGGS == parse("帮我买两斤鸡蛋", **context)
    assert got.confidence == parse("帮我买两斤鸡蛋", **context).confidence


def test_alternatives_that_mean_the_same_back_each_other(context: dict) -> None:
    agreeing = pick(context, Alternative("帮我买两斤鸡蛋", 0.5), Alternative("帮我买两斤鸡蛋吧", 0.5))
    split = pick(context, Alternative("帮我买两斤鸡蛋", 0.5), Alternative("帮我买两斤鸭蛋", 0.5))
    assert agreeing == split == EGGS
    assert agreeing.confidence > split.confidence


def test_a_less_likely_emergency_is_still_asked_about(context: dict) -> None:
    got = pick(context, Alternative("就明天吧", 0.7), Alternative("救命啊", 0.3))
    assert got == EMERGENCY and got.confidence < CONFIDENT


def test_a_very_unlikely_emergency_is_not(context: dict) -> None:
    got = pick(context, Alternative("帮我买两斤鸡蛋", 0.95), Alternative("救命啊", 0.05))
    assert got == EGGS


def test_a_winning_emergency_is_sure(context: dict) -> None:
    got = pick(context, Alternative("救命啊", 0.6), Alternative("就明啊", 0.4))
    assert got == EMERGENCY and got.confidence >= CONFIDENT


def test_unsure_words_make_an_unsure_answer(context: dict) -> None:
    sure = pick(context, Alternative("报名太极拳", 1.0, (("报名", 1.0), ("太极拳", 1.0))))
    unsure = pick(context, Alternative("报名太极拳", 1.0, (("报名", 0.2), ("太极拳", 0.3))))
    assert sure == unsure == Intent("activity_signup", {"activity_id": "a1"})
    assert unsure.confidence < sure.confidence


def test_nothing_heard_is_unknown(context: dict) -> None:
    assert pick(context) == Intent("unknown") and pick(context, Alternative("  ", 1.0)).confidence == 0.0


def test_vosk_n_best_json_becomes_weighted_alternatives() -> None:
    result = {"alternatives": [
        {"confidence": 100.0, "text": "救 命 啊", "result": [
            {"word": "救", "start": 0.0, "end": 0.3}, {"word": "命", "start": 0.3, "end": 0.6},
            {"word": "啊", "start": 0.6, "end": 0.8}]},
        {"confidence": 99.0, "text": "就 命 啊", "result": [
            {"word": "就", "start": 0.0, "end": 0.3}, {"word": "命", "start": 0.3, "end": 0.6},
            {"word": "啊", "start": 0.6, "end": 0.8}]},
        {"confidence": 50.0, "text": "", "result": []},
    ]}
    alternatives, raw = alternatives_from_result(result)
    assert raw == "救 命 啊" and [a.text for a in alternatives] == ["救命啊", "就命啊"]
    first, second = alternatives
    assert first.weight == pytest.approx(0.731, abs=1e-3) and second.weight == pytest.approx(0.269, abs=1e-3)
    assert dict(first.words) == pytest.approx({"救": 0.731, "命": 1.0, "啊": 1.0}, abs=1e-3)


def test_vosk_single_result_keeps_its_word_confidences() -> None:
    result = {"text": "两斤 鸡蛋", "result": [{"word": "两斤", "conf": 0.5}, {"word": "鸡蛋", "conf": 0.9}]}
    (only,), raw = alternatives_from_result(result)
    assert raw == "两斤 鸡蛋" and only == Alternative("两斤鸡蛋", 1.0, (("两斤", 0.5), ("鸡蛋", 0.9)))
    assert alternatives_from_result({"text": ""}) == ((), "")
