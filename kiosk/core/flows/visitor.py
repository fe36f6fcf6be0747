"""Who is at the kiosk: the wristband greeting (是您吗？) and the keypad.

Services that act for a person call :func:`require` with the choice to tap once the person
is known. A wristband is a hint, never an identification: only 是 or a typed code makes it so.
A help call never waits for any of this.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kiosk.core.effects import (
    FetchReplies,
    FetchRollCalls,
    FindNearby,
    LookupResident,
    Remember,
    StartTimer,
    Step,
    Then,
)
from kiosk.core.events import LookupAnswered, NearbyAnswered, Tapped, TimerFired
from kiosk.core.flows.common import Outcome, bar, caption
from kiosk.core.flows.visit import end_visit
from kiosk.core.state import KioskState, go, say, with_visit
from kiosk.core.view import Choice, Piece, View
from kiosk.state.activities import Signup, reminders
from kiosk.state.keypad import KEYS, MIN_DIGITS, SUBMIT
from kiosk.state.text import spoken_phone
from kiosk.state.visitor import Visitor

GREETING_TIMER = "greeting"
BAND_NOTE = "屏幕上的名字是从您戴的手环认出来的。"
NOT_ME_NOTE = "不是您的话，请按“不是”，再输入房间号。"


def require(state: KioskState, target: str, arg: str = "", purpose: str = "") -> Outcome:
    """Tap ``target`` for the person at the kiosk, finding out who it is first if needed."""
    if state.visit.person is not None:
        return state, (Then(target, arg),)
    attempt = state.visit.attempt + 1
    state = with_visit(state, pending=target, pending_arg=arg, purpose=purpose, attempt=attempt)
    if state.site.greeting_wait_s <= 0:
        return show_keypad(state), ()
    return state, (FindNearby(attempt, state.visit.declined),
                   StartTimer(GREETING_TIMER, attempt, state.site.greeting_wait_s))


def show_keypad(state: KioskState) -> KioskState:
    """Ask for a room number or resident code."""
    return with_visit(go(state, "resident"), keypad=replace(state.visit.keypad, digits=""), keypad_note="")


def nearby(state: KioskState, event: NearbyAnswered) -> Outcome:
    """The wristband answer: greet the wearer, or the keypad."""
    visit = state.visit
    if event.attempt != visit.attempt or not visit.pending or state.screen in ("greet", "resident"):
        return state, ()
    if event.visitor is None:
        return show_keypad(state), ()
    state = with_visit(state, candidate=event.visitor, signups=event.signups)
    return go(state, "greet"), ()


def greeting_timed_out(state: KioskState, event: TimerFired) -> Outcome:
    """No wristband answer in time: the keypad at once."""
    if event.serial != state.visit.attempt or not state.visit.pending or state.screen in ("greet", "resident"):
        return state, ()
    return show_keypad(state), ()


def answer_greeting(state: KioskState, tap: Tapped) -> Outcome:
    """是 / 不是."""
    candidate = state.visit.candidate
    if tap.arg == "yes" and candidate is not None:
        return identified(with_visit(state, candidate=None), candidate, state.visit.signups)
    declined = state.visit.declined | ({candidate.resident_id} if candidate else set())
    return show_keypad(with_visit(state, candidate=None, declined=frozenset(declined))), ()


def press_key(state: KioskState, tap: Tapped) -> Outcome:
    """A keypad key; 确定 looks the code up."""
    entry = state.visit.keypad
    if tap.arg != SUBMIT:
        return with_visit(state, keypad=entry.press(tap.arg), keypad_note=""), ()
    if not entry.complete:
        return with_visit(state, keypad_note=f"请至少输入 {MIN_DIGITS} 位数字。"), ()
    return with_visit(state, keypad_note="正在查找，请稍等。"), (LookupResident(entry.digits),)


def looked_up(state: KioskState, event: LookupAnswered) -> Outcome:
    """The keypad lookup answered."""
    if not state.visit.pending:
        return state, ()
    if event.visitor is not None:
        return identified(state, event.visitor, event.signups)
    if event.outcome == "offline":
        phone = state.site.duty_phone
        note = f"暂时联系不上服务中心，查不到号码 {event.code}。请稍后再试，或拨打值班电话 {phone}。"
    else:
        note = f"没有找到号码 {event.code}。请看一看再输一遍。"
    return with_visit(state, keypad=replace(state.visit.keypad, digits=""), keypad_note=note), ()


DIGIT_RUN = re.compile(r"\d(?:[\- ]?\d){2,}")
"""Three or more digits (a code, a phone number): read one by one."""


def _note(state: KioskState) -> Piece:
    """The keypad's note, with codes and phone numbers read digit by digit."""
    note = state.visit.keypad_note
    said = DIGIT_RUN.sub(lambda m: spoken_phone(m.group()), note)
    return Piece("resident.note", note, style="note", said=said if said != note else "")


def identified(state: KioskState, visitor: Visitor, signups: tuple[Signup, ...]) -> Outcome:
    """The person is known: greet them with their reminders and go on with what they wanted.

    Another resident than the one known so far starts a new visit (what was pending stays).
    """
    steps: list[Step] = []
    target, arg = state.visit.pending, state.visit.pending_arg
    if state.visit.person is not None and state.visit.person.resident_id != visitor.resident_id:
        state, ended = end_visit(state)
        steps.extend(ended)
    state = with_visit(state, person=visitor, signups=signups, pending="", pending_arg="", purpose="",
                       candidate=None, keypad=replace(state.visit.keypad, digits=""), keypad_note="")
    steps.extend((Remember(visitor), FetchRollCalls(visitor.resident_id), FetchReplies(visitor.resident_id)))
    if target:
        steps.append(Then(target, arg))
    hello = f"{visitor.hello}{reminders(signups, state.now)}"
    return say(state, hello), tuple(steps)


def greet_view(state: KioskState) -> View:
    """王阿姨，您好！是您吗？ with what the wristband and 不是 mean."""
    candidate = state.visit.candidate
    question = candidate.question if candidate else "是您吗？"
    pieces = (Piece("greet.title", question, style="title"), Piece("greet.band", BAND_NOTE),
              Piece("greet.not_me", NOT_ME_NOTE))
    choices = (Choice("greet.answer", "不是", style="neutral", arg="no"),
               Choice("greet.answer", "是", style="confirm", arg="yes"))
    return View("greet", pieces, choices, bar=bar(state), hint="请按“是”或者“不是”，左边是“不是”，右边是“是”")


def keypad_view(state: KioskState) -> View:
    """The keypad: what it is for, the digits typed, a note, twelve keys."""
    visit = state.visit
    purpose = f"{visit.purpose}之前，" if visit.purpose else ""  # 买菜代购之前，请告诉我您是谁。
    digits = visit.keypad.digits
    pieces = (*caption(state),
              Piece("resident.purpose", f"{purpose}请告诉我您是谁。" if purpose else ""),
              Piece("resident.title", "请输入房间号或居民码", style="title"),
              Piece("resident.display", visit.keypad.display, style="phone",
                    said=f"您输入的是：{spoken_phone(digits)}" if digits else "还没有输入数字"),
              _note(state))
    keys = tuple(Choice("resident.key", key, style="confirm" if key == SUBMIT else "neutral", kind="key", arg=key)
                 for key in KEYS)
    return View("resident", pieces, keys=keys, bar=bar(state),
                hint="请按数字键：一二三，四五六，七八九，零。按错了按左下角的“删除”，输完了按右下角的“确定”")


TAPS = {"greet.answer": answer_greeting, "resident.key": press_key}
VIEWS = {"greet": greet_view, "resident": keypad_view}
