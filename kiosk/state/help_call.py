"""What the help-call status screen shows, computed from what we know about the alert.

The status screen follows one help call through four steps::

    1 正在发送  ->  2 已送达，正在通知志愿者  ->  3 志愿者已接单  ->  4 已处理

with three detours: the portal cannot be reached (the call waits in the outbox and the
centre's duty phone is shown in large digits), the portal refused the call for good (it will
never arrive: the duty phone, and no talk of waiting for the network), and the call could not
even be saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from kiosk.state.text import spoken_phone

TOTAL_STEPS = 4


class HelpStage(StrEnum):
    """Where a help call stands, as the senior should understand it."""

    SENDING = "sending"
    OFFLINE = "offline"
    DELIVERED = "delivered"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    SAVE_FAILED = "save_failed"


CancelState = Literal["none", "requested", "sent", "unavailable", "failed"]
"""none -> requested (confirmed on screen) -> sent (in the outbox) | unavailable | failed."""


@dataclass(frozen=True, slots=True)
class HelpCallSnapshot:
    """Facts gathered by the worker thread about one help call."""

    event_id: str | None = None
    """Outbox event id returned by ``raise_alert``; None while it is being saved."""
    save_failed: bool = False
    """``raise_alert`` itself raised: the call is not even in the outbox."""
    alert: Mapping[str, Any] | None = None
    """The portal's alert JSON once the portal knows the call."""
    delivered: bool = False
    """The outbox has delivered the request (``client.delivery(event_id)`` is not None)."""
    rejected: bool = False
    """The portal refused the request for good (the outbox keeps it as a dead letter)."""
    reachable: bool | None = None
    """Result of the last attempt to talk to the portal (None: not tried yet)."""
    elapsed_s: float = 0.0
    """Seconds since the senior confirmed the call."""
    cancel: CancelState = "none"
    """Progress of an "我没事，取消呼叫" request."""


@dataclass(frozen=True, slots=True)
class HelpCallView:
    """Everything the status screen renders; colour (``tone``) is never the only cue."""

    stage: HelpStage
    step_text: str
    title: str
    detail: str
    show_duty_phone: bool
    can_cancel: bool
    finished: bool
    tone: Literal["info", "warning", "success"]
    speech: str


def help_call_stage(snap: HelpCallSnapshot, *, offline_after_s: float) -> HelpStage:
    """Decide the stage from a snapshot (the portal's alert state wins over local guesses)."""
    if snap.save_failed:
        return HelpStage.SAVE_FAILED
    if snap.rejected and snap.alert is None:
        return HelpStage.REJECTED
    state = (snap.alert or {}).get("state")
    if state == "resolved":
        return HelpStage.RESOLVED
    if state == "cancelled":
        return HelpStage.CANCELLED
    if state == "accepted" or (snap.alert or {}).get("accepted_by"):
        return HelpStage.ACCEPTED
    if state == "open" or snap.delivered:
        return HelpStage.DELIVERED
    if snap.reachable is False or snap.elapsed_s >= offline_after_s:
        return HelpStage.OFFLINE
    return HelpStage.SENDING


def volunteer_name(alert: Mapping[str, Any] | None) -> str | None:
    """The accepting volunteer's display name, if the portal gave one."""
    name = (alert or {}).get("accepted_by")
    return name.strip() if isinstance(name, str) and name.strip() else None


def help_call_view(snap: HelpCallSnapshot, *, duty_phone: str, offline_after_s: float) -> HelpCallView:
    """Turn a snapshot into the status screen's texts, flags and speech."""
    stage = help_call_stage(snap, offline_after_s=offline_after_s)
    build = _BUILDERS[stage]
    step, title, detail, tone = build(snap)
    show_phone = stage in (HelpStage.OFFLINE, HelpStage.REJECTED, HelpStage.SAVE_FAILED) or (
        stage in (HelpStage.DELIVERED, HelpStage.SENDING) and snap.reachable is False
    )
    finished = stage in (HelpStage.RESOLVED, HelpStage.CANCELLED)
    detail = _with_cancel_note(detail, snap.cancel, finished)
    step_text = f"第 {step} 步（共 {TOTAL_STEPS} 步）" if step else ""
    speech = f"{title}。{detail}"
    if show_phone:
        speech += f"值班电话：{spoken_phone(duty_phone)}。"
    return HelpCallView(
        stage=stage,
        step_text=step_text,
        title=title,
        detail=detail,
        show_duty_phone=show_phone,
        can_cancel=not finished and stage not in (HelpStage.SAVE_FAILED, HelpStage.REJECTED) and snap.cancel == "none",
        finished=finished,
        tone=tone,
        speech=speech,
    )


_Parts = tuple[int, str, str, Literal["info", "warning", "success"]]


def _sending(snap: HelpCallSnapshot) -> _Parts:
    return 1, "正在发送", "正在把您的呼叫发给服务中心，请稍等。", "info"


def _offline(snap: HelpCallSnapshot) -> _Parts:
    return (
        0,
        "暂时联系不上服务中心",
        "您的呼叫已经保存，网络恢复后会自动发出。着急的话，请马上拨打值班电话。",
        "warning",
    )


def _delivered(snap: HelpCallSnapshot) -> _Parts:
    return 2, "已送达，正在通知志愿者", "服务中心已经收到您的呼叫。请在原地稍等。", "info"


def _accepted(snap: HelpCallSnapshot) -> _Parts:
    name = volunteer_name(snap.alert)
    who = f"志愿者{name}" if name else "志愿者"
    return 3, f"志愿者已接单：{name}" if name else "志愿者已接单", f"{who}正在赶来，请在原地等候。", "success"


def _resolved(snap: HelpCallSnapshot) -> _Parts:
    return 4, "已处理", "这次呼叫已经处理完毕。祝您平安！", "success"


def _cancelled(snap: HelpCallSnapshot) -> _Parts:
    return 0, "呼叫已取消", "您的呼叫已经取消。需要时请再按“呼叫帮助”。", "info"


def _rejected(snap: HelpCallSnapshot) -> _Parts:
    return 0, "服务中心没有接收这次呼叫", "呼叫不会再自动发出。请马上拨打值班电话，或请身边的人帮忙。", "warning"


def _save_failed(snap: HelpCallSnapshot) -> _Parts:
    return 0, "呼叫没有发出去", "机器出了故障，呼叫没有保存。请马上拨打值班电话，或请身边的人帮忙。", "warning"


_BUILDERS = {
    HelpStage.SENDING: _sending,
    HelpStage.OFFLINE: _offline,
    HelpStage.DELIVERED: _delivered,
    HelpStage.ACCEPTED: _accepted,
    HelpStage.RESOLVED: _resolved,
    HelpStage.CANCELLED: _cancelled,
    HelpStage.REJECTED: _rejected,
    HelpStage.SAVE_FAILED: _save_failed,
}


def _with_cancel_note(detail: str, cancel: CancelState, finished: bool) -> str:
    if finished or cancel == "none":
        return detail
    if cancel in ("requested", "sent"):
        return detail + "正在取消呼叫……"
    if cancel == "unavailable":
        return detail + "这里暂时不能取消呼叫，志愿者到了以后，告诉他您没事就可以了。"
    return detail + "取消没有成功，志愿者到了以后，告诉他您没事就可以了。"
