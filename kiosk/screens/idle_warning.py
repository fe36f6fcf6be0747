"""Spoken warning before an unattended kiosk ends the visit, with a countdown on screen."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.core.idle import IDLE_WARNING, IDLE_WARNING_TEXT, countdown_text, grace, idle_warning_speech
from kiosk.screens.base import KioskScreen
from kiosk.widgets import BigButton, TextLabel, spacer

HINT = "如果还要用，请按“我还在”。"


class IdleWarningScreen(KioskScreen):
    """您还在使用吗？ — the seconds left, one big 我还在 button."""

    def __init__(self, **kwargs: Any) -> None:
        """Build the question, the countdown and the button."""
        super().__init__(name=IDLE_WARNING, **kwargs)
        t = self.theme
        self.left = int(grace(self.actions.config.idle_grace_s))
        box = BoxLayout(orientation="vertical", padding=t.padding, spacing=t.gap)
        box.add_widget(spacer())
        box.add_widget(TextLabel(IDLE_WARNING_TEXT, font_size=t.huge_font, bold=True, auto_height=True,
                                 kiosk_id="idle.question"))
        box.add_widget(TextLabel(HINT, font_size=t.title_font, auto_height=True, kiosk_id="idle.hint"))
        self.countdown = TextLabel(countdown_text(self.left), font_size=t.title_font, bold=True, auto_height=True,
                                   kiosk_id="idle.countdown")
        box.add_widget(self.countdown)
        box.add_widget(spacer())
        box.add_widget(BigButton("我还在", style="confirm", font_size=t.title_font, size_hint=(0.5, None),
                                 height=t.px(240), pos_hint={"center_x": 0.5}, kiosk_id="idle.still_here",
                                 on_tap=self.actions.still_here))
        self.add_widget(box)

    def reset(self) -> None:
        """The next warning counts the whole grace period again."""
        self.show_countdown(int(grace(self.actions.config.idle_grace_s)))

    def show_countdown(self, left: int) -> None:
        """Show the seconds left (every second while the warning shows)."""
        self.left = left
        self.countdown.text = countdown_text(left)

    def speech_text(self) -> str:
        """The question, what to press and how long is left."""
        return idle_warning_speech(self.left)
