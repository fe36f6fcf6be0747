"""A confirmation for paying and destructive actions: 下单, 报名, 取消报名, 呼叫帮助, 取消呼叫
(question, two answers). The help-call confirmations are fixed questions built on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.base import KioskScreen
from kiosk.widgets import BigButton, TextLabel


class ConfirmScreen(KioskScreen):
    """Question and detail; 不 on the left, 是 on the right (away from where the asking button was)."""

    def __init__(self, name: str = "confirm", **kwargs: Any) -> None:
        """Build an empty question; :meth:`ask` fills it before the screen is shown. Widgets are
        named ``<name>.question``, ``<name>.detail``, ``<name>.no`` and ``<name>.yes``."""
        super().__init__(name=name, **kwargs)
        t = self.theme
        box = BoxLayout(orientation="vertical", padding=t.padding, spacing=t.gap)
        self.question = TextLabel("", font_size=t.huge_font, bold=True, kiosk_id=f"{name}.question")
        self.detail = TextLabel("", font_size=t.body_font, kiosk_id=f"{name}.detail")
        answers = BoxLayout(spacing=t.gap * 3, size_hint_y=None, height=t.px(260))
        self.no_button = BigButton("", style="neutral", font_size=t.title_font, kiosk_id=f"{name}.no",
                                   on_tap=lambda: self._on_no())
        self.yes_button = BigButton("", style="confirm", font_size=t.title_font, kiosk_id=f"{name}.yes",
                                    on_tap=lambda: self._on_yes())
        answers.add_widget(self.no_button)
        answers.add_widget(self.yes_button)
        for widget in (self.question, self.detail, answers):
            box.add_widget(widget)
        self.add_widget(box)
        self._on_yes: Callable[[], None] = lambda: None
        self._on_no: Callable[[], None] = lambda: None
        self._spoken_detail = ""

    def ask(self, *, question: str, detail: str, yes: str, no: str, on_yes: Callable[[], None],
            on_no: Callable[[], None], yes_style: str = "confirm", no_style: str = "neutral",
            spoken_detail: str | None = None) -> None:
        """Set the question, the answers and what each does (``spoken_detail``: the detail in words)."""
        self.question.text, self.detail.text = question, detail
        self._spoken_detail = spoken_detail if spoken_detail is not None else detail
        self.yes_button.text, self.no_button.text = yes, no
        self.yes_button.set_style(yes_style)
        self.no_button.set_style(no_style)
        self._on_yes, self._on_no = on_yes, on_no

    def speech_text(self) -> str:
        """Question, detail and which side is which."""
        return (f"{self.question.text}{self._spoken_detail}"
                f"请按右边的“{self.yes_button.text}”，或者左边的“{self.no_button.text}”。")
