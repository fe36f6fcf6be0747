"""我的请求: the person's help calls, orders and sign-ups made here, with their live state.

A sign-up's state is taken from the person's sign-ups when known, so the list cannot say
正在报名 while the activity says 已报名.
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.core.effects import FetchRequests, FollowOrder
from kiosk.core.events import RequestsLoaded, Tapped
from kiosk.core.flows.common import Outcome, bar, caption, page, paging_choice, turn_page
from kiosk.core.flows.feedback import replies_choice
from kiosk.core.flows.visitor import require
from kiosk.core.state import KioskState, Rating, go, with_data, with_visit
from kiosk.core.view import Choice, Piece, View
from kiosk.state.orders import OrderSnapshot
from kiosk.state.requests import RequestRecord, row_lines

SCREEN = "my_requests"
CARDS_PER_PAGE = 2


def open_requests(state: KioskState, tap: Tapped) -> Outcome:
    """我的请求 (by touch or voice): the running help call if any, else the person's requests."""
    if state.data.help_running:
        return go(state, "help_status"), ()
    return require(state, "requests.known", purpose="查看我的请求")


def show(state: KioskState, tap: Tapped) -> Outcome:
    """The person is known: refresh and show their requests."""
    person = state.visit.person
    if person is None:
        return state, ()
    return go(with_visit(state, task_done=True), SCREEN), (FetchRequests(person.resident_id),)


def loaded(state: KioskState, event: RequestsLoaded) -> Outcome:
    """The refreshed records (and sign-ups) of the person at the kiosk."""
    person = state.visit.person
    if person is None or person.resident_id != event.resident_id:
        return state, ()
    signups = event.signups if event.signups is not None else state.visit.signups
    return with_visit(state, requests=event.records, signups=signups), ()


def open_record(state: KioskState, tap: Tapped) -> Outcome:
    """A card: the order's status, the activity, or the rating of a handled call."""
    record = next((r for r in state.visit.requests or () if r.event_id == tap.arg), None)
    if record is None:
        return state, ()
    if record.kind == "signup" and record.activity_id is not None:
        return go(with_visit(state, activity=record.activity_id), "activity_detail"), ()
    if record.kind == "order":
        snap = OrderSnapshot(event_id=record.event_id, summary=record.summary, outbox="delivered",
                             order={"id": record.target_id, "state": record.state} if record.target_id else None)
        state = with_data(state, order=snap, order_since=tap.now)
        return go(state, "order_status"), (FollowOrder(record.event_id),)
    if record.rateable and record.target_id is not None:
        return go(with_visit(state, rating=Rating("alert", record.target_id, record.event_id)), "rating"), ()
    return state, ()


def current(state: KioskState, record: RequestRecord) -> RequestRecord:
    """A record with its sign-up state taken from the person's sign-ups, and rated when rated here."""
    if record.kind == "signup" and record.activity_id is not None:
        signup = next((s for s in state.visit.signups if s.activity_id == record.activity_id), None)
        if signup is not None:
            position = str(signup.waitlist_position or "")
            record = record.with_state(signup.state, detail=position)
    kind = "alert" if record.kind == "help" else record.kind
    if record.target_id is not None and (kind, record.target_id) in state.data.rated:
        record = replace(record, rated=True)
    return record


def view(state: KioskState) -> View:
    """The records as cards, newest first."""
    person = state.visit.person
    records = [current(state, r) for r in state.visit.requests or ()]
    shown = page(state, records, CARDS_PER_PAGE)
    title = f"{person.polite_name}的请求" if person else "我的请求"
    pieces = [*caption(state), Piece("requests.title", title, style="title")]
    if state.visit.requests is None:
        pieces.append(Piece("requests.note", "正在查询，请稍等。", style="note"))
    elif not records:
        pieces.append(Piece("requests.note", "在这台自助机上还没有请求。", style="note"))
    cards = tuple(Choice("requests.open", r.summary or r.kind, kind="card", arg=r.event_id,
                         lines=row_lines(r, state.now)) for r in shown.items)
    voice = replies_choice(state) or (Choice("requests.voice", "反映问题 · 我的积分", style="neutral"),)
    return View(SCREEN, tuple(pieces), (*cards, *paging_choice(SCREEN, shown), *voice), bar=bar(state))


TAPS = {"home.requests": open_requests, "requests.known": show, "requests.open": open_record,
        f"{SCREEN}.page": turn_page}
VIEWS = {SCREEN: view}
