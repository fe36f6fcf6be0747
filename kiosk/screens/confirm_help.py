"""Confirmation before raising a help call (one screen, two clear answers)."""

from __future__ import annotations

from typing import Any

from kiosk.screens.confirm import ConfirmScreen

QUESTION = "确定要呼叫帮助吗？"
EXPLANATION = "按“是，呼叫”后，服务中心和志愿者会收到您的呼叫。"


class ConfirmHelpScreen(ConfirmScreen):
    """确定要呼叫帮助吗？ — 不，返回 (left) / 是，呼叫 (right, away from the home button's spot)."""

    def __init__(self, **kwargs: Any) -> None:
        """Build question and answers."""
        super().__init__(name="confirm_help", **kwargs)
        self.ask(question=QUESTION, detail=EXPLANATION, yes="是，呼叫", no="不，返回", yes_style="emergency",
                 on_yes=self.actions.raise_help_call, on_no=self.actions.go_home)

    def speech_text(self) -> str:
        """Question, explanation and the two answers."""
        return f"{QUESTION}{EXPLANATION}要呼叫请按右边的“是，呼叫”，不呼叫请按左边的“不，返回”。"
