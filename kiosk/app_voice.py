"""The voice part of :class:`kiosk.app.KioskApp`: the microphone button, captions, the dialog.

Touch and voice use the same app methods; :class:`kiosk.voice_actions.VoiceActions` carries
out what the dialog decides. The recogniser is biased towards the current catalog (names and
synonyms) and activity titles.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock

from kiosk.chrome import caption_text
from kiosk.voice_actions import VoiceActions
from kiosk.voice_input import FinalHandler, VoiceInput, find_voice_model

if TYPE_CHECKING:
    from kiosk.app import KioskApp

logger = logging.getLogger(__name__)
VOICE_UNAVAILABLE = "语音未安装，现在不能说话。请用手点屏幕上的按钮。"
CAPTION_HOLD_S = 4.0


class VoiceMixin:
    """Voice methods of the app."""

    voice: VoiceActions | None
    voice_input: VoiceInput | None
    _caption_clear: Any

    def setup_voice(self: KioskApp) -> None:
        """Find the speech model and start loading it (no model: voice says it is unavailable)."""
        config = self.config_obj
        self.voice = VoiceActions(self, catalog=[i.name for i in self.groceries.catalog], now=self.now_local)
        self.activities_changed()
        if not config.voice:
            return
        model = find_voice_model(config.voice_model_path, config.models_dir)
        self.voice_input = VoiceInput(model_path=model, wav_dir=config.voice_wav_dir, phrases=self.bias_phrases,
                                      on_partial=self._on_partial, on_state=self._on_voice_state)
        self.nav.show_voice(self.voice_input.state)
        self.voice_input.start()

    def bias_phrases(self: KioskApp) -> list[str]:
        """Commands, cue words, catalog names and synonyms, activity titles."""
        from kiosk.voice.recognizer import bias_phrases

        names = [i.name for i in self.groceries.catalog]
        synonyms = [s for i in self.groceries.catalog for s in i.synonyms]
        titles = [a.title for a in self.activities.upcoming()]
        return bias_phrases([*names, *synonyms], titles)

    def hear(self: KioskApp, text: str) -> None:
        """A recognised utterance (UI thread): the voice dialog decides, the app acts."""
        if self.voice is None:
            self.voice = VoiceActions(self, catalog=[i.name for i in self.groceries.catalog], now=self.now_local)
        if text:
            self.voice.hear(text)

    def voice_ready(self: KioskApp) -> bool:
        """True when the microphone can be used now."""
        return self.voice_input is not None and self.voice_input.state in ("ready", "listening")

    def press_mic(self: KioskApp) -> None:
        """说话 / 说完了: start listening, or end the utterance."""
        self.listen(self.hear)

    def dictate_comment(self: KioskApp) -> None:
        """说一句评价 on the rating screen: the recognised text becomes the comment."""
        self.listen(self.screen("rating").set_comment)

    def listen(self: KioskApp, on_final: FinalHandler) -> None:
        """Listen once and hand the text to ``on_final`` (or say that voice is unavailable)."""
        voice_input = self.voice_input
        if voice_input is not None and voice_input.state == "listening":
            voice_input.stop_listening()
            return
        if voice_input is None or voice_input.state != "ready":
            loading = voice_input is not None and voice_input.state == "loading"
            self.speak("语音功能正在准备，请稍等一下再按。" if loading else VOICE_UNAVAILABLE)
            return
        self.stop_speaking()  # the kiosk must not hear itself

        def finished(text: str) -> None:
            self.header.show_caption(caption_text(text, listening=False, max_chars=self._caption_chars()))
            if self._caption_clear is not None:
                self._caption_clear.cancel()
            self._caption_clear = Clock.schedule_once(lambda _dt: self._clear_caption(), CAPTION_HOLD_S)
            on_final(text)

        if voice_input.listen(finished):
            self.header.show_caption(caption_text("", listening=True))

    def _on_partial(self: KioskApp, text: str) -> None:
        self.header.show_caption(caption_text(text, listening=True, max_chars=self._caption_chars()))

    def _on_voice_state(self: KioskApp, state: str) -> None:
        self.nav.show_voice(state)

    def _clear_caption(self: KioskApp) -> None:
        if self.voice_input is None or self.voice_input.state != "listening":
            self.header.show_caption(None)

    def _caption_chars(self: KioskApp) -> int:
        label = self.header.site_label
        return max(8, int(label.width / max(label.font_size, 1)) - 6)

    def catalog_changed(self: KioskApp) -> None:
        """New catalog: the parser and the recogniser bias follow it."""
        if self.voice is not None:
            self.voice.set_catalog([i.name for i in self.groceries.catalog])

    def activities_changed(self: KioskApp) -> None:
        """New activities: the dialog can name them."""
        if self.voice is not None:
            self.voice.set_activities([a.for_dialog() for a in self.activities.upcoming()])
