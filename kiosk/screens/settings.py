"""Volume and speaking-speed controls (four choices, each says a sample right away)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.base import KioskScreen
from kiosk.widgets import BigButton, TextLabel

TITLE = "声音设置"


class SettingsScreen(KioskScreen):
    """小声一点 / 大声一点 and 慢一点 / 快一点, with the current level written out."""

    def __init__(self, **kwargs: Any) -> None:
        """Build two rows: a level label and two buttons each."""
        super().__init__(name="settings", **kwargs)
        t = self.theme
        box = BoxLayout(orientation="vertical", padding=t.padding, spacing=t.gap)
        box.add_widget(TextLabel(TITLE, font_size=t.title_font, bold=True, auto_height=True,
                                 kiosk_id="settings.title"))
        self.volume_label = TextLabel("", font_size=t.title_font, kiosk_id="settings.volume")
        self.rate_label = TextLabel("", font_size=t.title_font, kiosk_id="settings.rate")
        s = self.actions
        rows = (
            (self.volume_label, ("小声一点", "settings.softer", lambda: s.change_speech(s.speech_settings.softer())),
             ("大声一点", "settings.louder", lambda: s.change_speech(s.speech_settings.louder()))),
            (self.rate_label, ("慢一点", "settings.slower", lambda: s.change_speech(s.speech_settings.slower())),
             ("快一点", "settings.faster", lambda: s.change_speech(s.speech_settings.faster()))),
        )
        for label, (left_text, left_id, left), (right_text, right_id, right) in rows:
            row = BoxLayout(spacing=t.gap)
            row.add_widget(BigButton(left_text, font_size=t.button_font, kiosk_id=left_id, on_tap=left))
            row.add_widget(label)
            row.add_widget(BigButton(right_text, font_size=t.button_font, kiosk_id=right_id, on_tap=right))
            box.add_widget(row)
        self.add_widget(box)

    def refresh(self) -> None:
        """Write out the current levels."""
        self.volume_label.text = self.actions.speech_settings.volume_text.replace("（", "\n（")
        self.rate_label.text = self.actions.speech_settings.rate_text

    def speech_text(self) -> str:
        """Current levels and what the buttons do."""
        settings = self.actions.speech_settings
        return (f"{TITLE}。{settings.volume_text}，{settings.rate_text}。"
                "可以按“小声一点”、“大声一点”、“慢一点”、“快一点”来调整。")
