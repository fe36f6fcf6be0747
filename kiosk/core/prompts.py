"""Everything the kiosk says in conversation, in one place (user-facing text is Chinese).

Screens register their own texts elsewhere; :data:`PROMPTS` covers the dialog only. Numbers
are spoken as Chinese words (两斤, 一斤半) because the TTS voice reads digits unevenly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import cn2an

PROMPTS: dict[str, str] = {
    "welcome": "您好，我是安心小助手。您可以说：买菜、报名活动、找人帮忙。",
    "listening": "请说，我在听。",
    "not_understood": "对不起，我没听明白。您可以说：买菜、报名活动、找人帮忙。",
    "ask_items": "您想买什么？比如：两斤鸡蛋。",
    "ask_quantity": "{item}要几{unit}？",
    "ask_items_again": "好的，请再说一遍您要买什么。",
    "confirm_order": "{summary}，对吗？",
    "order_sent": "好的，已经帮您下单，志愿者会尽快送来。",
    "order_cancelled": "好的，这次不买了。",
    "not_in_shop": "对不起，店里没有这个。您可以换一样。",
    "price_question": "价格请看屏幕，或者问志愿者。",
    "ask_activity": "您想报名哪个活动？{choices}",
    "no_activities": "最近没有活动。",
    "confirm_signup": "报名{title}，{when}，对吗？",
    "signup_sent": "好的，已经帮您报名{title}。",
    "confirm_cancel_signup": "取消{title}的报名，对吗？",
    "cancel_signup_sent": "好的，已经取消{title}的报名。",
    "ask_which_to_cancel": "您要取消哪个活动？{choices}",
    "signup_dropped": "好的，不报名了。",
    "cancel_dropped": "好的，报名保留。",
    "confirm_help": "要找志愿者来帮忙，对吗？",
    "help_dropped": "好的，不叫志愿者了。",
    "help_sent": "好的，已经通知志愿者，请稍等。",
    "emergency_raised": "已经呼叫紧急救助，志愿者马上就到。如果是误报，请说：取消。",
    "emergency_cancelled": "好的，紧急呼叫已经取消。",
    "emergency_kept": "紧急呼叫没有取消，请稍等，马上有人来。",
    "status": "正在为您查询，请看屏幕。",
    "ask_again": "请再说一遍，好吗？",
    "say_yes_or_no": "请说：对，或者：不对。",
    "going_home": "好的，回到首页。",
    "louder": "好的，声音大一点。",
    "quieter": "好的，声音小一点。",
    "slower": "好的，我说慢一点。",
    "goodbye": "好的，有事再叫我。",
}

_WEEKDAYS = "一二三四五六日"
_DEFAULT_UNITS = {
    "大米": "袋",
    "面粉": "袋",
    "盐": "袋",
    "白糖": "袋",
    "小米": "斤",
    "酱油": "瓶",
    "醋": "瓶",
    "食用油": "桶",
    "牛奶": "盒",
    "卫生纸": "提",
    "馒头": "个",
    "豆腐": "块",
    "肥皂": "块",
    "牙膏": "支",
    "面条": "把",
    "大白菜": "颗",
    "鱼": "条",
}


def default_unit(item: str) -> str:
    """The measure word to ask with (鸡蛋要几斤？ / 大米要几袋？)."""
    return _DEFAULT_UNITS.get(item, "斤")


def prompt(key: str, **values: object) -> str:
    """The text of prompt *key* with ``{placeholders}`` filled in."""
    return PROMPTS[key].format(**values)


def chinese_number(value: float | int, *, before_measure: bool = True) -> str:
    """2 -> 两 (before a measure word), 12 -> 十二, 0.5 -> 半, 1.5 -> 一点五."""
    if value == 0.5:
        return "半"
    if float(value).is_integer():
        value = int(value)
        if value == 2 and before_measure:
            return "两"
        return cn2an.an2cn(value)
    return cn2an.an2cn(value)


def say_quantity(quantity: float | int | None, unit: str | None) -> str:
    """Spoken amount: (1.5, 斤) -> 一斤半, (0.5, 斤) -> 半斤, (3, None) -> 三份, (None, _) -> ''."""
    if quantity is None:
        return ""
    unit = unit or "份"
    whole, frac = divmod(float(quantity), 1)
    if frac == 0.5 and whole >= 1:
        return f"{chinese_number(whole)}{unit}半"
    return f"{chinese_number(quantity)}{unit}"


def order_summary(items: Sequence[Mapping]) -> str:
    """两斤鸡蛋，一袋大米 — the items of an order as they are read back."""
    return "，".join(f"{say_quantity(i.get('quantity'), i.get('unit'))}{i['name']}" for i in items)


def say_when(starts_at: str, now: datetime | None = None) -> str:
    """ISO start time in words: relative to ``now`` as the screens write it (明天上午七点半,
    本周六上午十点); without ``now`` the date (十一月二十六日，星期四，上午七点三十分)."""
    try:
        start = datetime.fromisoformat(starts_at)
    except ValueError:
        return ""
    if now is not None:
        from kiosk.state.when import spoken_when  # the same words as the activity cards

        return spoken_when(start, now)
    period = "上午" if start.hour < 12 else ("下午" if start.hour < 18 else "晚上")
    hour = start.hour if start.hour <= 12 else start.hour - 12
    minutes = f"{cn2an.an2cn(start.minute)}分" if start.minute else ""
    month, day = cn2an.an2cn(start.month), cn2an.an2cn(start.day)
    return f"{month}月{day}日，星期{_WEEKDAYS[start.weekday()]}，{period}{chinese_number(hour)}点{minutes}"
