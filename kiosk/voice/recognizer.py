"""Speech in: Vosk streaming recognition of 16 kHz mono 16-bit PCM behind a small protocol.

Audio comes from a WAV file (:func:`wav_chunks`) or a microphone (:class:`MicrophoneSource`,
``arecord``); chunks go to :meth:`VoskRecognizer.accept`, which reports partial text through a
callback and returns a :class:`Final` when Vosk's endpointer hears the end of speech.

Vosk's grammar only biases decoding, and every grammar word must be in the model vocabulary
(``vosk_model_find_word``); :func:`known_phrases` splits phrases into known words first.
Chinese output has spaces between words; :class:`Final` carries the text without them.
"""

from __future__ import annotations

import json
import logging
import subprocess
import wave
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .normalise import strip_spaces

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
CHUNK_MS = 100
MAX_WORD_CHARS = 6
UNKNOWN_WORD = "[unk]"


@dataclass(frozen=True)
class Final:
    """One finished utterance.

    ``text``: recognised text with spaces between Chinese words removed.
    ``raw``: Vosk's text as returned (space-separated words).
    ``end_of_speech``: True when Vosk's endpointer closed the utterance (trailing silence),
    False when it was forced by :meth:`VoskRecognizer.finish` at the end of the audio.
    """

    text: str
    raw: str
    end_of_speech: bool


class Recognizer(Protocol):
    """What the kiosk needs from a speech recogniser."""

    def accept(self, pcm: bytes) -> Final | None:
        """Feed 16-bit mono PCM; return a Final when an utterance has ended."""

    def finish(self) -> Final:
        """Flush the audio fed so far into a Final (may be empty)."""

    def reset(self) -> None:
        """Forget any audio fed so far."""


def load_model(path: Path) -> Any:
    """Load a Vosk model from a directory (never by language: that would download)."""
    import vosk  # local import: only the voice runtime needs the native library

    vosk.SetLogLevel(-1)
    return vosk.Model(str(path))


def find_word(model: Any, word: str) -> bool:
    """True if *word* is in the model's vocabulary."""
    lookup = getattr(model, "find_word", None) or model.vosk_model_find_word
    return lookup(word) >= 0


def split_known(model: Any, phrase: str) -> list[str]:
    """Split *phrase* into words the model knows (greedy longest match); drop the rest."""
    words: list[str] = []
    for chunk in phrase.split():
        if find_word(model, chunk):
            words.append(chunk)
            continue
        i = 0
        while i < len(chunk):
            for length in range(min(MAX_WORD_CHARS, len(chunk) - i), 0, -1):
                if find_word(model, chunk[i : i + length]):
                    words.append(chunk[i : i + length])
                    i += length
                    break
            else:
                i += 1  # an unknown character: skip it
    return words


def known_phrases(model: Any, phrases: Iterable[str]) -> list[str]:
    """Grammar phrases as space-separated known words, deduplicated, plus ``[unk]`` if known."""
    out: list[str] = []
    for phrase in phrases:
        words = split_known(model, phrase)
        joined = " ".join(words)
        if joined and joined not in out:
            out.append(joined)
    if find_word(model, UNKNOWN_WORD):
        out.append(UNKNOWN_WORD)
    return out


class VoskRecognizer:
    """Streaming Vosk recogniser with a partial-text callback and optional grammar bias."""

    def __init__(
        self,
        model: Any,
        *,
        sample_rate: int = SAMPLE_RATE,
        phrases: Sequence[str] | None = None,
        on_partial: Callable[[str], None] | None = None,
    ) -> None:
        import vosk

        self._model, self._on_partial = model, on_partial
        grammar = known_phrases(model, phrases) if phrases else []
        if grammar:
            self._rec = vosk.KaldiRecognizer(model, sample_rate, json.dumps(grammar, ensure_ascii=False))
        else:
            self._rec = vosk.KaldiRecognizer(model, sample_rate)
        self.grammar: tuple[str, ...] = tuple(grammar)
        self._last_partial = ""

    def accept(self, pcm: bytes) -> Final | None:
        """Feed PCM; partial text goes to the callback; a Final is returned at end of speech."""
        if self._rec.AcceptWaveform(pcm):
            self._last_partial = ""
            return _final(self._rec.Result(), end_of_speech=True)
        partial = strip_spaces(json.loads(self._rec.PartialResult()).get("partial", ""))
        if partial and partial != self._last_partial:
            self._last_partial = partial
            if self._on_partial is not None:
                self._on_partial(partial)
        return None

    def finish(self) -> Final:
        """Flush whatever was heard since the last Final."""
        self._last_partial = ""
        return _final(self._rec.FinalResult(), end_of_speech=False)

    def reset(self) -> None:
        """Drop buffered audio (e.g. after the kiosk spoke, to ignore its own echo)."""
        self._rec.Reset()
        self._last_partial = ""


def _final(result_json: str, *, end_of_speech: bool) -> Final:
    raw = json.loads(result_json).get("text", "")
    return Final(strip_spaces(raw), raw, end_of_speech)


def wav_chunks(path: Path, chunk_ms: int = CHUNK_MS) -> Iterator[bytes]:
    """PCM chunks from a 16-bit mono WAV file (resample elsewhere, e.g. with sox)."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise ValueError(f"{path}: need 16-bit mono PCM, got {wav.getsampwidth() * 8}-bit x{wav.getnchannels()}")
        frames = max(1, wav.getframerate() * chunk_ms // 1000)
        while chunk := wav.readframes(frames):
            yield chunk


def transcribe(recognizer: Recognizer, chunks: Iterable[bytes]) -> list[Final]:
    """Run *chunks* through *recognizer*; every Final, including the flush at the end if non-empty."""
    finals = [final for chunk in chunks if (final := recognizer.accept(chunk)) is not None]
    last = recognizer.finish()
    if last.text:
        finals.append(last)
    return finals


def listen_once(recognizer: Recognizer, chunks: Iterable[bytes], *, max_seconds: float = 15.0) -> Final:
    """The first non-empty utterance from *chunks*, or the flush after ``max_seconds`` of audio."""
    heard = 0.0
    for chunk in chunks:
        final = recognizer.accept(chunk)
        if final is not None and final.text:
            return final
        heard += len(chunk) / (2 * SAMPLE_RATE)
        if heard >= max_seconds:
            break
    return recognizer.finish()


class MicrophoneSource:
    """16 kHz mono 16-bit PCM from ALSA's ``arecord`` (the command is replaceable for tests)."""

    def __init__(self, command: Sequence[str] | None = None, *, chunk_ms: int = CHUNK_MS) -> None:
        self._command = list(
            command or ["arecord", "-q", "-t", "raw", "-f", "S16_LE", "-c", "1", "-r", str(SAMPLE_RATE)]
        )
        self._chunk_bytes = 2 * SAMPLE_RATE * chunk_ms // 1000
        self._process: subprocess.Popen[bytes] | None = None

    def __iter__(self) -> Iterator[bytes]:
        """Yield chunks until the recorder ends or :meth:`close` is called."""
        self._process = subprocess.Popen(self._command, stdout=subprocess.PIPE)
        assert self._process.stdout is not None
        try:
            while chunk := self._process.stdout.read(self._chunk_bytes):
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        """Stop the recorder process."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=5)


def bias_phrases(catalog: Sequence[str], activity_titles: Sequence[str] = ()) -> list[str]:
    """Phrases worth biasing the Chinese model towards: commands, cue words, items, titles.

    Pass the result through :func:`known_phrases` (``VoskRecognizer(phrases=...)`` does).
    """
    from .keywords import FUZZY_WORDS
    from .synonyms import item_aliases

    items = [word for word, name in item_aliases(tuple(catalog)).items() if name is not None]
    commands = ["对", "不对", "是的", "好的", "算了", "帮我买", "我要报名", "帮帮我", "慢一点"]
    return list(dict.fromkeys([*commands, *FUZZY_WORDS, *items, *activity_titles]))
