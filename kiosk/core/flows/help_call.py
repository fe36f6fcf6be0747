"""呼叫帮助: confirm, raise at once (never waiting for a name or the network), follow, cancel, rate.

Urgency is decided here only (:func:`urgency`): a touch on 呼叫帮助 and a spoken emergency
are emergencies; "找人帮忙" said calmly is not.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from kiosk.core.effects import CancelHelpCall, RaiseHelpCall
from kiosk.core.events import HelpCallChanged, Tapped
from kiosk.core.flows.common import Outcome, bar, caption, duty_phone
from kiosk.core.state import KioskState, Question, Rating, ask, go, with_data, with_visit
from kiosk.core.view import Choice, Piece, View
from kiosk.state.help_call import HelpCallSnapshot, HelpStage, help_call_view

STATUS = "help_status"


def urgency(origin: str) -> bool:
    """Whether a help call is an emergency: ``touch`` (呼叫帮助), ``voice-emergency`` yes,
    ``voice`` ("找人帮忙", said calmly) no."""
    return origin in ("touch", "voice-emergency")


def open_help(state: KioskState, tap: Tapped) -> Outcome:
    """呼叫帮助: show the running call, or ask 确定要呼叫帮助吗？ (是 on the right, away from 呼叫帮助)."""
    if state.data.help_running:
        return go(state, STATUS), ()
    origin = tap.arg or "touch"
    question = Question("confirm_help", "确定要呼叫帮助吗？", on_yes="help.raise", on_no="nav.home",
                        detail="志愿者会马上收到通知。", yes="是，呼叫", no="不，返回", arg=origin)
    return ask(state, question), ()


def raise_call(state: KioskState, now: datetime, origin: str) -> Outcome:
    """Raise the call now (or show the one running): it carries the person's id when known."""
    if state.data.help_running:
        return go(state, STATUS), ()
    person = state.visit.person
    state = with_data(state, help=HelpCallSnapshot(), help_since=now)
    state = with_visit(go(state, STATUS), task_done=True)
    return state, (RaiseHelpCall(emergency=urgency(origin), occurred_at=now,
                                 resident_id=person.resident_id if person else None),)


def raise_tapped(state: KioskState, tap: Tapped) -> Outcome:
    """是，呼叫."""
    return raise_call(state, tap.now, tap.arg or "touch")


def ask_cancel(state: KioskState, tap: Tapped) -> Outcome:
    """我没事，取消呼叫 -> 确定要取消呼叫吗？."""
    question = Question("confirm_cancel", "确定要取消呼叫吗？", on_yes="help.cancel", on_no="help.status",
                        yes="是，取消呼叫", no="不，继续呼叫")
    return ask(state, question), ()


def cancel(state: KioskState, tap: Tapped) -> Outcome:
    """The cancel was confirmed: ask the portal, show 正在取消呼叫."""
    snap = state.data.help
    if snap is None:
        return go(state, STATUS), ()
    return go(with_data(state, help=replace(snap, cancel="requested")), STATUS), (CancelHelpCall(),)


def show_status(state: KioskState, tap: Tapped) -> Outcome:
    """Back to the status screen."""
    return go(state, STATUS), ()


def rate(state: KioskState, tap: Tapped) -> Outcome:
    """评价这次帮忙."""
    alert_id = alert_of(state)
    if alert_id is None:
        return state, ()
    event_id = state.data.help.event_id if state.data.help else None
    return go(with_visit(state, rating=Rating("alert", alert_id, event_id)), "rating"), ()


def changed(state: KioskState, event: HelpCallChanged) -> Outcome:
    """News about the call from the runtime (keeps a requested cancel the runtime has not seen)."""
    snap = event.snapshot
    old = state.data.help
    if old is not None and old.cancel != "none" and snap.cancel == "none":
        snap = replace(snap, cancel=old.cancel)
    return with_data(state, help=snap), ()


def alert_of(state: KioskState) -> int | None:
    """The portal's id of the followed alert."""
    alert_id = ((state.data.help.alert if state.data.help else None) or {}).get("id")
    return int(alert_id) if alert_id is not None else None


def status_view(state: KioskState) -> View:
    """第 n 步（共 4 步）, what is happening, the duty phone when offline, cancel / rate."""
    snap = state.data.help or HelpCallSnapshot()
    elapsed = max(snap.elapsed_s, (state.now - state.data.help_since).total_seconds())
    view = help_call_view(replace(snap, elapsed_s=elapsed), duty_phone=state.site.duty_phone,
                          offline_after_s=state.site.offline_after_s)
    pieces = [*caption(state), Piece("help_status.step", view.step_text, style="step"),
              Piece("help_status.title", view.title, style=f"panel-{view.tone}"),
              Piece("help_status.detail", view.detail)]
    if view.show_duty_phone:
        pieces.extend(duty_phone(state, STATUS))
    choices = []
    if view.can_cancel:
        choices.append(Choice("help.ask_cancel", "我没事，取消呼叫", style="neutral"))
    alert_id = alert_of(state)
    if view.stage is HelpStage.RESOLVED and alert_id is not None and ("alert", alert_id) not in state.data.rated:
        choices.append(Choice("help.rate", "评价这次帮忙", style="confirm"))
    return View(STATUS, tuple(pieces), tuple(choices), bar=bar(state))


TAPS = {"home.help": open_help, "help.raise": raise_tapped, "help.ask_cancel": ask_cancel, "help.cancel": cancel,
        "help.status": show_status, "help.rate": rate}
VIEWS = {STATUS: status_view}
