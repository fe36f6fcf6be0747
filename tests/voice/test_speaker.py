"""Speech out through the real pyttsx3 + espeak-ng: Mandarin, audible, plausible, interruptible."""

from __future__ import annotations

import re
import shutil
import sys
import time
import wave
from array import array
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core.prompts import PROMPTS, order_summary, prompt, say_quantity, say_when
from kiosk.voice.speaker import Pyttsx3Speaker, default_engine


def test_espeak_ng_is_installed() -> None:
    """espeak-ng comes from scripts/bootstrap.sh; without it the kiosk is mute."""
    assert shutil.which("espeak-ng") is not None


SAMPLE_VALUES = {
    "item": "鸡蛋",
    "unit": "斤",
    "summary": "两斤鸡蛋，一袋大米",
    "choices": "太极拳晨练，社区包饺子",
    "title": "太极拳晨练",
    "when": say_when("2026-11-26T07:30:00+08:00"),
}
ALL_PROMPTS = [pytest.param(prompt(key, **SAMPLE_VALUES), id=key) for key in PROMPTS]
# Records each played file into a directory, then pretends to play for a while.
# The fake playback lasts 10 minutes: a stop or an interruption shows by ending it far sooner, with room to spare
# on a loaded machine (a player that is never stopped is killed by close()).
PLAYBACK_S = 600.0
FAKE_PLAYER = "import shutil, sys, time; shutil.copy(sys.argv[3], sys.argv[1]); time.sleep(float(sys.argv[2]))"


def wav_stats(path: Path) -> tuple[float, float]:
    """(duration in seconds, RMS amplitude) of a 16-bit mono WAV."""
    with wave.open(str(path)) as wav:
        frames = wav.readframes(wav.getnframes())
        duration = wav.getnframes() / wav.getframerate()
    samples = array("h", frames)
    rms = (sum(s * s for s in samples) / max(1, len(samples))) ** 0.5
    return duration, rms


def hanzi_count(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", text))


@pytest.fixture(scope="module")
def speaker() -> Iterator[Pyttsx3Speaker]:
    spk = Pyttsx3Speaker()
    yield spk
    spk.close()


class _RecordingEngine:
    """The real pyttsx3 engine, remembering what it was asked to say."""

    def __init__(self) -> None:
        self.engine, self.said = default_engine(), []

    def save_to_file(self, text: str, path: str) -> None:
        self.said.append(text)
        self.engine.save_to_file(text, path)

    def __getattr__(self, name: str) -> object:
        return getattr(self.engine, name)


def test_speaker_gives_espeak_tone_numbered_pinyin(tmp_path: Path) -> None:
    recording = _RecordingEngine()
    spk = Pyttsx3Speaker(engine_factory=lambda: recording)
    try:
        duration, rms = wav_stats(spk.render_to_wav("请在原地稍等，别着急。", tmp_path / "a.wav"))
    finally:
        spk.close()
    assert recording.said == ["qing3 zai4 yuan2 di4 shao1 deng3, bie2 zhao2 ji2."]
    assert duration > 1.0 and rms > 300


@pytest.mark.parametrize("text", ALL_PROMPTS)
def test_prompt_renders_to_audible_wav_of_plausible_length(text: str, speaker: Pyttsx3Speaker, tmp_path: Path) -> None:
    duration, rms = wav_stats(speaker.render_to_wav(text, tmp_path / "p.wav"))
    chars = hanzi_count(text)
    assert 0.1 * chars <= duration <= 0.6 * chars + 1.0
    assert rms > 300


def test_slower_rate_gives_longer_audio_and_lower_volume_quieter(tmp_path: Path) -> None:
    spk = Pyttsx3Speaker(rate=200)
    try:
        fast, loud = wav_stats(spk.render_to_wav("两斤鸡蛋，一袋大米，对吗？", tmp_path / "a.wav"))
        spk.set_rate(100)
        spk.set_volume(0.3)
        slow, quiet = wav_stats(spk.render_to_wav("两斤鸡蛋，一袋大米，对吗？", tmp_path / "b.wav"))
    finally:
        spk.close()
    assert slow > fast * 1.4
    assert quiet < loud * 0.6
    assert spk.rate == 100 and spk.volume == 0.3


def test_rate_and_volume_are_clamped(speaker: Pyttsx3Speaker) -> None:
    speaker.set_rate(5)
    speaker.set_volume(3.0)
    assert speaker.rate == 80 and speaker.volume == 1.0
    speaker.set_rate(140)


def _fake_player(played: Path, seconds: float) -> tuple[str, ...]:
    return (sys.executable, "-c", FAKE_PLAYER, str(played), str(seconds))


def test_speak_plays_queued_utterances_in_order(tmp_path: Path) -> None:
    played = tmp_path / "played"
    played.mkdir()
    spk = Pyttsx3Speaker(player=_fake_player(played / "x.wav", 0))
    try:
        durations = []
        for text in ("好的。", "已经帮您下单，志愿者会尽快送来。"):
            spk.speak(text)
            assert spk.wait_idle(10)
            durations.append(wav_stats(played / "x.wav")[0])
    finally:
        spk.close()
    assert durations[0] < durations[1]


def test_stop_interrupts_playback_and_drops_the_queue(tmp_path: Path) -> None:
    played = tmp_path / "played.wav"
    spk = Pyttsx3Speaker(player=_fake_player(played, PLAYBACK_S))
    try:
        spk.speak("第一句话。")
        spk.speak("第二句话。")
        deadline = time.monotonic() + 60
        while not played.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        played.unlink()
        started = time.monotonic()
        spk.stop()
        assert spk.wait_idle(60)
        assert time.monotonic() - started < PLAYBACK_S / 10  # interrupted: far short of the playback
        assert not played.exists()  # the second sentence was dropped
    finally:
        spk.close()


def _duration(path: Path) -> float | None:
    """Duration of a WAV that another process may be rewriting (None while incomplete)."""
    try:
        return wav_stats(path)[0]
    except (EOFError, OSError, wave.Error):
        return None


def test_speak_with_interrupt_cuts_off_the_current_utterance(tmp_path: Path) -> None:
    played = tmp_path / "played.wav"
    spk = Pyttsx3Speaker(player=_fake_player(played, PLAYBACK_S))
    try:
        spk.speak("第一句话。")
        deadline = time.monotonic() + 60
        while not played.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        first = _duration(played)
        started = time.monotonic()
        spk.speak("现在说第二句，比第一句长很多。", interrupt=True)
        while _duration(played) in (first, None) and time.monotonic() - started < PLAYBACK_S / 10:
            time.sleep(0.02)
        assert _duration(played) not in (first, None)  # did not wait for the first "playback" to end
    finally:
        spk.close()


def test_unknown_voice_fails_loudly() -> None:
    with pytest.raises(LookupError, match="not installed"):
        Pyttsx3Speaker(voice="xx-no-such-voice")


@pytest.mark.parametrize(
    ("quantity", "unit", "spoken"),
    [(2, "斤", "两斤"), (0.5, "斤", "半斤"), (1.5, "斤", "一斤半"), (12, "个", "十二个"), (None, None, "")],
)
def test_quantities_are_spoken_in_chinese(quantity: float | None, unit: str | None, spoken: str) -> None:
    assert say_quantity(quantity, unit) == spoken


def test_order_summary_reads_items_back() -> None:
    items = [{"name": "鸡蛋", "quantity": 2, "unit": "斤"}, {"name": "大米", "quantity": 1, "unit": "袋"}]
    assert order_summary(items) == "两斤鸡蛋，一袋大米"
    assert prompt("confirm_order", summary=order_summary(items)) == "两斤鸡蛋，一袋大米，对吗？"
