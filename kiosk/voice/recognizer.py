"""Speech in: Vosk streaming recognition of 16 kHz mono 16-bit PCM behind a small protocol.

Audio comes from a WAV file (:func:`wav_chunks`) or a microphone (:class:`MicrophoneSource`,
``arecord``); chunks go to :meth:`VoskRecognizer.accept`, which reports partial text through a
callback and returns a :class:`Final` when Vosk's endpointer hears the end of speech.

Vosk's grammar only biases decoding, and every grammar word must be in the model vocabulary
(``vosk_model_find_word``); :func:`known_phrases` splits phrases into known words first.
Chinese output has spaces between words; :class:`Final` carries the text without them.

With ``max_alternatives`` (default 3) Vosk returns its N best transcripts; :class:`Final`
carries them as :class:`~kiosk.voice.choose.Alternative` (weights from Vosk's scores, word
confidences from how many alternatives agree on each word) for
:func:`kiosk.voice.choose.choose`. With ``max_alternatives=0`` there is one alternative with
Vosk's own word confidences.
"""

from __future__ import annotations

import json
import logging
import math
import subprocess
import sys
import wave
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .choose import Alternative
from .normalise import strip_spaces

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
CHUNK_MS = 100
MAX_WORD_CHARS = 6
UNKNOWN_WORD = "[unk]"
QUIET_TAIL_MS = 600
"""After speech, this much quiet audio ends the utterance even if Vosk's endpointer has not
fired. Kaldi's rules wait 0.5 s of silence when the decoding looks final but 1–2 s otherwise;
on the test speech that made the end of speech -> answer latency swing from 0.7 to 1.9 s."""
QUIET_RATIO = 0.12
"""A chunk is quiet below this fraction of the loudest chunk of the utterance …"""
QUIET_FLOOR = 200.0
"""… or below this RMS (16-bit samples) at any rate."""
MAX_ALTERNATIVES = 3
"""How many transcripts Vosk is asked for (``SetMaxAlternatives``)."""


@dataclass(frozen=True)
class Final:
    """One finished utterance.

    ``text``: recognised text with spaces between Chinese words removed.
    ``raw``: Vosk's text as returned (space-separated words).
    ``end_of_speech``: True when Vosk's endpointer closed the utterance (trailing silence),
    False when it was forced by :meth:`VoskRecognizer.finish` at the end of the audio.
    ``alternatives``: every transcript Vosk considered, best first (the first is ``text``).
    """

    text: str
    raw: str
    end_of_speech: bool
    alternatives: tuple[Alternative, ...] = ()


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
        quiet_tail_ms: int | None = QUIET_TAIL_MS,
        max_alternatives: int = MAX_ALTERNATIVES,
    ) -> None:
        """``quiet_tail_ms`` None leaves the end of speech to Vosk's endpointer alone;
        ``max_alternatives`` 0 asks for one transcript with Vosk's word confidences."""
        import vosk

        self._model, self._on_partial = model, on_partial
        grammar = known_phrases(model, phrases) if phrases else []
        if not [phrase for phrase in grammar if phrase != UNKNOWN_WORD]:
            grammar = []  # "[unk]" alone would restrict decoding to nothing useful
        if grammar:
            self._rec = vosk.KaldiRecognizer(model, sample_rate, json.dumps(grammar, ensure_ascii=False))
        else:
            self._rec = vosk.KaldiRecognizer(model, sample_rate)
        if max_alternatives > 0:
            self._rec.SetMaxAlternatives(max_alternatives)
        self._rec.SetWords(True)
        self.grammar: tuple[str, ...] = tuple(grammar)
        self._sample_rate = sample_rate
        self._quiet_tail_ms = quiet_tail_ms
        self._last_partial = ""
        self._peak = 0.0
        self._quiet_ms = 0.0

    def accept(self, pcm: bytes) -> Final | None:
        """Feed PCM; partial text goes to the callback; a Final is returned at end of speech."""
        if self._rec.AcceptWaveform(pcm):
            self._forget_utterance()
            return _final(self._rec.Result(), end_of_speech=True)
        partial = strip_spaces(json.loads(self._rec.PartialResult()).get("partial", ""))
        if partial and partial != self._last_partial:
            self._last_partial = partial
            if self._on_partial is not None:
                self._on_partial(partial)
        if self._quiet_tail_ended(pcm, heard=bool(partial)):
            final = _final(self._rec.FinalResult(), end_of_speech=True)
            self._forget_utterance()
            return final
        return None

    def _quiet_tail_ended(self, pcm: bytes, *, heard: bool) -> bool:
        """True once ``quiet_tail_ms`` of quiet audio followed recognised speech."""
        if self._quiet_tail_ms is None:
            return False
        level = rms(pcm)
        self._peak = max(self._peak, level)
        if level < max(QUIET_FLOOR, QUIET_RATIO * self._peak):
            self._quiet_ms += 1000 * len(pcm) / (2 * self._sample_rate)
        else:
            self._quiet_ms = 0.0
        return heard and self._quiet_ms >= self._quiet_tail_ms

    def _forget_utterance(self) -> None:
        self._last_partial = ""
        self._peak = 0.0
        self._quiet_ms = 0.0

    def finish(self) -> Final:
        """Flush whatever was heard since the last Final."""
        self._forget_utterance()
        return _final(self._rec.FinalResult(), end_of_speech=False)

    def reset(self) -> None:
        """Drop buffered audio (e.g. after the kiosk spoke, to ignore its own echo)."""
        self._rec.Reset()
        self._forget_utterance()


def _final(result_json: str, *, end_of_speech: bool) -> Final:
    alternatives, raw = alternatives_from_result(json.loads(result_json))
    return Final(strip_spaces(raw), raw, end_of_speech, alternatives)


def alternatives_from_result(result: dict) -> tuple[tuple[Alternative, ...], str]:
    """Vosk's result JSON (N-best or single) -> (alternatives best first, the best raw text).

    N-best: weights are the softmax of Vosk's scores (log-likelihoods); a word's confidence is
    the total weight of the alternatives that have the same word at an overlapping time.
    Single: weight 1 and Vosk's own word confidences (``conf``).
    """
    if "alternatives" not in result:
        words = tuple((w["word"], float(w.get("conf", 1.0))) for w in result.get("result", ()))
        raw = result.get("text", "")
        return ((Alternative(strip_spaces(raw), 1.0, words),) if raw else ()), raw
    found = [a for a in result["alternatives"] if a.get("text", "").strip()]
    if not found:
        return (), ""
    top = max(float(a.get("confidence", 0.0)) for a in found)
    raw_weights = [math.exp(float(a.get("confidence", 0.0)) - top) for a in found]
    weights = [w / sum(raw_weights) for w in raw_weights]
    alternatives = []
    for alt, weight in zip(found, weights, strict=True):
        words = tuple(
            (w["word"], round(min(1.0, sum(wt for other, wt in zip(found, weights, strict=True)
                                            if _has_word(other, w))), 3))
            for w in alt.get("result", ())
        )
        alternatives.append(Alternative(strip_spaces(alt["text"]), round(weight, 4), words))
    order = sorted(range(len(found)), key=lambda i: -weights[i])
    return tuple(alternatives[i] for i in order), found[order[0]]["text"]


def _has_word(alternative: dict, word: dict) -> bool:
    """True if *alternative* has *word* at an overlapping time."""
    return any(
        w["word"] == word["word"] and w.get("start", 0) < word.get("end", 0) and word.get("start", 0) < w.get("end", 0)
        for w in alternative.get("result", ())
    )


def rms(pcm: bytes) -> float:
    """Root mean square of 16-bit little-endian mono samples."""
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) // 2 * 2])
    if sys.byteorder == "big":
        samples.byteswap()
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0


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
