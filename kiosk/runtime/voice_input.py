"""Push-to-talk: microphone (or WAV files) -> Vosk -> partial captions -> the recognised text.

The model is found with :func:`kiosk.voice.models.find_model` (or ``voice_model_path``) and
loaded once on a worker thread at start-up (~2 s). Each press of the microphone button
listens on another worker thread until Vosk's endpointer hears the end of speech (or
``MAX_LISTEN_S`` pass, or the button is pressed again); partial text and the final text reach
the UI thread through ``ui_call``. Without a model the state is ``unavailable`` and the app
says so when the button is pressed; everything else works by touch.

Audio: :class:`kiosk.voice.recognizer.MicrophoneSource` (``arecord``, 16 kHz mono), or the
WAV files of ``voice_wav_dir`` in name order (one per press), or WAVs queued by a test with
:meth:`VoiceInput.queue_wav`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, cast

from kiosk.runtime.workers import UiCall, kivy_ui_call

logger = logging.getLogger(__name__)
MAX_LISTEN_S = 12.0
FinalHandler = Callable[[str, tuple[Any, ...]], None]
"""Called with the best transcript and every alternative Vosk considered (``kiosk.voice.choose.Alternative``)."""


class VoiceInput:
    """The kiosk's ears: one model, one listening thread at a time."""

    def __init__(
        self,
        *,
        model_path: Path | None,
        wav_dir: Path | None = None,
        phrases: Callable[[], list[str]] = list,
        on_partial: Callable[[str], None] = lambda _text: None,
        on_state: Callable[[str], None] = lambda _state: None,
        ui_call: UiCall = kivy_ui_call,
        pace_wav: bool = False,
    ) -> None:
        """``phrases`` gives the current bias phrases (catalog items, activity titles) per press."""
        self.model_path = model_path
        self.state = "unavailable" if model_path is None else "loading"
        self._wav_dir = wav_dir
        self._wav_files: list[Path] = sorted(wav_dir.glob("*.wav")) if wav_dir and wav_dir.is_dir() else []
        self._next_wav = 0
        self._queued: deque[Path] = deque()
        self._phrases = phrases
        self._on_partial = on_partial
        self._on_state = on_state
        self._ui_call = ui_call
        self._pace = pace_wav
        self._model: Any = None
        self._stop = threading.Event()
        self._source: Any = None
        self.last_end_of_speech: float | None = None
        """``time.monotonic()`` when the last utterance's final text was ready (benchmarks)."""

    @property
    def available(self) -> bool:
        """A model exists (it may still be loading)."""
        return self.model_path is not None

    def start(self) -> None:
        """Load the model on a worker thread."""
        if self.model_path is None:
            logger.warning("no speech model installed: voice is unavailable, the kiosk works by touch "
                           "(install one with `anxin models install`)")
            return
        threading.Thread(target=self._load, name="kiosk-voice-model", daemon=True).start()

    def _load(self) -> None:
        from kiosk.voice.recognizer import load_model

        started = time.monotonic()
        try:
            model = load_model(self.model_path)  # type: ignore[arg-type]
        except Exception:
            logger.exception("speech model %s could not be loaded; voice is unavailable", self.model_path)
            self._set_state("unavailable")
            return
        self._model = model
        logger.info("speech model %s loaded in %.1f s", self.model_path, time.monotonic() - started)
        self._set_state("ready")

    def queue_wav(self, path: Path) -> None:
        """Test hook: the next press listens to this WAV file (16 kHz mono 16-bit)."""
        self._queued.append(Path(path))

    def listen(self, on_final: FinalHandler) -> bool:
        """Start listening; ``on_final(text)`` runs on the UI thread. False if not ready or busy."""
        if self.state != "ready" or self._model is None:
            return False
        self._stop.clear()
        self._set_state("listening")
        threading.Thread(target=self._listen, args=(on_final,), name="kiosk-voice-listen", daemon=True).start()
        return True

    def stop_listening(self) -> None:
        """End the current utterance now (the button was pressed again)."""
        self._stop.set()
        source = self._source
        if source is not None and hasattr(source, "close"):
            source.close()

    def _listen(self, on_final: FinalHandler) -> None:
        from kiosk.voice.recognizer import VoskRecognizer, listen_once

        text, alternatives = "", cast(tuple[Any, ...], ())
        try:
            recognizer = VoskRecognizer(self._model, phrases=self._phrases() or None, on_partial=self._partial)
            final = listen_once(recognizer, self._chunks(), max_seconds=MAX_LISTEN_S)
            text, alternatives = final.text, tuple(final.alternatives)
            self.last_end_of_speech = time.monotonic()
        except Exception:
            logger.exception("listening failed")
        finally:
            self._source = None
            self._set_state("ready")
        self._ui_call(lambda: on_final(text, alternatives))

    def _partial(self, text: str) -> None:
        self._ui_call(lambda: self._on_partial(text))

    def _chunks(self) -> Iterator[bytes]:
        source = self._next_source()
        self._source = source
        started = time.monotonic()
        sent = 0.0
        for chunk in source:
            if self._stop.is_set():
                break
            yield chunk
            if self._pace and isinstance(source, _WavSource):
                sent += len(chunk) / 32000
                time.sleep(max(0.0, started + sent - time.monotonic()))

    def _next_source(self) -> Iterable[bytes]:
        from kiosk.voice.recognizer import MicrophoneSource

        if self._queued:
            return _WavSource(self._queued.popleft())
        if self._wav_files:
            path = self._wav_files[self._next_wav % len(self._wav_files)]
            self._next_wav += 1
            return _WavSource(path)
        return MicrophoneSource()

    def _set_state(self, state: str) -> None:
        self.state = state
        self._ui_call(lambda: self._on_state(state))


class _WavSource:
    """A WAV file as a chunk source (like the microphone)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __iter__(self) -> Iterator[bytes]:
        from kiosk.voice.recognizer import wav_chunks

        return wav_chunks(self.path)


def find_voice_model(model_path: Path | None, models_dir: Path) -> Path | None:
    """The model to use: ``voice_model_path`` if it looks complete, else one installed in ``models_dir``."""
    from kiosk.voice.models import find_model, layout_problems

    if model_path is not None:
        problems = layout_problems(model_path) if model_path.is_dir() else ["missing"]
        if problems:
            logger.warning("voice_model_path %s is not a usable model: %s", model_path, "; ".join(problems))
            return None
        return model_path
    if not models_dir.is_dir():
        return None
    return find_model(models_dir)
