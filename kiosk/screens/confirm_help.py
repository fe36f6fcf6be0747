"""Confirmation before raising a help call (one screen, two clear answers)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.base import KioskScreen
from kiosk.widgets import BigButton, TextLabel

QUESTION = "确定要呼叫帮助吗？"
EXPLANATION = "按“是，呼叫”后，服务中心和志愿者会收到您的呼叫。"


class ConfirmHelpScreen(KioskScreen):
    """确定要呼叫帮助吗？ — 不，返回 (left) / 是，呼叫 (right, away from the home button's spot)."""

    def __init__(self, **kwargs: Any) -> None:
        """Build question and answers."""
        super().__init__(name="confirm_help", **kwargs)
        t = self.theme
        box = BoxLayout(orientation="vertical", padding=t.padding, spacing=t.gap)
        box.add_widget(TextLabel(QUESTION, font_size=t.huge_font, bold=True, kiosk_id="confirm_help.question"))
        box.add_widget(TextLabel(EXPLANATION, font_size=t.body_font, kiosk_id="confirm_help.explanation"))
        answers = BoxLayout(spacing=t.gap * 3, size_hint_y=None, height=t.px(260))
        answers.add_widget(BigButton("不，返回", style="neutral", font_size=t.title_font,
                                     kiosk_id="confirm_help.no", on_tap=self.actions.go_home))
        answers.add_widget(BigButton("是，呼叫", style="emergency", font_size=t.title_font,
                                     kiosk_id="confirm_help.yes", on_tap=self.actions.raise_help_call))
        box.add_widget(answers)
        self.add_widget(box)

    def speech_text(self) -> str:
        """Question, explanation and the two answers."""
        return f"{QUESTION}{EXPLANATION}要呼叫请按右边的“是，呼叫”，不呼叫请按左边的“不，返回”。"
