"""The yes / no question screen: 不 on the left, 是 on the right; each answer taps its target."""

from __future__ import annotations

from kiosk.core.effects import StartTimer, Then
from kiosk.core.events import Tapped, TimerFired
from kiosk.core.flows.common import Outcome, bar, caption
from kiosk.core.state import KioskState, with_visit
from kiosk.core.view import Choice, Piece, View

TIMER = "question"


def answer(state: KioskState, tap: Tapped) -> Outcome:
    """是 / 不: the question's ``on_yes`` / ``on_no`` is tapped next."""
    question = state.visit.question
    if question is None:
        return state, ()
    target = question.on_yes if tap.arg == "yes" else question.on_no
    return with_visit(state, question=None), (Then(target, question.arg),)


def timed_out(state: KioskState, event: TimerFired) -> Outcome:
    """Silence after a question that counts silence as yes (the unsure emergency).

    Someone talking to the kiosk is not silent: while it listens the wait starts again.
    """
    question = state.visit.question
    if question is None or question.timeout_s <= 0 or state.screen != "question" or event.serial != state.serial:
        return state, ()
    if state.data.listening:
        return state, (StartTimer(TIMER, event.serial, question.timeout_s),)
    return with_visit(state, question=None), (Then(question.on_yes, question.arg),)


def question_view(state: KioskState) -> View:
    """The question, its detail and the two answers."""
    question = state.visit.question
    if question is None:
        return View("question", (Piece("question.title", "", style="title"),), bar=bar(state))
    pieces = (*caption(state), Piece("question.title", question.title, style="title"),
              Piece("question.detail", question.detail))
    choices = (Choice("question.answer", question.no, style="neutral", arg="no", name=f"{question.key}.no"),
               Choice("question.answer", question.yes, style="confirm", arg="yes", name=f"{question.key}.yes"))
    hint = f"左边是“{question.no}”，右边是“{question.yes}”，也可以说“对”或者“不对”"
    return View(question.key, pieces, choices, bar=bar(state), hint=hint)


TAPS = {"question.answer": answer}
VIEWS = {"question": question_view}
