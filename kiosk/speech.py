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
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

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


VOLUME_LEVELS = 5
RATE_NAMES = ("很慢", "慢", "正常", "快")
RATE_WPM = (100, 120, 140, 170)  # 140 = the voice engineer's DEFAULT_RATE, already slow


@dataclass(frozen=True, slots=True)
class SpeechSettings:
    """Volume and speed chosen on the settings screen, as levels a senior can read."""

    volume_level: int = 4
    """1 (softest) .. VOLUME_LEVELS (loudest)."""
    rate_index: int = 2
    """Index into RATE_NAMES / RATE_WPM."""

    @property
    def volume(self) -> float:
        """Loudness for the speaker, 0.2 .. 1.0."""
        return self.volume_level / VOLUME_LEVELS

    @property
    def rate_wpm(self) -> int:
        """Speaking speed for the speaker."""
        return RATE_WPM[self.rate_index]

    @property
    def volume_text(self) -> str:
        """E.g. ``音量：4 级（最大 5 级）`` (the screen breaks the line before the bracket)."""
        return f"音量：{self.volume_level} 级（最大 {VOLUME_LEVELS} 级）"

    @property
    def rate_text(self) -> str:
        """E.g. ``语速：慢``."""
        return f"语速：{RATE_NAMES[self.rate_index]}"

    @classmethod
    def site_default(cls, volume_level: int, rate_name: str) -> SpeechSettings:
        """The site's settings (from its configuration): where every visit starts."""
        rate = RATE_NAMES.index(rate_name if rate_name in RATE_NAMES else "正常")
        return cls(volume_level=max(1, min(VOLUME_LEVELS, volume_level)), rate_index=rate)

    def louder(self) -> SpeechSettings:
        """One volume level up (stays at the maximum)."""
        return replace(self, volume_level=min(VOLUME_LEVELS, self.volume_level + 1))

    def softer(self) -> SpeechSettings:
        """One volume level down (never silent: the kiosk must be able to speak)."""
        return replace(self, volume_level=max(1, self.volume_level - 1))

    def faster(self) -> SpeechSettings:
        """One speed step up."""
        return replace(self, rate_index=min(len(RATE_WPM) - 1, self.rate_index + 1))

    def slower(self) -> SpeechSettings:
        """One speed step down."""
        return replace(self, rate_index=max(0, self.rate_index - 1))


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
