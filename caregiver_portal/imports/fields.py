"""Reading single cells of a people sheet, pure: consent answers, emergency contacts, codes, and the
per-cell problems Excel causes (dates, merged cells). Each reader raises :class:`CellError` with a
Chinese message that names the column; the row rules collect them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from caregiver_portal.core.phones import PhoneError, normalise_phone, phones_in
from caregiver_portal.core.sheets import Row

YES = frozenset({"是", "已授权", "授权", "同意", "已同意", "已签", "已签署", "有", "y", "yes", "1", "√", "✓", "✔"})
NO = frozenset({"否", "不同意", "拒绝", "不授权", "未授权", "n", "no", "0", "×", "✗", "✘"})
UNKNOWN = frozenset({"", "未询问", "未问", "未签", "未签署", "待定", "不详"})
CONSENT_TEXT = {"yes": "是", "no": "否", "unknown": ""}
RELATIONS = ("女儿", "儿子", "儿媳", "女婿", "老伴", "配偶", "妻子", "丈夫", "孙子", "孙女", "外孙", "外孙女", "侄子",
             "侄女", "外甥", "外甥女", "哥哥", "姐姐", "弟弟", "妹妹", "兄弟", "姐妹", "亲戚", "邻居", "朋友", "保姆",
             "护工", "监护人", "家属")
CODE = re.compile(r"^[0-9A-Za-z-]{1,20}$")


class CellError(ValueError):
    """One cell cannot be used; the message names the column and what to do."""


@dataclass(frozen=True)
class ContactSpec:
    """An emergency contact as a sheet gives it."""

    relation: str
    name: str
    phone: str

    def display(self) -> str:
        """"女儿 王小红 13800000201" — how the export writes it back."""
        name = self.name if self.name != self.relation else ""
        return " ".join(part for part in (self.relation, name, self.phone) if part)


def cell_problem(row: Row, column: str, *, dates_allowed: bool = False) -> str | None:
    """What Excel did to this cell that makes it unusable, or None."""
    cell = row.cells.get(column)
    if cell is None:
        return None
    if cell.merged and not cell.text:
        return f"「{column}」在合并单元格 {cell.merged} 里：请取消合并，每一行都填上完整的内容"
    if cell.date is not None and not dates_allowed:
        return (f"「{column}」被 Excel 当成了日期（{cell.date.isoformat()}）：请把这一列设为“文本”格式，"
                "再重新输入原来的内容")
    return None


def read_consent(text: str) -> str:
    """"yes", "no" or "unknown" for what a centre writes in the consent column."""
    value = text.strip().lower()
    if value in YES:
        return "yes"
    if value in NO:
        return "no"
    if value in UNKNOWN:
        return "unknown"
    raise CellError(f"「健康数据授权」“{text}”看不懂：请填 是 或 否（还没问过就留空）")


def read_phone(text: str, column: str) -> str:
    """A phone cell, normalised."""
    try:
        return normalise_phone(text)
    except PhoneError as exc:
        raise CellError(f"「{column}」{exc}") from exc


def read_code(text: str, column: str) -> str:
    """A resident code or user name: letters, digits and "-" only."""
    code = text.strip()
    if code and not CODE.match(code):
        raise CellError(f"「{column}」“{code}”只能包含数字、字母和 -，最多 20 位")
    return code


def read_contacts(text: str) -> tuple[ContactSpec, ...]:
    """Emergency contacts written like "女儿 王小红 13800000201；儿子 王大明 13900000001"."""
    contacts = []
    for item in _contact_items(text):
        found = phones_in(item)
        if not found:
            raise CellError(f"「紧急联系人及电话」“{item}”没有电话：请写成 女儿 王小红 13800000201")
        try:
            phone = normalise_phone(found[0])
        except PhoneError as exc:
            raise CellError(f"「紧急联系人及电话」{exc}") from exc
        words = re.sub(r"[，,、:：()（）\s]+", " ", item.replace(found[0], " ")).split()
        relation = next((word for word in words if word in RELATIONS), "")
        name = "".join(word for word in words if word != relation)[:100]
        contacts.append(ContactSpec(relation=relation, name=name or relation or "紧急联系人", phone=phone))
    return tuple(contacts)


def _contact_items(text: str) -> list[str]:
    """One piece of text per contact: split on ；/ line breaks, and after each phone number."""
    items = []
    for part in re.split(r"[；;\n/]+", text):
        rest = part.strip()
        for phone in phones_in(rest)[:-1]:
            head, _, rest = rest.partition(phone)
            items.append(head + phone)
        if rest.strip(" ，,、"):
            items.append(rest.strip(" ，,、"))
    return items
