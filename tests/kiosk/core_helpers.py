"""Helpers for the pure core tests: drive :func:`kiosk.core.handle.handle` and look at the result."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from kiosk.core.effects import Effect, Speak
from kiosk.core.events import Event, Heard, Tapped
from kiosk.core.handle import handle
from kiosk.core.samples import CATALOG, NOW
from kiosk.core.state import KioskState
from kiosk.voice.intents import Intent, parse


def tap(target: str, arg: str = "", now: datetime = NOW) -> Tapped:
    """A tap at ``now``."""
    return Tapped(target, now, arg)


def hear(state: KioskState, text: str, confidence: float | None = None) -> Heard:
    """``text`` parsed against the state's catalog and activities (optionally less sure)."""
    intent = parse(text, catalog=[i.name for i in state.data.catalog or CATALOG],
                   activities=[a.for_dialog() for a in state.data.activities], now=state.now)
    if confidence is not None:
        intent = Intent(intent.name, intent.slots, confidence=confidence)
    return Heard(text, intent, state.now)


def run(state: KioskState, *events: Event | str) -> tuple[KioskState, list[tuple[Effect, ...]]]:
    """Feed events (a str is heard), one second apart and past the tap guard; the effects of each."""
    turns = []
    for event in events:
        state = replace(state, guard_until=0.0)
        if isinstance(event, str):
            event = hear(state, event)
        state, effects = handle(state, event)
        turns.append(effects)
    return state, turns


def said(effects: Iterable[Effect]) -> str:
    """Everything spoken in ``effects``."""
    return "".join(e.text for e in effects if isinstance(e, Speak))


def later(seconds: float) -> datetime:
    """``NOW`` plus ``seconds``."""
    return NOW + timedelta(seconds=seconds)


def of_type(effects: Iterable[Effect], kind: type) -> list[Effect]:
    """The effects of one type."""
    return [e for e in effects if isinstance(e, kind)]
