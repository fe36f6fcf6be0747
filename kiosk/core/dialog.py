"""Voice in the core: what was heard becomes the same taps as touch (:func:`heard`).

Rules: an emergency heard with confidence >= :data:`CONFIDENT` is raised at once (then the
person may cancel it); below that the kiosk asks "您是要紧急呼叫吗？" and yes — or ten seconds
of silence once the question has been said — raises it. Any other request heard below
:data:`CONFIDENT` gets a clarifying question naming what was understood. Nothing is sent
before it is read back on the question screen and confirmed (对 / 不对 answer whatever
question is on screen). 再说一遍, 回首页, 声音大一点 / 小一点 and 慢一点 work everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from kiosk.core.effects import StartTimer, Then
from kiosk.core.events import Heard, Tapped
from kiosk.core.flows import help_call, rating, settings
from kiosk.core.flows.activities import LIST, upcoming_activities
from kiosk.core.flows.common import Outcome
from kiosk.core.flows.question import question_view
from kiosk.core.idle import speech_seconds
from kiosk.core.prompts import default_unit, order_summary, prompt
from kiosk.core.state import Dialog, KioskState, Question, ask, go, say, with_data, with_visit
from kiosk.state.cart import CatalogItem
from kiosk.state.feedback import Report
from kiosk.voice.activities import match_activity
from kiosk.voice.intents import CONFIDENT, Intent
from kiosk.voice.normalise import normalise
from kiosk.voice.numbers import first_quantity

EMERGENCY_QUESTION = "您是要紧急呼叫吗？"
EMERGENCY_SILENCE_S = 10.0
_ABANDON = re.compile(r"算了|不要了|不买了|不用了|取消|不需要|拉倒")
_ANSWERS = ("confirm", "deny", "unknown")
# "我要反映个问题" says nothing about the problem itself: such words are not kept as the report's text.
_ONLY_ASKING = re.compile(r"[我想要跟和给你们您说个一下反映提点儿问题意见建议事情有个啊吧呢嗯呀，。！、 ]*")


def heard(state: KioskState, event: Heard) -> Outcome:
    """Act on one utterance."""
    state = with_data(state, heard=event.text, listening=False)
    intent = event.intent
    if state.visit.dictating:
        return rating.comment(state, event.text)
    if intent.name == "help" and intent.slots.get("emergency"):
        return _emergency(state, event)
    handled = _everywhere(state, intent)
    if handled is not None:
        return handled
    if intent.confidence < CONFIDENT and intent.name not in _ANSWERS:
        return _clarify(state, event)
    return _act(state, event)


def _act(state: KioskState, event: Heard) -> Outcome:
    intent = event.intent
    if state.screen == "question" and state.visit.question is not None and intent.name in ("confirm", "deny"):
        return state, (Then("question.answer", "yes" if intent.name == "confirm" else "no"),)
    if state.visit.dialog.asking:
        return _amount(state, event)
    if state.visit.dialog.choosing and intent.name not in ("grocery_order", "help", "status"):
        return _choose_activity(state, event)
    if state.screen == help_call.STATUS and intent.name == "deny" and state.data.help_running:
        return state, (Then("help.ask_cancel"),)
    starters = {"grocery_order": _order, "activity_signup": _activity, "activity_cancel": _activity,
                "help": lambda s, e: (s, (Then("home.help", "voice"),)),
                "status": lambda s, e: (s, (Then("home.requests"),)),
                "report_problem": _report,
                "confirm": lambda s, e: (say(s, prompt("listening")), ()),
                "deny": lambda s, e: (say(s, prompt("goodbye")), ())}
    starter = starters.get(intent.name)
    if starter is None:
        return say(state, prompt("not_understood")), ()
    return starter(state, event)


def _emergency(state: KioskState, event: Heard) -> Outcome:
    if state.data.help_running:
        return say(go(state, help_call.STATUS), prompt("emergency_kept")), ()
    if event.intent.confidence >= CONFIDENT:
        raised, steps = help_call.raise_call(state, event.now, "voice-emergency")
        return say(raised, prompt("emergency_raised")), steps
    serial = state.serial + 1
    question = Question("emergency", EMERGENCY_QUESTION, on_yes="help.raise", on_no="voice.not_emergency",
                        detail="不说话的话，十秒后会自动呼叫。", yes="是，呼叫", no="不是", arg="voice-emergency",
                        timeout_s=EMERGENCY_SILENCE_S)
    state = replace(ask(state, question), serial=serial)
    asking = speech_seconds(question_view(state).speech, state.visit.speech.rate_wpm)
    return state, (StartTimer("question", serial, asking + EMERGENCY_SILENCE_S),)


def _everywhere(state: KioskState, intent: Intent) -> Outcome | None:
    """Commands that work at every step."""
    if intent.name == "repeat":
        return state, (Then("nav.repeat"),)
    if intent.name == "home":
        return state, (Then("nav.home"),)
    if intent.name == "volume":
        speech = state.visit.speech
        return settings.apply(state, speech.louder() if intent.slots.get("direction") == "up" else speech.softer())
    if intent.name == "slower":
        return settings.apply(state, state.visit.speech.slower())
    return None


def understood(intent: Intent, state: KioskState) -> str:
    """What the kiosk understood, in words (for the clarifying question)."""
    if intent.name == "grocery_order":
        return "买" + order_summary([{"name": i.get("name"), "quantity": i.get("quantity"),
                                     "unit": i.get("unit")} for i in intent.slots.get("items", ())])
    if intent.name in ("activity_signup", "activity_cancel"):
        activity = state.data.activity(_int(intent.slots.get("activity_id")))
        title = f"“{activity.title}”" if activity else "活动"
        return f"报名{title}" if intent.name == "activity_signup" else f"取消{title}的报名"
    if intent.name == "report_problem":
        return "提建议" if intent.slots.get("kind") == "suggestion" else "反映问题"
    return {"help": "找志愿者来帮忙", "status": "看看我的请求"}.get(intent.name, "这个")


def _report(state: KioskState, event: Heard) -> Outcome:
    """我要反映个问题 / 楼道灯坏了好几天了: a report with what was said as its text (unless it only asked to report)."""
    kind = "suggestion" if event.intent.slots.get("kind") == "suggestion" else "problem"
    text = "" if _ONLY_ASKING.fullmatch(event.text.strip()) else event.text.strip()[:500]
    return with_visit(state, report=Report(kind, text=text)), (Then("voice.report", kind),)


def _clarify(state: KioskState, event: Heard) -> Outcome:
    what = understood(event.intent, state)
    dialog = replace(state.visit.dialog, clarify=event.text, clarify_text=what)
    state = with_visit(state, dialog=dialog, clarify_intent=event.intent)
    question = Question("clarify", f"您是要{what}吗？", on_yes="voice.clarified", on_no="voice.clarify_no",
                        detail=f"我听到的是：{event.text}", yes="是", no="不是")
    return ask(state, question), ()


def clarified(state: KioskState, tap: Tapped) -> Outcome:
    """是: act on what was understood."""
    intent = state.visit.clarify_intent
    if intent is None:
        return state, ()
    sure = Intent(intent.name, intent.slots, confidence=1.0)
    text = state.visit.dialog.clarify
    state = with_visit(state, dialog=Dialog(), clarify_intent=None)
    return _act(state, Heard(text, sure, tap.now))


def not_meant(state: KioskState, tap: Tapped) -> Outcome:
    """不是 to a clarifying or emergency question: ask again."""
    state = with_visit(state, dialog=Dialog(), clarify_intent=None)
    return say(go(state, "home" if state.screen == "question" else state.screen), prompt("ask_again")), ()


def _order(state: KioskState, event: Heard) -> Outcome:
    """A spoken order joins the cart; missing amounts are asked for, then it is read back."""
    catalog = {item.name: item for item in state.data.catalog}
    spoken = list(event.intent.slots.get("items", ()))
    known = [i for i in spoken if str(i.get("name")) in catalog]
    if not known:
        return say(state, prompt("not_in_shop")), ()
    asking = tuple((str(i["name"]), i.get("quantity"), i.get("unit")) for i in known)
    return _next_amount(with_visit(state, dialog=replace(state.visit.dialog, asking=asking)), catalog)


def _next_amount(state: KioskState, catalog: Mapping[str, CatalogItem]) -> Outcome:
    asking = state.visit.dialog.asking
    ready = [(catalog[name], qty, unit) for name, qty, unit in asking if qty is not None and name in catalog]
    missing = [(name, unit) for name, qty, unit in asking if qty is None]
    cart = state.visit.cart.merged(ready)
    state = with_visit(state, cart=cart, dialog=replace(state.visit.dialog,
                                                        asking=tuple(a for a in asking if a[1] is None)))
    if missing:
        name, unit = missing[0]
        unit = unit or (catalog[name].unit if name in catalog else default_unit(name))
        return say(go(state, "cart"), prompt("ask_quantity", item=name, unit=unit)), ()
    return state, (Then("groceries.checkout"),)


def _amount(state: KioskState, event: Heard) -> Outcome:
    catalog = {item.name: item for item in state.data.catalog}
    if event.intent.name == "grocery_order":
        return _order(state, event)
    if event.intent.name == "deny" and _ABANDON.search(event.text):
        return say(with_visit(state, dialog=Dialog()), prompt("order_cancelled")), ()
    amount = first_quantity(normalise(event.text))
    (name, _, unit), *rest = state.visit.dialog.asking
    if amount is None:
        asked = unit or (catalog[name].unit if name in catalog else default_unit(name))
        return say(state, prompt("ask_quantity", item=name, unit=asked)), ()
    asking = ((name, amount.value, amount.unit or unit), *rest)
    return _next_amount(with_visit(state, dialog=replace(state.visit.dialog, asking=asking)), catalog)


def _activity(state: KioskState, event: Heard) -> Outcome:
    mode = "signup" if event.intent.name == "activity_signup" else "cancel"
    activity_id = _int(event.intent.slots.get("activity_id"))
    if state.data.activity(activity_id) is None:
        return _offer(with_visit(state, dialog=replace(state.visit.dialog, choosing=mode)))
    return with_visit(state, dialog=Dialog()), (Then("activities.act", str(activity_id)),)


def _offer(state: KioskState) -> Outcome:
    upcoming = upcoming_activities(state)
    if not upcoming:
        return say(state, prompt("no_activities")), ()
    choices = "，".join(a.title for a in upcoming[:4])
    key = "ask_activity" if state.visit.dialog.choosing == "signup" else "ask_which_to_cancel"
    return say(go(state, LIST), prompt(key, choices=choices)), ()


def _choose_activity(state: KioskState, event: Heard) -> Outcome:
    if event.intent.name == "deny":
        return say(with_visit(state, dialog=Dialog()), prompt("goodbye")), ()
    activity_id = _int(event.intent.slots.get("activity_id"))
    if activity_id is None:
        rows = [a.for_dialog() for a in state.data.activities]
        activity_id = _int(match_activity(normalise(event.text), rows, event.now))
    if state.data.activity(activity_id) is None:
        return _offer(state)
    return with_visit(state, dialog=Dialog()), (Then("activities.act", str(activity_id)),)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


TAPS = {"voice.clarified": clarified, "voice.clarify_no": not_meant, "voice.not_emergency": not_meant}
