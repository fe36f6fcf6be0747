"""Chinese line breaking: never a line starting with closing punctuation, numbers stay with their unit,
words stay whole."""

from __future__ import annotations

import pytest

from kiosk.core.linebreak import break_lines, phrases

CLOSING = "，。、；：！？）”"


def chars(n: int):  # type: ignore[no-untyped-def]
    return lambda line: len(line) <= n


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        pytest.param("语速：正常", 3, ["语速：", "正常"], id="word-kept-whole"),
        pytest.param("按参考价大约 12.25 元。", 9, ["按参考价大约", "12.25 元。"], id="price-with-its-unit"),
        pytest.param("还有 30 个名额", 7, ["还有 30 个", "名额"], id="count-with-its-measure-word"),
        pytest.param("还有 30 个名额", 6, ["还有", "30 个名额"], id="count-moves-with-its-measure-word"),
        pytest.param("已送达，正在通知志愿者", 5, ["已送达，", "正在通知", "志愿者"], id="comma-stays-behind"),
        pytest.param("第一行\n第二行", 10, ["第一行", "第二行"], id="newlines-kept"),
    ],
)
def test_lines_break_between_phrases(text, width, lines):
    assert break_lines(text, chars(width)) == lines


@pytest.mark.parametrize("width", [10, 12, 14, 16, 20])
def test_no_line_starts_with_closing_punctuation_and_nothing_is_lost(width):
    text = ("您好，这里是安心服务。请选择：呼叫帮助，买菜代购，活动报名，我的请求。"
            "按参考价大约 12.25 元，还有 30 个名额。")
    lines = break_lines(text, chars(width))
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line[:1] in CLOSING for line in lines), lines
    assert not any(line.endswith(("12.25", "30")) for line in lines), lines


@pytest.mark.parametrize("width", [2, 3, 4, 5, 6, 7, 8])
def test_even_very_narrow_lines_never_start_with_closing_punctuation(width):
    lines = break_lines("您好，这里是安心服务。请选择：呼叫帮助，买菜代购。", chars(width))
    assert not any(line[:1] in CLOSING for line in lines), lines


def test_a_phrase_longer_than_a_line_is_cut_where_unicode_allows():
    lines = break_lines("健康讲座：冬季防跌倒", chars(3))
    assert all(len(line) <= 3 for line in lines) and not any(line[:1] in CLOSING for line in lines)


def test_numbers_are_glued_to_what_follows():
    assert " 30 个" in phrases("还有 30 个名额")
