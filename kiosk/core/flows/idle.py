"""The idle timer as a flow: warn (您还在使用吗？), count down, end the visit (policy: :mod:`kiosk.core.idle`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from kiosk.core.events import Tapped
from kiosk.core.flows.common import Outcome, bar
from kiosk.core.flows.visit import end_visit
from kiosk.core.idle import (
    HOME,
    IDLE_WARNING,
    IDLE_WARNING_TEXT,
    IdleAction,
    countdown_text,
    idle_action,
    seconds_left,
    speech_seconds,
)
from kiosk.core.state import KioskState, go, with_visit
from kiosk.core.view import Choice, Piece, View


def tick(state: KioskState, now: datetime) -> Outcome:
    """Once a second: warn, or end the visit, when nobody has touched the kiosk for a while."""
    site = state.site
    at = now.timestamp()
    exempt = state.screen == "help_status" and state.data.help_running
    action = idle_action(state.idle, now=at, at_home=state.screen == HOME, visit_active=state.visit.personal(site),
                         exempt=exempt, timeout_s=site.idle_timeout_s, grace_s=site.idle_grace_s)
    if action is IdleAction.WARN:
        warned = go(with_visit(state, resume=state.screen), IDLE_WARNING)
        spoken = speech_seconds(view(warned).speech, state.visit.speech.rate_wpm)
        return replace(warned, idle=state.idle.warned(at, spoken)), ()
    if action is IdleAction.END_VISIT:
        ended, steps = end_visit(state)
        return replace(go(ended, HOME), idle=ended.idle.dismissed(at)), steps
    return state, ()


def still_here(state: KioskState, tap: Tapped) -> Outcome:
    """我还在: back to where the senior was."""
    return replace(go(state, state.visit.resume), idle=state.idle.dismissed(tap.now.timestamp())), ()


def view(state: KioskState) -> View:
    """您还在使用吗？, the countdown (shown every second, said when the screen is read) and 我还在."""
    left = seconds_left(state.idle, now=state.now.timestamp(), grace_s=state.site.idle_grace_s)
    pieces = (Piece("idle.title", IDLE_WARNING_TEXT, style="title"),
              Piece("idle.countdown", countdown_text(left), style="panel-warning", quiet=True))
    return View(IDLE_WARNING, pieces, (Choice("idle.still_here", "我还在", style="confirm"),), bar=bar(state),
                hint="如果还要用，请按“我还在”")


TAPS = {"idle.still_here": still_here}
VIEWS = {IDLE_WARNING: view}
