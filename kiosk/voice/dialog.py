"""The voice dialog as a pure state machine: ``handle(state, event) -> (state, actions)``.

Events and actions live in :mod:`kiosk.voice.messages` (re-exported here). Events are
what the kiosk heard or saw (:class:`Heard` carries the text and its parsed
:class:`~kiosk.voice.intents.Intent`); actions are what the app must do (speak, show a
screen, raise an alert, submit an order ...). Rules: an emergency is raised at once, then the person
may cancel it; nothing is sent before it is read back and confirmed; 再说一遍 / 回首页 /
声音 / 慢一点 work at every step. No clock, no I/O: ``now`` comes in with the event.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from kiosk.core.prompts import default_unit, order_summary, prompt, say_when

from .activities import match_activity
from .intents import Intent
from .messages import (
    Action,
    ActivitiesChanged,
    CancelAlert,
    CancelSignUp,
    CartChanged,
    ChangeRate,
    ChangeVolume,
    Event,
    Heard,
    QueryStatus,
    RaiseAlert,
    Show,
    SignUp,
    Silence,
    Speak,
    StopSpeaking,
    SubmitOrder,
    Touched,
)
from .normalise import normalise
from .numbers import first_quantity

__all__ = [
    "DialogState",
    "handle",
    "Heard",
    "Touched",
    "Silence",
    "ActivitiesChanged",
    "CartChanged",
    "Event",
    "Speak",
    "Show",
    "RaiseAlert",
    "CancelAlert",
    "SubmitOrder",
    "SignUp",
    "CancelSignUp",
    "QueryStatus",
    "StopSpeaking",
    "ChangeVolume",
    "ChangeRate",
    "Action",
]

RATE_STEP = 20
MAX_SILENCES = 2
_ABANDON = re.compile(r"算了|不要了|不买了|不用了|取消|不需要|拉倒")


# -- state -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DialogState:
    """Where the conversation is.

    ``step``: idle, order_quantity, order_confirm, choose_activity, signup_confirm,
    cancel_confirm, help_confirm or emergency. ``last_spoken`` is repeated on 再说一遍.
    """

    step: str = "idle"
    items: tuple[Mapping, ...] = ()
    activity_id: object = None
    choosing_for: str = ""
    activities: tuple[Mapping, ...] = ()
    last_spoken: str = ""
    silences: int = 0
    alert_raised: bool = False


Result = tuple[DialogState, list[Action]]


def say(state: DialogState, text: str, *actions: Action) -> Result:
    """Speak *text* (remembered for 再说一遍) after *actions*."""
    return replace(state, last_spoken=text, silences=0), [*actions, Speak(text)]


def go_home(state: DialogState, text: str) -> Result:
    """Back to the idle state on the home screen (an emergency alert stays raised)."""
    fresh = DialogState(activities=state.activities, alert_raised=state.alert_raised)
    return say(fresh, text, Show("home"))


# -- entry point -------------------------------------------------------------------------


def handle(state: DialogState, event: Event) -> Result:
    """Advance the dialog by one event."""
    if isinstance(event, Touched):
        return state, [StopSpeaking()]
    if isinstance(event, ActivitiesChanged):
        return replace(state, activities=tuple(event.activities)), []
    if isinstance(event, CartChanged):
        return _cart_changed(state, event), []
    if isinstance(event, Silence):
        return _silence(state)
    intent = event.intent
    if intent.name == "help" and intent.slots.get("emergency"):
        return _emergency(state)
    handled = _global(state, intent)
    if handled is not None:
        return handled
    return _STEPS.get(state.step, _idle)(state, event)


def _silence(state: DialogState) -> Result:
    if state.step in ("idle", "emergency"):
        return state, []
    if state.silences + 1 >= MAX_SILENCES:
        return go_home(state, prompt("goodbye"))
    new_state, actions = say(state, state.last_spoken)
    return replace(new_state, silences=state.silences + 1), actions


def _emergency(state: DialogState) -> Result:
    if state.alert_raised:
        return say(replace(state, step="emergency"), prompt("emergency_kept"), Show("emergency"))
    raised = replace(state, step="emergency", alert_raised=True)
    return say(raised, prompt("emergency_raised"), RaiseAlert("help", True), Show("emergency"))


def _global(state: DialogState, intent: Intent) -> Result | None:
    """Commands that work at every step."""
    if intent.name == "repeat":
        return say(state, state.last_spoken or prompt("listening"))
    if intent.name == "home":
        return go_home(state, prompt("going_home"))
    if intent.name == "volume":
        key = "louder" if intent.slots.get("direction") == "up" else "quieter"
        return say(state, prompt(key), ChangeVolume(intent.slots.get("direction", "up")))
    if intent.name == "slower":
        text = prompt("slower") + (state.last_spoken if state.step != "idle" else "")
        return say(state, text, ChangeRate(-RATE_STEP))
    return None


# -- idle: a new request -----------------------------------------------------------------


def _idle(state: DialogState, event: Heard) -> Result:
    intent = event.intent
    starters: dict[str, Callable[[DialogState, Heard], Result]] = {
        "grocery_order": _start_order,
        "activity_signup": _start_activity,
        "activity_cancel": _start_activity,
        "help": lambda s, e: say(replace(s, step="help_confirm"), prompt("confirm_help")),
        "status": lambda s, e: say(s, prompt("status"), QueryStatus(), Show("status")),
        "deny": lambda s, e: go_home(s, prompt("goodbye")),
        "confirm": lambda s, e: say(s, prompt("listening")),
    }
    starter = starters.get(intent.name)
    if starter is None:
        return say(state, prompt("not_understood"))
    return starter(state, event)


def _cart_changed(state: DialogState, event: CartChanged) -> DialogState:
    """The cart as touched, plus items still waiting for their amount in the conversation."""
    names = {item["name"] for item in event.items}
    asking = tuple(i for i in state.items if i.get("quantity") is None and i["name"] not in names)
    return replace(state, items=tuple(dict(i) for i in event.items) + asking)


def _start_order(state: DialogState, event: Heard) -> Result:
    """A new order adds to what is already in the cart (touch and voice share one cart)."""
    return _next_order_question(replace(state, items=_merge(state.items, event.intent.slots.get("items", ()))))


def _next_order_question(state: DialogState) -> Result:
    """Ask for the first missing amount, or read the order back for confirmation."""
    for item in state.items:
        if item.get("quantity") is None:
            unit = item.get("unit") or default_unit(item["name"])
            asked = replace(state, step="order_quantity")
            return say(asked, prompt("ask_quantity", item=item["name"], unit=unit), Show("order"))
    summary = order_summary(state.items)
    return say(replace(state, step="order_confirm"), prompt("confirm_order", summary=summary), Show("order_confirm"))


# -- grocery steps -----------------------------------------------------------------------


def _order_quantity(state: DialogState, event: Heard) -> Result:
    if event.intent.name == "grocery_order":
        return _next_order_question(replace(state, items=_merge(state.items, event.intent.slots["items"])))
    if event.intent.name == "deny" and _ABANDON.search(event.text):
        return go_home(state, prompt("order_cancelled"))
    amount = first_quantity(normalise(event.text))
    if amount is None:
        return say(state, state.last_spoken)
    items = list(state.items)
    index = next(i for i, item in enumerate(items) if item.get("quantity") is None)
    unit = amount.unit or items[index].get("unit") or default_unit(items[index]["name"])
    items[index] = {**items[index], "quantity": amount.value, "unit": unit}
    return _next_order_question(replace(state, items=tuple(items)))


def _order_confirm(state: DialogState, event: Heard) -> Result:
    intent = event.intent
    if intent.name == "confirm":
        return _before(SubmitOrder(state.items), go_home(state, prompt("order_sent")))
    if intent.name == "grocery_order":  # a correction: 不对，要三斤鸡蛋
        return _next_order_question(replace(state, items=_merge(state.items, intent.slots["items"])))
    if intent.name == "deny":
        if _ABANDON.search(event.text):
            return go_home(state, prompt("order_cancelled"))
        return say(replace(state, step="idle", items=()), prompt("ask_items_again"))
    return say(state, prompt("say_yes_or_no"))


def _merge(items: tuple[Mapping, ...], changes: list[Mapping]) -> tuple[Mapping, ...]:
    """Items with *changes* applied: the same name replaces its amount, new names are added."""
    merged = {item["name"]: dict(item) for item in items}
    for change in changes:
        old = merged.get(change["name"], {})
        keep_old = change.get("quantity") is None and old.get("quantity") is not None
        merged[change["name"]] = dict(old) if keep_old else dict(change)
    return tuple(merged.values())


# -- activities --------------------------------------------------------------------------


def _title(state: DialogState, activity_id: object, now: datetime | None = None) -> tuple[str, str]:
    """Title and start in words: relative to ``now`` (明天上午七点半) when known, else the date."""
    for activity in state.activities:
        if activity.get("id") == activity_id:
            return str(activity.get("title", "")), say_when(str(activity.get("starts_at", "")), now)
    return "", ""


def _start_activity(state: DialogState, event: Heard) -> Result:
    mode = "signup" if event.intent.name == "activity_signup" else "cancel"
    activity_id = event.intent.slots.get("activity_id")
    if activity_id is None or not _title(state, activity_id)[0]:
        return _ask_which(replace(state, choosing_for=mode))
    return _confirm_activity(replace(state, choosing_for=mode), activity_id, event.now)


def _ask_which(state: DialogState) -> Result:
    if not state.activities:
        return go_home(state, prompt("no_activities"))
    choices = "，".join(str(a.get("title", "")) for a in state.activities[:4])
    key = "ask_activity" if state.choosing_for == "signup" else "ask_which_to_cancel"
    return say(replace(state, step="choose_activity"), prompt(key, choices=choices), Show("activities"))


def _confirm_activity(state: DialogState, activity_id: object, now: datetime | None = None) -> Result:
    title, when = _title(state, activity_id, now)
    if state.choosing_for == "signup":
        step, text = "signup_confirm", prompt("confirm_signup", title=title, when=when)
    else:
        step, text = "cancel_confirm", prompt("confirm_cancel_signup", title=title)
    return say(replace(state, step=step, activity_id=activity_id), text, Show("activity_confirm"))


def _choose_activity(state: DialogState, event: Heard) -> Result:
    if event.intent.name == "deny":
        return go_home(state, prompt("goodbye"))
    activity_id = event.intent.slots.get("activity_id")
    if activity_id is None and event.now is not None:
        activity_id = match_activity(normalise(event.text), state.activities, event.now)
    if activity_id is None or not _title(state, activity_id)[0]:
        return say(state, state.last_spoken)
    return _confirm_activity(state, activity_id, event.now)


def _activity_confirm(state: DialogState, event: Heard) -> Result:
    signup = state.step == "signup_confirm"
    title = _title(state, state.activity_id)[0]
    if event.intent.name == "confirm":
        action = SignUp(state.activity_id) if signup else CancelSignUp(state.activity_id)
        text = prompt("signup_sent" if signup else "cancel_signup_sent", title=title)
        return _before(action, go_home(state, text))
    if event.intent.name == "deny":
        return go_home(state, prompt("signup_dropped" if signup else "cancel_dropped"))
    if event.intent.name in ("activity_signup", "activity_cancel"):
        return _start_activity(state, event)
    return say(state, prompt("say_yes_or_no"))


# -- help --------------------------------------------------------------------------------


def _help_confirm(state: DialogState, event: Heard) -> Result:
    if event.intent.name in ("confirm", "help"):
        return _before(RaiseAlert("help", False), go_home(state, prompt("help_sent")))
    if event.intent.name == "deny":
        return go_home(state, prompt("help_dropped"))
    return say(state, prompt("say_yes_or_no"))


def _emergency_step(state: DialogState, event: Heard) -> Result:
    if event.intent.name == "deny":
        calm = replace(state, alert_raised=False)
        return _before(CancelAlert(), go_home(calm, prompt("emergency_cancelled")))
    return say(state, prompt("emergency_kept"))


def _before(action: Action, result: Result) -> Result:
    """*result* with *action* first (e.g. submit, then speak the confirmation)."""
    state, actions = result
    return state, [action, *actions]


_STEPS: dict[str, Callable[[DialogState, Heard], Result]] = {
    "idle": _idle,
    "order_quantity": _order_quantity,
    "order_confirm": _order_confirm,
    "choose_activity": _choose_activity,
    "signup_confirm": _activity_confirm,
    "cancel_confirm": _activity_confirm,
    "help_confirm": _help_confirm,
    "emergency": _emergency_step,
}
