"""What a bot says about a new kiosk order or sign-up. Pure.

PIPL, as for alerts: the room and what was asked for; the resident's name only when the site turns on
``bot_personal_details``.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_ITEMS = 3


def who(room: str, name: str | None) -> str:
    """"3号楼201" or "3号楼201 王秀英"."""
    place = room or "未登记住址"
    return f"{place} {name}" if name else place


def order_text(order_id: int, *, room: str, name: str | None, items: Sequence[str], via_kiosk: bool) -> str:
    """"新代购单 #12（自助机）：3号楼201，鸡蛋 1 盒、挂面 2 把等 4 样，请在门户认领。"."""
    shown = "、".join(items[:MAX_ITEMS]) + (f"等 {len(items)} 样" if len(items) > MAX_ITEMS else "")
    source = "（自助机）" if via_kiosk else ""
    return f"新代购单 #{order_id}{source}：{who(room, name)}，{shown or '见备注'}，请在门户认领。"


def signup_text(*, title: str, when: str, room: str, name: str | None, waitlisted: bool) -> str:
    """"活动报名：3号楼201 报名「社区义诊」（明天 09:00），请提前提醒并帮助出行。"."""
    state = "候补" if waitlisted else "报名"
    return f"活动报名：{who(room, name)} {state}「{title}」（{when}），请提前提醒并帮助出行。"
