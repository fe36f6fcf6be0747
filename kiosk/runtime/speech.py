"""Speech output: the kiosk speaks whatever it shows (EN 301 549 5.1.3.1).

There is ONE speaker protocol, :class:`kiosk.voice.speaker.Speaker`: ``speak`` queues a text
after what is being said, ``stop`` cuts it off and drops the queue. Whether a new text
interrupts is decided by the core (:class:`kiosk.core.effects.Speak` ``interrupt``, set for
what a tap or an utterance changed, not for news arriving on its own); the runtime then calls
``stop()`` before ``speak()``. The real implementation is ``kiosk.voice.speaker.Pyttsx3Speaker``
(owned by the voice engineer), built lazily by :func:`load_speaker`; when it cannot start we
fall back to a :class:`LoggingSpeaker` and log a warning, so the kiosk still works silently.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable

from kiosk.core.settings import SpeechSettings
from kiosk.voice.speaker import Speaker

logger = logging.getLogger(__name__)


class LoggingSpeaker:
    """Fallback speaker: logs what would be said and remembers the last utterances."""

    def __init__(self, history: int = 50) -> None:
        """Keep up to ``history`` recent utterances in :attr:`spoken`."""
        self.spoken: deque[str] = deque(maxlen=history)
        self.volume = 1.0
        self.rate = 140

    def speak(self, text: str) -> None:
        """Log ``text`` instead of speaking it (queued after nothing: it is instant)."""
        self.spoken.append(text)
        logger.info("speak: %s", text)

    def stop(self) -> None:
        """Nothing to stop."""

    def set_volume(self, volume: float) -> None:
        """Remember the volume (for tests and the log)."""
        self.volume = volume

    def set_rate(self, rate: int) -> None:
        """Remember the rate (for tests and the log)."""
        self.rate = rate

    def close(self) -> None:
        """Nothing to release."""


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


def apply_levels(speaker: Speaker, volume: float, rate_wpm: int) -> None:
    """Pass volume (0.2–1.0) and rate to the speaker if it supports them (logs when it does not)."""
    set_volume = getattr(speaker, "set_volume", None)
    set_rate = getattr(speaker, "set_rate", None)
    if set_volume is None or set_rate is None:
        logger.warning("speaker %s cannot change volume or speed", type(speaker).__name__)
        return
    try:
        set_volume(volume)
        set_rate(rate_wpm)
    except Exception:
        logger.exception("speaker %s refused new settings", type(speaker).__name__)


def apply_settings(speaker: Speaker, settings: SpeechSettings) -> None:
    """Pass a visit's (or the site's) speech settings to the speaker."""
    apply_levels(speaker, settings.volume, settings.rate_wpm)
