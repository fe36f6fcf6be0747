"""Chinese phone numbers as people write them, checked and written one way. Pure.

Mobile: 11 digits starting 13-19 (a +86 / 0086 prefix is dropped) -> ``13800000001``.
Landline with its area code (010 and 02x have 3 digits, others 4) -> ``010-65001234``; a local
7 or 8 digit number without area code is kept as written.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-－—()（）.]")
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d+$")


class PhoneError(ValueError):
    """Not a phone number anyone can call; the message says why, in Chinese."""


def normalise_phone(text: str) -> str:
    """The number in one canonical form, "" for a blank, or :class:`PhoneError`."""
    raw = text.strip()
    if not raw:
        return ""
    if _SCIENTIFIC.match(raw):
        raise PhoneError(f"“{raw}”被 Excel 显示成了科学计数法，后几位已经丢失：请把这一列设为“文本”后重新输入")
    digits = _SEPARATORS.sub("", raw)
    extension = ""
    if match := re.fullmatch(r"(\d+)(?:转|ext|#)(\d{1,6})", digits, flags=re.IGNORECASE):
        digits, extension = match.group(1), "转" + match.group(2)
    digits = re.sub(r"^(?:\+86|0086|86)(?=1\d{10}$)", "", digits)
    if not digits.isdigit():
        raise PhoneError(f"“{raw}”里有不是数字的字符")
    if len(digits) == 11 and re.match(r"1[3-9]", digits):
        return digits + extension
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        area = 3 if digits[1] in "12" else 4
        number = digits[area:]
        if 7 <= len(number) <= 8 and number[0] not in "01":
            return f"{digits[:area]}-{number}{extension}"
    if len(digits) in (7, 8) and digits[0] not in "01":
        return digits + extension
    raise PhoneError(f"“{raw}”位数不对：手机号是 1 开头的 11 位数字，座机请带区号，如 010-65001234")


_WELL_FORMED = re.compile(r"(?<!\d)(?:(?:\+|00)?86[\s-]?)?(?:1[3-9]\d(?:[\s-]?\d{4}){2}"
                          r"|0\d{2,3}[\s\-－]?\d{7,8}(?:转\d{1,6})?|[2-9]\d{6,7}(?:转\d{1,6})?)(?!\d)")
_DIGIT_RUN = re.compile(r"\d[\d\s\-－—()（）]{3,}\d")


def phones_in(text: str) -> list[str]:
    """The phone numbers written in ``text``, in order; if none looks right, the runs of digits that
    were meant as one (so :func:`normalise_phone` can say what is wrong with them)."""
    return [m.group(0).strip() for m in _WELL_FORMED.finditer(text)] or [
        m.group(0).strip() for m in _DIGIT_RUN.finditer(text)]
