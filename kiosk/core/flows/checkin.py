"""我今天很好: the daily check-in (平安打卡) of the person at the kiosk, once they are identified.

The check-in is stored durably and sent (``POST /api/v1/checkins``); the thank-you needs no answer from
the portal, so it works offline too.
"""

from __future__ import annotations

from kiosk.core.effects import CheckIn
from kiosk.core.events import Tapped
from kiosk.core.flows.common import Outcome
from kiosk.core.flows.visitor import require
from kiosk.core.state import KioskState, go, with_visit

CHOICE_TEXT = "我今天很好"
THANKS = "已平安打卡"


def start(state: KioskState, tap: Tapped) -> Outcome:
    """我今天很好: find out who it is first (wristband greeting or keypad)."""
    return require(state, "checkin.known", purpose="平安打卡")


def known(state: KioskState, tap: Tapped) -> Outcome:
    """The person is known: record their check-in and thank them."""
    person = state.visit.person
    if person is None:
        return state, ()
    detail = f"{person.polite_name}，谢谢您告诉我们您今天很好，社区的志愿者就放心了。"
    state = with_visit(state, task_done=True, notice=(THANKS, detail))
    return go(state, "notice"), (CheckIn(person.resident_id, tap.now),)


TAPS = {"home.checkin": start, "checkin.known": known}
