"""Confirmation before withdrawing a help call (a destructive action)."""

from __future__ import annotations

from typing import Any

from kiosk.screens.confirm import ConfirmScreen

QUESTION = "确定要取消呼叫吗？"
EXPLANATION = "取消以后，志愿者就不会来了。"


class ConfirmCancelScreen(ConfirmScreen):
    """确定要取消呼叫吗？ — 不，继续呼叫 (left, the safe answer) / 是，取消呼叫 (right)."""

    def __init__(self, **kwargs: Any) -> None:
        """Build question and answers."""
        super().__init__(name="confirm_cancel", **kwargs)
        self.ask(question=QUESTION, detail=EXPLANATION, yes="是，取消呼叫", no="不，继续呼叫", yes_style="neutral",
                 no_style="confirm", on_yes=self.actions.request_help_cancel,
                 on_no=lambda: self.actions.go("help_status"))

    def speech_text(self) -> str:
        """Question, consequence and the two answers."""
        return f"{QUESTION}{EXPLANATION}要取消请按右边的“是，取消呼叫”，不取消请按左边的“不，继续呼叫”。"
