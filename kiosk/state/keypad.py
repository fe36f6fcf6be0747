"""Numeric keypad entry for room numbers and resident codes (pure)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from kiosk.state.text import spoken_phone

DELETE = "删除"
SUBMIT = "确定"
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", DELETE, "0", SUBMIT)
"""Phone layout, row by row."""
MIN_DIGITS = 3
MAX_DIGITS = 8


@dataclass(frozen=True, slots=True)
class KeypadEntry:
    """The digits typed so far."""

    digits: str = ""

    def press(self, key: str) -> KeypadEntry:
        """A digit appends (up to MAX_DIGITS), 删除 removes the last one; 确定 changes nothing."""
        if key == DELETE:
            return replace(self, digits=self.digits[:-1])
        if key.isdigit() and len(key) == 1 and len(self.digits) < MAX_DIGITS:
            return replace(self, digits=self.digits + key)
        return self

    @property
    def complete(self) -> bool:
        """Enough digits to look someone up."""
        return len(self.digits) >= MIN_DIGITS

    @property
    def display(self) -> str:
        """Digits spaced apart for poor eyes, or a prompt when empty."""
        return " ".join(self.digits) if self.digits else "请按数字"

    @property
    def speech(self) -> str:
        """What to say after each key press."""
        return f"您输入的是：{spoken_phone(self.digits)}。" if self.digits else "还没有输入数字。"
