"""The microphone as events: :class:`VoiceListener` turns pushes of 说话 into
:class:`~kiosk.core.events.Listening` and :class:`~kiosk.core.events.Heard` for the core."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.config import KioskConfig
from kiosk.core.events import Event, Heard, Listening, VoiceReady
from kiosk.runtime.voice_input import VoiceInput, find_voice_model
from kiosk.runtime.workers import UiCall
from kiosk.voice.choose import Alternative, choose
from kiosk.voice.intents import parse

READY_STATES = ("ready", "listening")


@dataclass(frozen=True, slots=True)
class VoiceContext:
    """What the parser and the recogniser's bias need to know: the shop and the activities."""

    catalog: Sequence[str] = ()
    synonyms: Sequence[str] = ()
    activities: Sequence[Mapping[str, Any]] = ()


class VoiceListener:
    """Loads the speech model, listens on request and posts what it heard."""

    def __init__(self, config: KioskConfig, *, post: Callable[[Event], None], clock: Callable[[], datetime],
                 ui_call: UiCall) -> None:
        """Nothing is loaded until :meth:`start`."""
        self.config = config
        self.post = post
        self.clock = clock
        self.ui_call = ui_call
        self.context = VoiceContext()
        self.input: VoiceInput | None = None

    def start(self) -> None:
        """Find and load the model (``voice = false`` or no model: voice stays unavailable)."""
        if not self.config.voice:
            return
        model = find_voice_model(self.config.voice_model_path, self.config.models_dir)
        self.input = VoiceInput(model_path=model, wav_dir=self.config.voice_wav_dir, phrases=self._phrases,
                                on_partial=self._partial, on_state=self._state, ui_call=self.ui_call)
        self.input.start()

    def listen(self, *, stop: bool = False) -> None:
        """Listen for one utterance, or (``stop``) end the one being heard."""
        if self.input is None:
            return
        if stop:
            self.input.stop_listening()
        elif not self.input.listen(self.heard):
            self.post(Listening(self.clock(), done=True))

    def stop(self) -> None:
        """Stop listening (the app stops)."""
        if self.input is not None:
            self.input.stop_listening()

    def _phrases(self) -> list[str]:
        from kiosk.voice.recognizer import bias_phrases

        titles = [str(a.get("title", "")) for a in self.context.activities]
        return bias_phrases([*self.context.catalog, *self.context.synonyms], titles)

    def _partial(self, text: str) -> None:
        self.post(Listening(self.clock(), partial=text))

    def _state(self, state: str) -> None:
        self.post(VoiceReady(state in READY_STATES, self.clock()))

    def heard(self, text: str, alternatives: Sequence[Alternative] = ()) -> None:
        """The recogniser's final result (UI thread): Vosk's alternatives go through the voice
        engineer's chooser (the best text alone through the parser), against the shop and activities."""
        now = self.clock()
        self.post(Listening(now, partial=text, done=True))
        if not text:
            return
        catalog, activities = self.context.catalog, self.context.activities
        intent = (choose(alternatives, catalog=catalog, activities=activities, now=now) if alternatives
                  else parse(text, catalog=catalog, activities=activities, now=now))
        self.post(Heard(text, intent, now))
