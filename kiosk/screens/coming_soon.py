"""Placeholder for services that are not open yet (买菜代购, 活动报名)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.base import KioskScreen
from kiosk.widgets import TextLabel

COMING_SOON = "此功能即将开通"


class ComingSoonScreen(KioskScreen):
    """Says the chosen service is coming; 返回首页 sits in the bottom bar as everywhere."""

    def __init__(self, **kwargs: Any) -> None:
        """Build the texts; :attr:`service` is set before the screen is shown."""
        super().__init__(name="coming_soon", **kwargs)
        t = self.theme
        self.service = "买菜代购"
        self.resident_code = ""
        box = BoxLayout(orientation="vertical", padding=t.padding, spacing=t.gap)
        self.title_label = TextLabel("", font_size=t.title_font, bold=True, kiosk_id="coming_soon.title")
        self.message = TextLabel(COMING_SOON, font_size=t.huge_font, kiosk_id="coming_soon.message")
        self.hint = TextLabel("", font_size=t.body_font, kiosk_id="coming_soon.hint")
        for widget in (self.title_label, self.message, self.hint):
            box.add_widget(widget)
        self.add_widget(box)

    def refresh(self) -> None:
        """Show the chosen service's name and the duty phone."""
        phone = self.actions.config.duty_phone
        self.title_label.text = self.service
        noted = f"已记下您输入的号码 {self.resident_code}。" if self.resident_code else ""
        self.hint.text = f"{noted}现在需要{self.service}，请拨打值班电话 {phone}，或找工作人员帮忙。"

    def speech_text(self) -> str:
        """Service, message and hint."""
        return f"{self.service}。{COMING_SOON}。{self.hint.text}按左下角的“返回首页”回到首页。"
