"""Speech out says the right sounds: prompts as tone-numbered pinyin, checked through espeak-ng's phonemes.

The intended reading of each prompt comes from pypinyin with its whole phrase dictionary,
run in a separate process (the kiosk loads only the polyphone phrases); the polyphones the
issue names and the digit rules are also checked against readings written by hand.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from kiosk.core.prompts import PROMPTS, order_summary, prompt, say_when
from kiosk.voice.reading import POLYPHONES, to_pinyin

from .test_speaker import SAMPLE_VALUES

VOICE = "cmn-latn-pinyin"
SPOKEN = {key: prompt(key, **SAMPLE_VALUES) for key in PROMPTS} | {
    "order_summary": order_summary([{"name": "西红柿", "quantity": 1.5, "unit": "斤"}]),
    "when": say_when("2026-12-02T14:00:00+08:00"),
}
"""Every prompt the voice dialog can say, with sample values in its placeholders."""
_REFERENCE = (
    "import json, sys; from pypinyin import Style, lazy_pinyin; "
    "print(json.dumps([lazy_pinyin(t, style=Style.TONE3, neutral_tone_with_five=True, errors='ignore') "
    "for t in json.loads(sys.stdin.read())]))"
)


def phonemes(text: str) -> str:
    """espeak-ng's phoneme mnemonics for *text* in the pinyin voice."""
    done = subprocess.run(["espeak-ng", "-q", "-x", "-v", VOICE, text], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


@cache
def reference_readings(texts: tuple[str, ...]) -> list[list[str]]:
    """Readings by pypinyin with its full phrase dictionary (a process without PYPINYIN_NO_PHRASES)."""
    env = {k: v for k, v in os.environ.items() if k != "PYPINYIN_NO_PHRASES"}
    done = subprocess.run([sys.executable, "-c", _REFERENCE], input=json.dumps(texts), capture_output=True,
                          text=True, check=True, env=env)
    return json.loads(done.stdout)


def syllables(pinyin: str) -> list[str]:
    return re.findall(r"[a-z]+[1-5]", pinyin)


def without_sandhi(readings: list[str]) -> list[str]:
    """一 and 不 change their tone with the next syllable (一点 yi4 dian3); either tone is right."""
    return [re.sub(r"^(yi|bu)[1-5]$", r"\1", r) for r in readings]


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        pytest.param("请在原地稍等", "qing3 zai4 yuan2 di4 shao1 deng3", id="yuandi"),
        pytest.param("您别着急", "nin2 bie2 zhao2 ji2", id="zhaoji"),
        pytest.param("已处理", "yi3 chu3 li3", id="chuli"),
        pytest.param("调整音量", "tiao2 zheng3 yin1 liang4", id="tiaozheng"),
        pytest.param("小心跌倒", "xiao3 xin1 die1 dao3", id="diedao"),
        pytest.param("重新说", "chong2 xin1 shuo1", id="chongxin"),
        pytest.param("还没到", "hai2 mei2 dao4", id="haimei"),
        pytest.param("银行", "yin2 hang2", id="yinhang"),
    ],
)
def test_polyphones_are_read_by_phrase(text: str, reading: str) -> None:
    assert to_pinyin(text) == reading
    assert phonemes(to_pinyin(text)) == phonemes(reading)


@pytest.mark.parametrize("text", ["原地", "着急", "已处理", "调整", "跌倒"])
def test_espeak_alone_reads_these_polyphones_wrongly(text: str) -> None:
    """Why the conversion exists: given the characters, espeak-ng picks another reading."""
    assert phonemes(text) != phonemes(to_pinyin(text))


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        pytest.param("取件码 9999", "qu3 jian4 ma3 jiu3 jiu3 jiu3 jiu3", id="code"),
        pytest.param("值班电话 010-6512 3456", "zhi2 ban1 dian4 hua4 ling2 yao1 ling2, liu4 wu3 yao1 er4, "
                     "san1 si4 wu3 liu4", id="landline"),
        pytest.param("13812345678", "yao1 san1 ba1 yao1 er4 san1 si4 wu3 liu4 qi1 ba1", id="mobile"),
        pytest.param("快打120", "kuai4 da3 yao1 er4 ling2", id="emergency-number"),
        pytest.param("1203室", "yi1 er4 ling2 san1 shi4", id="room"),
        pytest.param("一共 12.25 元。", "yi1 gong4 shi2 er4 dian3 er4 wu3 yuan2.", id="amount"),
        pytest.param("2个鸡蛋", "liang3 ge4 ji1 dan4", id="two-of"),
        pytest.param("7:30开始", "qi1 dian3 san1 shi2 fen1 kai1 shi3", id="clock"),
    ],
)
def test_numbers_codes_and_phones(text: str, reading: str) -> None:
    assert to_pinyin(text) == reading
    assert "jiu3 qian1" not in phonemes(to_pinyin(text))


def test_9999_is_four_digits_not_nine_thousand() -> None:
    assert phonemes(to_pinyin("9999")) == phonemes("jiu3 jiu3 jiu3 jiu3")
    assert phonemes("9999") != phonemes("jiu3 jiu3 jiu3 jiu3")


@pytest.mark.parametrize("key", list(SPOKEN))
def test_every_prompt_reads_as_intended(key: str) -> None:
    text = SPOKEN[key]
    intended = reference_readings(tuple(SPOKEN.values()))[list(SPOKEN).index(key)]
    mine = to_pinyin(text)
    assert without_sandhi(syllables(mine)) == without_sandhi(intended)
    said = phonemes(mine)  # espeak-ng knows every syllable: one phoneme group each, no English
    assert "(en)" not in said and said.count("_|") == len(intended)


def test_polyphone_table_is_small_and_loaded_once() -> None:
    assert POLYPHONES.stat().st_size < 400_000
    assert to_pinyin("银行行长") == "yin2 hang2 hang2 zhang3"


def test_committed_voice_data_is_what_the_build_script_makes() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYPINYIN_NO_PHRASES"}
    script = Path(__file__).parents[2] / "scripts" / "build_voice_data.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
