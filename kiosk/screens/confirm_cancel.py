"""Confirmation before withdrawing a help call (a destructive action)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.base import KioskScreen
from kiosk.widgets import BigButton, TextLabel

QUESTION = "确定要取消呼叫吗？"
EXPLANATION = "取消以后，志愿者就不会来了。"


class ConfirmCancelScreen(KioskScreen):
    """确定要取消呼叫吗？ — 不，继续呼叫 (left) / 是，取消呼叫 (right)."""

    def __init__(self, **kwargs: Any) -> None:
        """Build question and answers."""
        super().__init__(name="confirm_cancel", **kwargs)
        t = self.theme
        box = BoxLayout(orientation="vertical", padding=t.padding, spacing=t.gap)
        box.add_widget(TextLabel(QUESTION, font_size=t.huge_font, bold=True, kiosk_id="confirm_cancel.question"))
        box.add_widget(TextLabel(EXPLANATION, font_size=t.body_font, kiosk_id="confirm_cancel.explanation"))
        answers = BoxLayout(spacing=t.gap * 3, size_hint_y=None, height=t.px(260))
        answers.add_widget(BigButton("不，继续呼叫", style="confirm", font_size=t.title_font,
                                     kiosk_id="confirm_cancel.no", on_tap=lambda: self.actions.go("help_status")))
        answers.add_widget(BigButton("是，取消呼叫", style="neutral", font_size=t.title_font,
                                     kiosk_id="confirm_cancel.yes", on_tap=self.actions.request_help_cancel))
        box.add_widget(answers)
        self.add_widget(box)

    def speech_text(self) -> str:
        """Question, consequence and the two answers."""
        return f"{QUESTION}{EXPLANATION}要取消请按右边的“是，取消呼叫”，不取消请按左边的“不，继续呼叫”。"
