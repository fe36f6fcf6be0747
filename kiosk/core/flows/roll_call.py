"""点名: while a roll call (heatwave, typhoon, power cut) lists the identified person, the kiosk asks
"高温点名：王阿姨，您平安吗？" with 我平安 / 我需要帮助.

Once the person is known the runtime asks the portal (:class:`FetchRollCalls`); the answer
(:class:`RollCallsLoaded`) asks the question only from the home or a notice screen, so a task is never
interrupted (the next identification asks again). The answer is stored durably and sent
(``POST /api/v1/roll-calls/answers``); the thank-you needs no answer from the portal.
"""

from __future__ import annotations

from kiosk.core.effects import AnswerRollCall
from kiosk.core.events import RollCallsLoaded, Tapped
from kiosk.core.flows.common import Outcome
from kiosk.core.idle import HOME
from kiosk.core.state import KioskState, Question, ask, go, with_visit

QUIET_SCREENS = frozenset({HOME, "notice"})
SAFE_TITLE = "已告诉社区您平安"
HELP_TITLE = "已告诉社区您需要帮助"
HELP_DETAIL = "志愿者会尽快来看您。情况紧急的话，请按“紧急呼叫”。"


def question(reason: str, polite_name: str) -> Question:
    """高温点名：王阿姨，您平安吗？"""
    return Question(key="roll_call", title=f"{reason}点名：{polite_name}，您平安吗？",
                    detail="社区正在确认每位老人是否平安，请告诉我们。", yes="我平安", no="我需要帮助",
                    on_yes="rollcall.safe", on_no="rollcall.help")


def loaded(state: KioskState, event: RollCallsLoaded) -> Outcome:
    """An open roll call lists the person at the kiosk: ask them, unless they are in the middle of something."""
    person = state.visit.person
    if person is None or person.resident_id != event.resident_id or not event.reasons:
        return state, ()
    if state.screen not in QUIET_SCREENS:
        return state, ()
    return ask(state, question(event.reasons[0], person.polite_name)), ()


def _answered(state: KioskState, answer: str, notice: tuple[str, str]) -> Outcome:
    person = state.visit.person
    if person is None:
        return state, ()
    state = with_visit(state, task_done=True, notice=notice)
    return go(state, "notice"), (AnswerRollCall(person.resident_id, answer),)


def safe(state: KioskState, tap: Tapped) -> Outcome:
    """我平安."""
    name = state.visit.person.polite_name if state.visit.person else "您"
    return _answered(state, "safe", (SAFE_TITLE, f"{name}，谢谢您，社区的志愿者就放心了。"))


def need_help(state: KioskState, tap: Tapped) -> Outcome:
    """我需要帮助: the roll call raises an alert at the portal."""
    return _answered(state, "help", (HELP_TITLE, HELP_DETAIL))


TAPS = {"rollcall.safe": safe, "rollcall.help": need_help}
