"""Speech output seam: the kiosk speaks whatever it shows (EN 301 549 5.1.3.1).

Screens only know the :class:`Speaker` protocol. The real implementation lives in
``kiosk.voice.speaker.Pyttsx3Speaker`` (owned by the voice engineer) and is imported
lazily by :func:`load_speaker`; when it is missing or fails to start we fall back to a
:class:`LoggingSpeaker` and log a warning, so the kiosk still works silently.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from kiosk.core.settings import SpeechSettings

logger = logging.getLogger(__name__)


@runtime_checkable
class Speaker(Protocol):
    """Speaks text aloud. ``speak`` must not block the UI thread; a new text interrupts the old."""

    def speak(self, text: str) -> None:
        """Start speaking ``text`` (stopping anything still being spoken)."""

    def stop(self) -> None:
        """Stop speaking at once."""


@runtime_checkable
class AdjustableSpeaker(Speaker, Protocol):
    """A speaker whose loudness and speed can be changed from the settings screen."""

    def set_volume(self, volume: float) -> None:
        """Set loudness from 0.0 (silent) to 1.0 (loudest)."""

    def set_rate(self, words_per_minute: int) -> None:
        """Set speaking speed in words per minute (espeak-ng counts a syllable as a word)."""


class LoggingSpeaker:
    """Fallback speaker: logs what would be said and remembers the last utterances."""

    def __init__(self, history: int = 50) -> None:
        """Keep up to ``history`` recent utterances in :attr:`spoken`."""
        self.spoken: deque[str] = deque(maxlen=history)
        self.volume = 1.0
        self.rate = 140

    def speak(self, text: str) -> None:
        """Log ``text`` instead of speaking it."""
        self.spoken.append(text)
        logger.info("speak: %s", text)

    def stop(self) -> None:
        """Nothing to stop."""

    def set_volume(self, volume: float) -> None:
        """Remember the volume (for tests and the log)."""
        self.volume = volume

    def set_rate(self, words_per_minute: int) -> None:
        """Remember the rate (for tests and the log)."""
        self.rate = words_per_minute


def load_speaker(factory: Callable[[], Speaker] | None = None) -> Speaker:
    """Build the pyttsx3 speaker, or a :class:`LoggingSpeaker` with a warning if that fails."""
    try:
        if factory is None:
            from kiosk.voice.speaker import Pyttsx3Speaker  # lazy: pyttsx3 is optional here

            factory = Pyttsx3Speaker
        return factory()
    except Exception as exc:  # ImportError, missing espeak-ng, no audio device, ...
        logger.warning("speech output unavailable, the kiosk will stay silent: %r", exc)
        return LoggingSpeaker()


def apply_settings(speaker: Speaker, settings: SpeechSettings) -> None:
    """Pass volume and rate to the speaker if it supports them (logs when it does not)."""
    set_volume = getattr(speaker, "set_volume", None)
    set_rate = getattr(speaker, "set_rate", None)
    if set_volume is None or set_rate is None:
        logger.warning("speaker %s cannot change volume or speed", type(speaker).__name__)
        return
    try:
        set_volume(settings.volume)
        set_rate(settings.rate_wpm)
    except Exception:
        logger.exception("speaker %s refused new settings", type(speaker).__name__)
