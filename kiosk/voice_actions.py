"""Carries out the voice dialog's actions on the kiosk app (the app side of kiosk.voice).

The pure dialog (:mod:`kiosk.voice.dialog`, owned by the voice engineer) turns what was
heard into actions; :class:`VoiceActions` feeds it and maps each action onto the same app
methods the touch screens use, so voice and touch can never disagree about state.
The recogniser loop (microphone -> Vosk -> text) is not wired yet: it should call
:meth:`VoiceActions.hear` on the UI thread (``Clock.schedule_once``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from kiosk.speech import SpeechSettings

logger = logging.getLogger(__name__)

SCREEN_FOR_VOICE = {"home": "home", "emergency": "help_status", "status": "help_status"}
"""Voice dialog screen names -> kiosk screens; order_* and activity screens are not built yet."""
RATE_STEPS_PER_DELTA = 20


class VoiceTarget(Protocol):
    """The app methods voice actions use (implemented by KioskApp)."""

    speech_settings: SpeechSettings

    def speak(self, text: str) -> None:
        """Say ``text``."""

    def go(self, name: str) -> None:
        """Show screen ``name``."""

    def open_coming_soon(self, service: str) -> None:
        """Show the "coming soon" screen for ``service``."""

    def raise_help_call(self, *, emergency: bool = True) -> None:
        """Raise a help call (or show the running one)."""

    def request_help_cancel(self) -> None:
        """Withdraw the running help call."""

    def change_speech(self, settings: SpeechSettings) -> None:
        """Apply new speech settings."""

    def stop_speaking(self) -> None:
        """Cut the current utterance off."""


class VoiceActions:
    """Holds the dialog state; ``hear(text)`` parses, advances the dialog and acts."""

    def __init__(
        self,
        app: VoiceTarget,
        *,
        catalog: Sequence[str] = (),
        now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    ) -> None:
        """``catalog``: the grocery item names the parser should recognise."""
        from kiosk.voice.dialog import DialogState

        self._app = app
        self._catalog = tuple(catalog)
        self._now = now
        self.state = DialogState()

    def hear(self, text: str) -> list[Any]:
        """Handle one recognised utterance; returns the actions carried out."""
        from kiosk.voice.dialog import Heard
        from kiosk.voice.intents import parse

        now = self._now()
        intent = parse(text, catalog=self._catalog, activities=self.state.activities, now=now)
        return self.feed(Heard(text, intent, now))

    def feed(self, event: Any) -> list[Any]:
        """Advance the dialog by ``event`` and carry out the resulting actions in order."""
        from kiosk.voice.dialog import handle

        self.state, actions = handle(self.state, event)
        for action in actions:
            self.execute(action)
        return list(actions)

    def execute(self, action: Any) -> None:
        """Carry out one dialog action on the app (unsupported ones are logged and explained)."""
        from kiosk.voice import messages as m

        app = self._app
        if isinstance(action, m.Speak):
            app.speak(action.text)
        elif isinstance(action, m.Show):
            self._show(action.screen)
        elif isinstance(action, m.RaiseAlert):
            app.raise_help_call(emergency=action.emergency)
        elif isinstance(action, m.CancelAlert):
            app.request_help_cancel()
        elif isinstance(action, m.StopSpeaking):
            app.stop_speaking()
        elif isinstance(action, m.ChangeVolume):
            s = app.speech_settings
            app.change_speech(s.louder() if action.direction == "up" else s.softer())
        elif isinstance(action, m.ChangeRate):
            s = app.speech_settings
            for _ in range(max(1, abs(action.delta) // RATE_STEPS_PER_DELTA)):
                s = s.faster() if action.delta > 0 else s.slower()
            app.change_speech(s)
        else:  # SubmitOrder, SignUp, CancelSignUp, QueryStatus: portal endpoints not there yet
            logger.warning("voice action %r is not supported by the kiosk yet", action)
            service = "活动报名" if "SignUp" in type(action).__name__ else "买菜代购"
            app.open_coming_soon(service)

    def _show(self, screen: str) -> None:
        target = SCREEN_FOR_VOICE.get(screen)
        if target is not None:
            self._app.go(target)
        elif screen.startswith("order"):
            self._app.open_coming_soon("买菜代购")
        elif "activit" in screen or "signup" in screen:
            self._app.open_coming_soon("活动报名")
        else:
            logger.warning("voice dialog asked for unknown screen %r", screen)
