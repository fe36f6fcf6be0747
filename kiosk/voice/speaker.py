"""Speech out: pyttsx3 + espeak-ng (voice ``cmn-latn-pinyin``) on one worker thread.

pyttsx3 is driven from a single thread with one utterance per ``runAndWait`` (it breaks when
driven from two threads). With the espeak driver ``runAndWait`` can return before the
asynchronous synthesis has written the WAV, so each utterance also waits for pyttsx3's
``finished-utterance`` notification. A property change is queued in espeak's command FIFO
and is silently dropped if the next ``runAndWait`` cancels the FIFO first (pyttsx3 calls
``stop()`` when its loop ends), so after each change we wait for the FIFO to drain.
``pyttsx3.init`` caches one engine per driver: use one speaker per process.

With the ``cmn-latn-pinyin`` voice every text is first turned into tone-numbered pinyin by
:func:`kiosk.voice.reading.to_pinyin`, so polyphones (原地, 着急, 已处理) and digit codes are
read right; another voice gets the text as it is.

Each utterance is synthesised to a temporary WAV with ``save_to_file`` and played with
``aplay`` as a child process, so :meth:`Pyttsx3Speaker.stop` can cut it off at once when
the person touches the screen (pyttsx3's own ``say`` blocks inside ``os.system("aplay")``
and cannot be interrupted).
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .reading import to_pinyin

log = logging.getLogger(__name__)

VOICE = "cmn-latn-pinyin"
DEFAULT_RATE = 140  # words per minute; espeak's default 175 is fast for older listeners
MIN_RATE, MAX_RATE = 80, 260
PLAYER: tuple[str, ...] = ("aplay", "-q")


class Speaker(Protocol):
    """What the kiosk needs from speech output."""

    def speak(self, text: str) -> None:
        """Queue *text* to be spoken after what is already queued."""

    def stop(self) -> None:
        """Stop speaking now and drop everything queued."""

    def set_rate(self, rate: int) -> None:
        """Speaking rate in words per minute."""

    def set_volume(self, volume: float) -> None:
        """Volume from 0.0 to 1.0."""

    def close(self) -> None:
        """Stop and release the engine."""


@dataclass
class _Job:
    kind: str  # "say", "render", "rate", "volume", "quit"
    generation: int
    text: str = ""
    value: Any = None
    done: threading.Event | None = None
    error: BaseException | None = None


def default_engine() -> Any:
    """A pyttsx3 engine on the espeak(-ng) driver."""
    import pyttsx3  # local import: screens and pure tests never load the TTS stack

    return pyttsx3.init("espeak")


class Pyttsx3Speaker:
    """Queued, interruptible Mandarin speech with adjustable rate and volume."""

    def __init__(
        self,
        *,
        voice: str = VOICE,
        rate: int = DEFAULT_RATE,
        volume: float = 1.0,
        player: Sequence[str] = PLAYER,
        engine_factory: Callable[[], Any] = default_engine,
        reading: Callable[[str], str] | None = None,
    ) -> None:
        """``reading`` turns a text into what the voice is given (default: pinyin for ``cmn-latn-pinyin``)."""
        self._voice, self._player = voice, tuple(player)
        self._reading = reading or (to_pinyin if voice == VOICE else str)
        self._rate, self._volume = _clamp_rate(rate), _clamp_volume(volume)
        self._engine_factory = engine_factory
        self._jobs: queue.Queue[_Job] = queue.Queue()
        self._lock = threading.Lock()
        self._generation = 0
        self._playing: subprocess.Popen[bytes] | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="anxin-speaker", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._start_error is not None:
            raise self._start_error

    @property
    def rate(self) -> int:
        """Current rate (words per minute)."""
        return self._rate

    @property
    def volume(self) -> float:
        """Current volume (0.0 - 1.0)."""
        return self._volume

    def speak(self, text: str, *, interrupt: bool = False) -> None:
        """Queue *text*; returns at once. ``interrupt=True`` first stops what is being said."""
        if interrupt:
            self.stop()
        if text.strip():
            self._jobs.put(_Job("say", self._generation, text))

    def render_to_wav(self, text: str, path: Path, timeout: float = 30.0) -> Path:
        """Synthesise *text* into a 22,050 Hz mono WAV at *path* (on the worker thread)."""
        job = _Job("render", self._generation, text, Path(path), threading.Event())
        self._jobs.put(job)
        if not job.done.wait(timeout):  # type: ignore[union-attr]
            raise TimeoutError(f"rendering took more than {timeout} s")
        if job.error is not None:
            raise job.error
        return Path(path)

    def stop(self) -> None:
        """Interrupt the current utterance and forget the queued ones."""
        with self._lock:
            self._generation += 1
            if self._playing is not None and self._playing.poll() is None:
                self._playing.kill()

    def set_rate(self, rate: int) -> None:
        """Speaking rate, words per minute (clamped to 80-260); applies to the next utterance."""
        self._rate = _clamp_rate(rate)
        self._jobs.put(_Job("rate", self._generation, value=self._rate))

    def set_volume(self, volume: float) -> None:
        """Volume 0.0-1.0 (clamped); applies to the next utterance."""
        self._volume = _clamp_volume(volume)
        self._jobs.put(_Job("volume", self._generation, value=self._volume))

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until everything queued so far has been spoken (for tests and shutdown)."""
        marker = _Job("render", self._generation, "", None, threading.Event())
        self._jobs.put(marker)
        return marker.done.wait(timeout)  # type: ignore[union-attr]

    def close(self) -> None:
        """Stop speaking and end the worker thread."""
        self.stop()
        self._jobs.put(_Job("quit", self._generation))
        self._thread.join(timeout=10)

    # -- worker thread -------------------------------------------------------------------

    def _run(self) -> None:
        try:
            engine = self._engine_factory()
            engine.setProperty("voice", _voice_id(engine, self._voice))
            engine.setProperty("rate", self._rate)
            engine.setProperty("volume", self._volume)
            _wait_for_espeak_fifo()
            synth = _Synthesiser(engine, self._reading)
        except Exception as exc:  # reported to the constructor's caller
            self._start_error = exc
            self._ready.set()
            return
        self._ready.set()
        while True:
            job = self._jobs.get()
            if job.kind == "quit":
                break
            try:
                self._do(synth, job)
            except Exception as exc:
                job.error = exc
                log.exception("speech job %s failed", job.kind)
            finally:
                if job.done is not None:
                    job.done.set()
        synth.close()

    def _do(self, synth: _Synthesiser, job: _Job) -> None:
        if job.kind in ("rate", "volume"):
            synth.engine.setProperty(job.kind, job.value)
            _wait_for_espeak_fifo()
        elif job.kind == "render" and job.value is not None:
            synth(job.text, job.value)
        elif job.kind == "say" and job.generation == self._generation:
            self._say(synth, job)

    def _say(self, synth: _Synthesiser, job: _Job) -> None:
        fd, name = tempfile.mkstemp(prefix="anxin-tts-", suffix=".wav")
        os.close(fd)
        try:
            synth(job.text, Path(name))
            with self._lock:
                if job.generation != self._generation:
                    return  # stopped while synthesising
                self._playing = subprocess.Popen([*self._player, name])
            self._playing.wait()
        finally:
            with self._lock:
                self._playing = None
            Path(name).unlink(missing_ok=True)


class _Synthesiser:
    """Text -> WAV with one utterance per ``runAndWait``, waiting until the file is written."""

    def __init__(self, engine: Any, reading: Callable[[str], str] = str, timeout: float = 30.0) -> None:
        self.engine, self._reading, self._timeout = engine, reading, timeout
        self._finished = threading.Event()
        self._token = engine.connect("finished-utterance", self._on_finished)

    def _on_finished(self, **_: Any) -> None:
        self._finished.set()

    def __call__(self, text: str, path: Path) -> None:
        self._finished.clear()
        self.engine.save_to_file(self._reading(text), str(path))
        self.engine.runAndWait()
        if not self._finished.wait(self._timeout):
            raise TimeoutError(f"speech synthesis did not finish within {self._timeout} s")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.engine.disconnect(self._token)
            self.engine.stop()


def _wait_for_espeak_fifo(timeout: float = 2.0) -> None:
    """Let espeak apply queued parameter changes before the next utterance can cancel them."""
    try:
        from pyttsx3.drivers import _espeak  # private, but the only view of espeak's FIFO
    except ImportError:  # another driver: nothing to wait for
        return
    deadline = time.monotonic() + timeout
    while _espeak.IsPlaying() and time.monotonic() < deadline:
        time.sleep(0.005)


def _voice_id(engine: Any, wanted: str) -> str:
    """The engine's id for *wanted* (espeak lists ``sit/cmn-latn-pinyin``)."""
    for voice in engine.getProperty("voices"):
        if voice.id == wanted or str(voice.id).endswith("/" + wanted):
            return voice.id
    raise LookupError(f"TTS voice {wanted!r} not installed (apt-get install espeak-ng)")


def _clamp_rate(rate: int) -> int:
    return max(MIN_RATE, min(MAX_RATE, int(rate)))


def _clamp_volume(volume: float) -> float:
    return max(0.0, min(1.0, float(volume)))


def render_to_wav(text: str, path: Path, *, rate: int = DEFAULT_RATE, volume: float = 1.0) -> Path:
    """Convenience for tests and tools: a throw-away speaker renders *text* to *path*."""
    speaker = Pyttsx3Speaker(rate=rate, volume=volume)
    try:
        return speaker.render_to_wav(text, path)
    finally:
        speaker.close()
