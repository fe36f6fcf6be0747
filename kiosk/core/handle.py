"""The kiosk's one entry point: ``handle(state, event) -> (state, effects)``, for touch and voice alike.

Each flow module lists its steps (``TAPS``: choice id -> step) and its screens (``VIEWS``);
:data:`FLOWS` puts them together, and :data:`RESULTS` routes what the runtime reports.
After every event the view before and after are compared and what changed is said
(:func:`kiosk.core.view.changed_speech`), so speech always follows the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from types import ModuleType
from typing import Any

from kiosk.core import dialog
from kiosk.core.effects import Effect, Listen, Speak, Step, StopSpeaking, Then
from kiosk.core.events import (
    ActivitiesLoaded,
    CatalogLoaded,
    Event,
    Heard,
    HelpCallChanged,
    Listening,
    LookupAnswered,
    NearbyAnswered,
    OrderChanged,
    PointsLoaded,
    RepliesLoaded,
    RequestsLoaded,
    Restored,
    RollCallsLoaded,
    SignupAnswered,
    SiteAlertsLoaded,
    Tapped,
    Tick,
    TimerFired,
    Touched,
    VoiceReady,
)
from kiosk.core.flows import (
    activities,
    checkin,
    feedback,
    groceries,
    help_call,
    home,
    idle,
    points,
    question,
    rating,
    requests,
    roll_call,
    settings,
    visit,
    visitor,
)
from kiosk.core.flows.common import Outcome, TapStep
from kiosk.core.idle import IDLE_WARNING, speech_seconds
from kiosk.core.state import KioskState, Result, go, say, with_data, with_visit
from kiosk.core.view import View, changed_speech
from kiosk.state.help_call import HelpCallSnapshot

FLOWS: tuple[ModuleType, ...] = (home, help_call, groceries, activities, visitor, requests, rating, settings,
                                 checkin, roll_call, feedback, points, idle, question, dialog)
"""Every flow: a module with ``TAPS`` and / or ``VIEWS``. A new flow is one module and one entry here."""

NO_VOICE = "语音功能暂时不能用。请用手点屏幕上的按钮。"
MAX_CHAIN = 8


def _merged(name: str) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for flow in FLOWS:
        part: Mapping[str, Any] = getattr(flow, name, {})
        clash = set(table) & set(part)
        if clash:
            raise RuntimeError(f"{flow.__name__} redefines {sorted(clash)}")
        table.update(part)
    return table


def _repeat(state: KioskState, tap: Tapped) -> Outcome:
    text = view_of(state).full_speech
    spoken = speech_seconds(text, state.visit.speech.rate_wpm)
    return replace(state, idle=state.idle.repeated(tap.now.timestamp(), spoken)), (Speak(text),)


def _mic(state: KioskState, tap: Tapped) -> Outcome:
    if not (state.site.voice and state.data.voice_ready):
        return say(state, NO_VOICE), ()
    listening = not state.data.listening
    return with_data(state, listening=listening, heard=""), (Listen(stop=not listening),)


def _home(state: KioskState, tap: Tapped) -> Outcome:
    return visit.go_home(state)


TAPS: dict[str, TapStep] = {**_merged("TAPS"), "nav.repeat": _repeat, "nav.mic": _mic, "nav.home": _home}
VIEWS: dict[str, Callable[[KioskState], View]] = _merged("VIEWS")
SCREENS: tuple[str, ...] = tuple(VIEWS)

RESULTS: dict[type, Callable[[KioskState, Any], Outcome]] = {
    CatalogLoaded: groceries.loaded,
    ActivitiesLoaded: activities.loaded,
    SiteAlertsLoaded: home.alerts_loaded,
    NearbyAnswered: visitor.nearby,
    LookupAnswered: visitor.looked_up,
    HelpCallChanged: help_call.changed,
    OrderChanged: groceries.order_changed,
    SignupAnswered: activities.answered,
    RequestsLoaded: requests.loaded,
    RollCallsLoaded: roll_call.loaded,
    RepliesLoaded: feedback.replies_loaded,
    PointsLoaded: points.loaded,
}


def view_of(state: KioskState) -> View:
    """What the current screen shows and says."""
    return VIEWS[state.screen](state)


def handle(state: KioskState, event: Event) -> Result:
    """Advance the kiosk by one event; the effects end with what is to be said."""
    before = view_of(state)
    before_said = state.visit.said_serial
    state = replace(state, now=event.now)
    state, steps = _dispatch(state, event)
    state, effects = _run(state, steps, event.now, said_from=before_said)
    if view_of(state).screen != before.screen:
        at = event.now.timestamp()
        state = replace(state, guard_until=at + state.site.tap_guard_s,
                        idle=state.idle if state.screen == IDLE_WARNING else state.idle.dismissed(at))
    if any(isinstance(e, Speak) for e in effects):
        return state, effects
    after = view_of(state)
    text = after.speech if after.screen != before.screen else changed_speech(before, after)
    if isinstance(event, Listening) and event.done and not event.partial:
        text = "没有听清楚，请再按“说话”说一遍。"
    if not text and isinstance(event, Heard):
        text = after.speech  # heard, but nothing changed: say where we are, so the person knows
    if not text:
        return state, effects
    return state, (*effects, Speak(text, interrupt=isinstance(event, Tapped | Heard)))


def _dispatch(state: KioskState, event: Event) -> Outcome:
    if isinstance(event, Tapped):
        at = event.now.timestamp()
        if at < state.guard_until and not event.target.startswith("nav."):
            return state, ()
        state = replace(state, guard_until=at + state.site.tap_guard_s, idle=state.idle.touched(at))
        return _tap(state, event)
    if isinstance(event, Touched):
        return replace(state, idle=state.idle.touched(event.now.timestamp())), (StopSpeaking(),)
    if isinstance(event, Heard):
        return dialog.heard(replace(state, idle=state.idle.touched(event.now.timestamp())), event)
    if isinstance(event, Tick):
        return idle.tick(state, event.now)
    if isinstance(event, TimerFired):
        return _timer(state, event)
    if isinstance(event, Listening):
        return with_data(state, listening=not event.done, heard=event.partial or state.data.heard), ()
    if isinstance(event, VoiceReady):
        return with_data(state, voice_ready=event.ready), ()
    if isinstance(event, Restored):
        return _restored(state, event)
    step = RESULTS.get(type(event))
    return step(state, event) if step is not None else (state, ())


def _tap(state: KioskState, tap: Tapped) -> Outcome:
    step = TAPS.get(tap.target)
    return step(state, tap) if step is not None else (state, ())


def _timer(state: KioskState, event: TimerFired) -> Outcome:
    if event.name == visitor.GREETING_TIMER:
        return visitor.greeting_timed_out(state, event)
    return question.timed_out(state, event)


def _restored(state: KioskState, event: Restored) -> Outcome:
    state = with_data(state, help=HelpCallSnapshot(event_id=event.help_event_id), help_since=event.now,
                      rated=state.data.rated | event.rated)
    return go(state, help_call.STATUS), ()


def _run(state: KioskState, steps: tuple[Step, ...], now: datetime, *, said_from: int,
         depth: int = 0) -> tuple[KioskState, tuple[Effect, ...]]:
    """Carry out ``Then`` steps inside the core (keeping what this event said before them)."""
    effects: list[Effect] = []
    for step in steps:
        if not isinstance(step, Then):
            effects.append(step)
            continue
        if depth >= MAX_CHAIN:
            raise RuntimeError(f"the core chained more than {MAX_CHAIN} steps at {step.target}")
        said = state.visit.said if state.visit.said_serial > said_from else ""
        state, more = _tap(state, Tapped(step.target, now, step.arg))
        if said and said not in state.visit.said:
            state = with_visit(state, said=said + state.visit.said, said_serial=state.visit.said_serial + 1)
        state, chained = _run(state, more, now, said_from=said_from, depth=depth + 1)
        effects.extend(chained)
    return state, tuple(effects)
