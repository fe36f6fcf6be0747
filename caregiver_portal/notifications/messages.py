"""What a bot message says. Pure functions over small frozen dataclasses.

PIPL: health data is sensitive personal information, so by default a message carries only
the kind of alert, the room or place and a link to the portal (where access is controlled
and audited). Names and health values are added only when the site turns on
``bot_personal_details``.

Notices (activity reminders) are not about an alert: their text is written, under the same
rule, by the service that queues them, and they are never grouped with alerts in one post.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_ITEMS = 10  # a grouped message lists this many alerts, then "另有 N 条"
MAX_LINE = 160
HEADER = "【安心】"


@dataclass(frozen=True)
class AlertFacts:
    """The facts about one alert a bot may see."""

    id: int
    kind_label: str
    place: str
    emergency: bool
    link: str
    resident_name: str | None = None
    """Only when the site allows personal details."""
    detail: str | None = None
    """E.g. the health finding ("心率 130 次/分，持续 2 分钟"); only when the site allows it."""


@dataclass(frozen=True)
class Message:
    """One outbox row to render."""

    event: str
    """alarm, reminder, accepted, resolved or cancelled."""
    facts: AlertFacts
    step: str = ""
    waited_s: int | None = None
    mentions: tuple[str, ...] = ()
    called: tuple[str, ...] = ()
    """Who this step calls (staff names, and "N 位紧急联系人"), so everyone in the group knows who should go."""


@dataclass(frozen=True)
class Outgoing:
    """One bot post: its text, whom to @-mention, and a short title (for webhook consumers)."""

    text: str
    mentions: tuple[str, ...]
    title: str


def waited(seconds: int) -> str:
    """``75`` -> "1 分 15 秒"."""
    minutes, rest = divmod(max(0, seconds), 60)
    return f"{minutes} 分 {rest} 秒" if minutes else f"{rest} 秒"


def subject(facts: AlertFacts) -> str:
    """"⚠紧急呼叫 · 3号楼201" (plus the resident's name when allowed)."""
    mark = "⚠" if facts.emergency else ""
    who = f" · {facts.resident_name}" if facts.resident_name else ""
    return f"{mark}{facts.kind_label} · {facts.place or '地点未知'}{who}"


def status_line(message: Message) -> str:
    """What happened, in one line."""
    match message.event:
        case "alarm":
            suffix = f"（已等待 {waited(message.waited_s)}）" if message.waited_s is not None else ""
            return f"{message.step}{suffix}，请尽快在看板接单"
        case "reminder":
            return message.step
        case "accepted":
            return "已有人接单，其他人无需前往"
        case "resolved":
            return "已处理完毕"
        case "cancelled":
            return "已取消"
    return message.step or message.event


def compose(messages: Sequence[Message], *, board_link: str) -> Outgoing:
    """One post for one or several messages (a burst is grouped into one post)."""
    if not messages:
        raise ValueError("nothing to compose")
    mentions = tuple(dict.fromkeys(m for message in messages for m in message.mentions))
    if len(messages) == 1:
        [message] = messages
        lines = [HEADER + subject(message.facts)]
        if message.facts.detail:
            lines.append(message.facts.detail)
        lines.append(status_line(message))
        if message.called:
            lines.append("本次通知：" + "、".join(message.called))
        lines.append(message.facts.link)
        return Outgoing("\n".join(lines), mentions, f"{message.facts.kind_label} · {message.facts.place}")
    shown = messages[:MAX_ITEMS]
    lines = [f"{HEADER}{len(messages)} 条报警通知"]
    for number, message in enumerate(shown, start=1):
        line = f"{number}. {subject(message.facts)}：{status_line(message)}"
        lines.append(line[:MAX_LINE] + " " + message.facts.link)
    if len(messages) > len(shown):
        lines.append(f"另有 {len(messages) - len(shown)} 条，请查看看板 {board_link}")
    return Outgoing("\n".join(lines), mentions, f"{len(messages)} 条报警通知")


@dataclass(frozen=True)
class Notice:
    """A message that is not about an alert (an activity reminder): ready text and a link."""

    text: str
    """Without the 【安心】 header, e.g. "活动提醒：明天 09:00「社区义诊」（…），已报名 12 人，请提前提醒长者。"."""
    title: str
    """Short, for webhook consumers ("活动提醒 · 社区义诊")."""
    link: str
    mentions: tuple[str, ...] = ()
    """Phones to @-mention (the volunteers a request is offered to, :mod:`caregiver_portal.offers`)."""


def compose_notices(notices: Sequence[Notice], *, more_link: str) -> Outgoing:
    """One post for one or several notices (several due at once are grouped, like alerts)."""
    if not notices:
        raise ValueError("nothing to compose")
    if len(notices) == 1:
        [notice] = notices
        return Outgoing(f"{HEADER}{notice.text}\n{notice.link}", notice.mentions, notice.title)
    mentions = tuple(dict.fromkeys(m for notice in notices for m in notice.mentions))
    shown = notices[:MAX_ITEMS]
    lines = [f"{HEADER}{len(notices)} 条提醒"]
    lines += [f"{number}. {notice.text[:MAX_LINE]} {notice.link}" for number, notice in enumerate(shown, start=1)]
    if len(notices) > len(shown):
        lines.append(f"另有 {len(notices) - len(shown)} 条，请查看 {more_link}")
    return Outgoing("\n".join(lines), mentions, f"{len(notices)} 条提醒")
