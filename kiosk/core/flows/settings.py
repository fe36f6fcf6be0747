"""声音设置: 小声一点 / 大声一点 / 慢一点 / 快一点 — for this visit only (the next starts at the site's)."""

from __future__ import annotations

from kiosk.core.effects import ApplySpeech
from kiosk.core.events import Tapped
from kiosk.core.flows.common import Outcome, bar, caption
from kiosk.core.settings import SpeechSettings
from kiosk.core.state import KioskState, go, say, with_visit
from kiosk.core.view import Choice, Piece, View

SCREEN = "settings"
SAMPLE = "现在的声音是这样的。"


def open_settings(state: KioskState, tap: Tapped) -> Outcome:
    """声音设置 (bottom bar on the home screen)."""
    return go(state, SCREEN), ()


def change(state: KioskState, tap: Tapped) -> Outcome:
    """One of the four buttons."""
    settings = state.visit.speech
    changed = {"softer": settings.softer, "louder": settings.louder, "slower": settings.slower,
               "faster": settings.faster}[tap.arg]()
    return apply(state, changed)


def apply(state: KioskState, settings: SpeechSettings) -> Outcome:
    """New volume / speed: applied, shown, and a sample said at the new setting."""
    state = say(with_visit(state, speech=settings), SAMPLE)
    return state, (ApplySpeech(settings.volume, settings.rate_wpm),)


def view(state: KioskState) -> View:
    """The two levels written out and the four buttons."""
    settings = state.visit.speech
    pieces = (Piece("settings.title", "声音设置", style="title"),
              Piece("settings.volume", settings.volume_text, style="panel-info"),
              Piece("settings.rate", settings.rate_text, style="panel-info"), *caption(state))
    choices = (Choice("settings.change", "小声一点", style="neutral", arg="softer"),
               Choice("settings.change", "大声一点", arg="louder"),
               Choice("settings.change", "慢一点", style="neutral", arg="slower"),
               Choice("settings.change", "快一点", arg="faster"))
    return View(SCREEN, pieces, choices, bar=bar(state))


TAPS = {"settings.open": open_settings, "settings.change": change}
VIEWS = {SCREEN: view}
