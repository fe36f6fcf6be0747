"""Press time is the time: when an alert happened, how late it arrived, and how the board says so. Pure.

A kiosk or bridge that could not reach the portal keeps a call in its outbox and sends it later with
``occurred_at`` (when the button was pressed); the portal stores both that and ``received_at``. Waits,
escalation deadlines and report figures count from the press.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

LATE_AFTER = timedelta(seconds=10)
"""An alert received this long after it happened is shown as delayed (a normal delivery takes under 1 s)."""

PRESSED_KINDS = frozenset({"sos", "help"})
"""Kinds raised by pressing a button (a fall is detected; health findings are worked out by the portal)."""


def press_time(reported: datetime | None, received_at: datetime) -> datetime:
    """When the alert happened: the device's ``reported`` time, never after ``received_at`` (a clock that
    runs ahead cannot make a call younger than it is), or ``received_at`` when the device said nothing."""
    return received_at if reported is None or reported > received_at else reported


def delay(occurred_at: datetime, received_at: datetime) -> timedelta:
    """How long the alert took to reach the portal (zero when it arrived at once)."""
    return max(received_at - occurred_at, timedelta(0))


def duration_words(span: timedelta) -> str:
    """A span as people say it: "33 秒", "2 分 5 秒", "1 小时 3 分"."""
    seconds = max(0, int(span.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} 小时 {minutes} 分" if minutes else f"{hours} 小时"
    if minutes:
        return f"{minutes} 分 {seconds} 秒" if seconds else f"{minutes} 分"
    return f"{seconds} 秒"


def delivery_note(kind: str, occurred_at: datetime, received_at: datetime, zone: tzinfo) -> str | None:
    """The board's line for a late alert, e.g. "按下于 08:31，网络中断后 33 秒送达"; None when it was not late.

    A pressed call that arrives late was held by a device that could not reach the portal; a fall is also
    held on purpose while the wearer may cancel it, so its line does not blame the network.
    """
    late = delay(occurred_at, received_at)
    if late < LATE_AFTER:
        return None
    clock = occurred_at.astimezone(zone).strftime("%H:%M")
    if kind in PRESSED_KINDS:
        return f"按下于 {clock}，网络中断后 {duration_words(late)}送达"
    what = "跌倒于" if kind == "fall" else "发生于"
    return f"{what} {clock}，{duration_words(late)}后送达"
