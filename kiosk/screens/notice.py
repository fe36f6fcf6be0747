"""A short message: a thank-you, or why something cannot be done now (with the duty phone)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.base import KioskScreen
from kiosk.widgets import TextLabel


class NoticeScreen(KioskScreen):
    """Title and detail; 返回首页 is in the bottom bar as everywhere."""

    def __init__(self, **kwargs: Any) -> None:
        """Build the two texts."""
        super().__init__(name="notice", **kwargs)
        t = self.theme
        box = BoxLayout(orientation="vertical", padding=t.padding, spacing=t.gap)
        self.title_label = TextLabel("", font_size=t.huge_font, bold=True, kiosk_id="notice.title")
        self.detail = TextLabel("", font_size=t.title_font, kiosk_id="notice.detail")
        box.add_widget(self.title_label)
        box.add_widget(self.detail)
        self.add_widget(box)

    def show(self, title: str, detail: str) -> None:
        """Set the texts before the screen is shown."""
        self.title_label.text, self.detail.text = title, detail

    def speech_text(self) -> str:
        """Title, detail and the way home."""
        return f"{self.title_label.text}。{self.detail.text}按左下角的“返回首页”回到首页。"
