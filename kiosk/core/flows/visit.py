"""A visit: it begins with the first touch or a greeting and ends with the idle reset,
返回首页 after a finished task, or another resident identified. Its end forgets everything
personal and goes back to the site's volume and speed."""

from __future__ import annotations

from dataclasses import replace

from kiosk.core.effects import ApplySpeech, FollowOrder, Step
from kiosk.core.flows.common import Outcome
from kiosk.core.idle import HOME
from kiosk.core.state import KioskState, Visit, go, with_data


def end_visit(state: KioskState) -> Outcome:
    """Forget the visit: a new :class:`Visit` at the site's speech settings, no order followed."""
    site_speech = state.site.speech
    steps: list[Step] = []
    if state.visit.speech != site_speech:
        steps.append(ApplySpeech(site_speech.volume, site_speech.rate_wpm))
    if state.data.order is not None and state.data.order.event_id:
        steps.append(FollowOrder(state.data.order.event_id, stop=True))
    fresh = replace(state, visit=Visit(speech=site_speech))
    return with_data(fresh, order=None), tuple(steps)


def go_home(state: KioskState) -> Outcome:
    """返回首页: a finished task with nothing left open also ends the visit."""
    steps: tuple[Step, ...] = ()
    if state.visit.task_done and not state.visit.task_open:
        state, steps = end_visit(state)
    else:
        state = replace(state, visit=replace(state.visit, pending="", pending_arg="", question=None,
                                             dictating=False, dialog=replace(state.visit.dialog, asking=(),
                                                                             choosing="", clarify="")))
    return go(state, HOME), steps
