"""The speech part of :class:`kiosk.app.KioskApp`: a kiosk speaks whatever it shows."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiosk.speech import SpeechSettings, apply_settings

if TYPE_CHECKING:
    from kiosk.app import KioskApp

logger = logging.getLogger("kiosk.app")


class SpeechMixin:
    """Speaking, repeating, and the volume / speed settings."""

    _preface: str
    last_spoken: str

    def announce(self: KioskApp, text: str) -> None:
        """Say ``text`` before the next screen's own speech (e.g. 王阿姨，您好！ and reminders)."""
        self._preface = text

    def speak(self: KioskApp, text: str) -> None:
        """Say ``text`` instead of whatever is still being said (errors are logged, never raised)."""
        text, self._preface = self._preface + text, ""
        self.last_spoken = text
        try:
            self.speaker.stop()  # the screen changed: the old text is no longer true
            self.speaker.speak(text)
        except Exception:
            logger.exception("speaker failed")

    def stop_speaking(self: KioskApp) -> None:
        """Cut the current utterance off (errors are logged)."""
        try:
            self.speaker.stop()
        except Exception:
            logger.exception("speaker failed to stop")

    def change_speech(self: KioskApp, settings: SpeechSettings) -> None:
        """Apply new volume / speed, show the levels and say a sample at the new setting."""
        self.speech_settings = settings
        apply_settings(self.speaker, settings)
        self.current_screen.refresh()
        self.speak(f"{settings.volume_text}，{settings.rate_text}。现在的声音是这样的。")
