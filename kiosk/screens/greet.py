"""The wristband greeting: 王阿姨，您好！是您吗？ — 不是 (left) / 是 (right)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.base import KioskScreen
from kiosk.widgets import BigButton, TextLabel

EXPLANATION = "我们看到您的手环就在旁边。如果不是您，请按“不是”，再输入房间号或居民码。"


class GreetScreen(KioskScreen):
    """A hint from the nearest wristband, confirmed by the person: never an identification by itself."""

    def __init__(self, **kwargs: Any) -> None:
        """Build question, explanation and the two answers."""
        super().__init__(name="greet", **kwargs)
        t = self.theme
        box = BoxLayout(orientation="vertical", padding=t.padding, spacing=t.gap)
        self.question = TextLabel("", font_size=t.huge_font, bold=True, kiosk_id="greet.question")
        box.add_widget(self.question)
        box.add_widget(TextLabel(EXPLANATION, font_size=t.body_font, kiosk_id="greet.explanation"))
        answers = BoxLayout(spacing=t.gap * 3, size_hint_y=None, height=t.px(260))
        desk = self.actions.visitors
        answers.add_widget(BigButton("不是", style="neutral", font_size=t.huge_font, kiosk_id="greet.no",
                                     on_tap=lambda: desk.answer_greeting(False)))
        answers.add_widget(BigButton("是", style="confirm", font_size=t.huge_font, kiosk_id="greet.yes",
                                     on_tap=lambda: desk.answer_greeting(True)))
        box.add_widget(answers)
        self.add_widget(box)

    def refresh(self) -> None:
        """Show the greeting of the candidate."""
        candidate = self.actions.visitors.candidate
        self.question.text = candidate.question if candidate else "您好！"

    def speech_text(self) -> str:
        """The greeting and the answers."""
        return f"{self.question.text}是您的话，请按右边的“是”；不是的话，请按左边的“不是”。"
