"""What is shown is said: for every screen and state of the core (both orientations), every
visible text — numbers and prices read in words — is in what 再听一遍 says, and entering a
screen names every choice on it."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from kiosk.core.flows.visitor import DIGIT_RUN
from kiosk.core.samples import SITE, all_spoken_texts, all_views
from kiosk.core.view import View, spoken_form
from kiosk.state.text import spoken_phone

_DROP = re.compile(r"[\s，。！？；：、“”‘’（）()…·,.!?;:\"'\-—/]")


def canonical(text: str) -> str:
    """Text as heard: no punctuation or spaces, 幺 and 两 as 一 and 二."""
    return _DROP.sub("", text).replace("幺", "一").replace("两", "二")


def readings(text: str) -> set[str]:
    """How a visible text may be read aloud: numbers as numbers, or digit by digit (codes, phones)."""
    digit_by_digit = DIGIT_RUN.sub(lambda m: spoken_phone(m.group()), text)
    return {canonical(spoken_form(text)), canonical(spoken_form(digit_by_digit))}


def visible_lines(view: View) -> list[str]:
    """Every line of text on the screen (a card's lines one by one)."""
    return [line for text in view.shown for line in text.split("\n") if line]


CASES = [(f"{'portrait' if portrait else 'landscape'}-{label}", view)
         for portrait in (False, True) for label, view in all_views(replace(SITE, portrait=portrait))]


@pytest.mark.parametrize("view", [view for _id, view in CASES], ids=[case_id for case_id, _v in CASES])
def test_every_visible_text_is_in_what_is_said(view: View) -> None:
    heard = canonical(view.full_speech)
    missing = [line for line in visible_lines(view) if not any(r in heard for r in readings(line))]
    assert missing == [], f"shown but never said: {missing}\nsaid: {view.full_speech}"


@pytest.mark.parametrize("view", [view for _id, view in CASES], ids=[case_id for case_id, _v in CASES])
def test_entering_a_screen_names_its_choices(view: View) -> None:
    heard = canonical(view.speech)
    unnamed = [c.shown for c in (*view.choices, *view.keys)
               if not any(r in heard for r in readings(c.lines[0] if c.lines else c.text))]
    assert unnamed == []


def test_the_case_count_is_reported() -> None:
    lines = sum(len(visible_lines(view)) for _id, view in CASES)
    assert len(CASES) >= 100 and lines >= 1000, (len(CASES), lines)


def test_all_spoken_texts_covers_every_screen_and_the_prompts() -> None:
    texts = all_spoken_texts()
    assert any("确定要下单吗" in t for t in texts) and any("您还在使用吗" in t for t in texts)
    assert any("已经呼叫紧急救助" in t for t in texts)
