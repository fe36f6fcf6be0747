"""Spoken warning before an unattended kiosk returns to the home screen."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.base import KioskScreen
from kiosk.state.idle import IDLE_WARNING, IDLE_WARNING_TEXT, idle_warning_speech
from kiosk.widgets import BigButton, TextLabel


class IdleWarningScreen(KioskScreen):
    """您还在使用吗？ — one big 我还在 button; the app goes home after the grace period."""

    def __init__(self, **kwargs: Any) -> None:
        """Build the question, the countdown text and the button."""
        super().__init__(name=IDLE_WARNING, **kwargs)
        t = self.theme
        box = BoxLayout(orientation="vertical", padding=t.padding, spacing=t.gap)
        box.add_widget(TextLabel(IDLE_WARNING_TEXT, font_size=t.huge_font, bold=True, kiosk_id="idle.question"))
        grace = int(self.actions.config.idle_grace_s)
        self.hint = TextLabel(f"如果还要用，请按“我还在”。{grace} 秒后会回到首页。", font_size=t.body_font,
                              kiosk_id="idle.hint")
        box.add_widget(self.hint)
        box.add_widget(BigButton("我还在", style="confirm", font_size=t.title_font, size_hint=(0.5, None),
                                 height=t.px(240), pos_hint={"center_x": 0.5}, kiosk_id="idle.still_here",
                                 on_tap=self.actions.still_here))
        self.add_widget(box)

    def speech_text(self) -> str:
        """The question, what to press and when the kiosk goes home."""
        return idle_warning_speech(self.actions.config.idle_grace_s)
