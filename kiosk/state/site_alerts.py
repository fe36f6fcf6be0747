"""The home screen's strip of the site's active alerts, with minimal personal data.

A public screen in a community hall shows only the kind of alert, the building and the
progress, e.g. ``紧急呼叫 · 3号楼 · 志愿者已接单`` — never names, rooms or health values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.state.text import public_place

ACTIVE_STATES = ("open", "accepted")
KIND_LABELS = {
    "sos": "紧急呼叫",
    "fall": "跌倒报警",
    "help": "求助呼叫",
    "health": "健康提醒",
    "inactivity": "长时间未活动",
    "device": "设备提醒",
}
STATE_LABELS = {"open": "正在通知志愿者", "accepted": "志愿者已接单"}


@dataclass(frozen=True, slots=True)
class SiteAlertsView:
    """Lines for the strip plus a heading and what to say when asked to repeat."""

    heading: str
    lines: tuple[str, ...]
    note: str
    speech: str


def alert_line(alert: Mapping[str, Any]) -> str:
    """One strip line, e.g. ``紧急呼叫 · 3号楼 · 志愿者已接单``."""
    kind = str(alert.get("kind", ""))
    label = KIND_LABELS.get(kind) or str(alert.get("kind_label") or "呼叫")
    if kind == "help" and alert.get("emergency"):
        label = "紧急求助"
    state = STATE_LABELS.get(str(alert.get("state", "")), "处理中")
    return f"{label} · {public_place(alert.get('place'))} · {state}"


def active_alerts(alerts: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Only alerts still needing someone (open or accepted), keeping the portal's order."""
    return [a for a in alerts if a.get("state") in ACTIVE_STATES]


DEFAULT_ZONE = ZoneInfo("Asia/Shanghai")
"""The kiosk's default site time zone (``kiosk.config``'s ``timezone``)."""


def site_alerts_view(
    alerts: Sequence[Mapping[str, Any]] | None,
    *,
    reachable: bool | None,
    fetched_at: datetime | None,
    max_lines: int = 3,
    zone: tzinfo = DEFAULT_ZONE,
) -> SiteAlertsView:
    """Build the strip from the last known alert list (``None``: never fetched yet); times are told in ``zone``,
    the site's time zone (never the machine's)."""
    heading = "社区动态"
    if alerts is None:
        note = "正在连接服务中心……" if reachable is not False else "暂时连不上服务中心。"
        return SiteAlertsView(heading, (), note, f"{heading}：{note}")
    active = active_alerts(alerts)
    lines = tuple(alert_line(a) for a in active[:max_lines])
    if len(active) > max_lines:
        lines += (f"另外还有 {len(active) - max_lines} 条进行中",)
    note = "" if lines else "现在没有进行中的呼叫。"
    if reachable is False:
        when = f"{fetched_at.astimezone(zone):%H:%M}" if fetched_at else "之前"
        note = f"网络中断，显示的是 {when} 的信息。" + note
    spoken = "；".join(line.replace(" · ", "，") for line in lines)
    speech = f"{heading}：{spoken}。{note}" if spoken else f"{heading}：{note}"
    return SiteAlertsView(heading, lines, note, speech)
