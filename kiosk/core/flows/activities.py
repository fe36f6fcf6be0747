"""活动报名: activity cards -> one activity -> 报名 / 候补报名 / 取消报名 (asked first) -> the answer; 我的活动."""

from __future__ import annotations

from kiosk.core.effects import FetchActivities, SignUp
from kiosk.core.events import ActivitiesLoaded, SignupAnswered, Tapped
from kiosk.core.flows.common import Outcome, bar, caption, page, paging_choice, turn_page
from kiosk.core.flows.visitor import require
from kiosk.core.state import KioskState, Question, ask, go, with_data, with_visit
from kiosk.core.view import Choice, Piece, View
from kiosk.state.activities import Activity, Signup, card_lines, signup_card_lines, signup_result
from kiosk.state.when import when_and_place

LIST, DETAIL, MINE = "activities", "activity_detail", "my_activities"
CARDS_PER_PAGE = 2
OFFLINE_NOTE = "网络中断，显示的是上次的信息。"
PENDING = "正在办理，请稍等。"


def open_list(state: KioskState, tap: Tapped) -> Outcome:
    """活动报名 / 报名新活动 / 看其他活动."""
    return go(state, LIST), (FetchActivities(),)


def loaded(state: KioskState, event: ActivitiesLoaded) -> Outcome:
    """Upcoming activities (the cached ones while the portal is out of reach)."""
    activities = event.activities if event.activities or event.reachable else state.data.activities
    return with_data(state, activities=activities, activities_reachable=event.reachable), ()


def open_detail(state: KioskState, tap: Tapped) -> Outcome:
    """A card: that activity."""
    return go(with_visit(state, activity=int(tap.arg)), DETAIL), ()


def act(state: KioskState, tap: Tapped) -> Outcome:
    """报名 / 候补报名 / 取消报名: who is there, then the question."""
    return require(state, "activities.ask", tap.arg, purpose="活动报名")


def ask_signup(state: KioskState, tap: Tapped) -> Outcome:
    """确定要报名“社区义诊”吗？ / 确定要取消报名吗？ (read back with when and where)."""
    activity = state.data.activity(int(tap.arg))
    if activity is None:
        return go(state, DETAIL), ()
    state = with_visit(state, activity=activity.id)
    mine = my_signup(state, activity.id)
    when = when_and_place(activity.starts_at, activity.place, state.now)
    if mine is not None:
        question = Question("confirm_cancel_signup", f"确定要取消报名“{activity.title}”吗？",
                            on_yes="activities.signup", on_no="activities.detail",
                            detail=f"{activity.title}，{when}。取消以后，名额会让给别人。",
                            yes="是，取消报名", no="不，保留", arg=f"cancel:{activity.id}")
    else:
        question = Question("confirm_signup", f"确定要报名“{activity.title}”吗？", on_yes="activities.signup",
                            on_no="activities.detail", detail=f"{when}。{activity.spots_text}。", yes="是，报名",
                            no="不，返回",
                            arg=f"signup:{activity.id}")
    return ask(state, question), ()


def sign_up(state: KioskState, tap: Tapped) -> Outcome:
    """The answer was 是: store the sign-up (or cancellation) for the person; 正在办理."""
    mode, _, raw_id = tap.arg.partition(":")
    activity = state.data.activity(int(raw_id))
    person = state.visit.person
    if activity is None or person is None:
        return go(state, DETAIL), ()
    cancelling = mode == "cancel"
    state = _with_result(with_visit(state, activity=activity.id, task_done=True), activity.id, PENDING)
    return go(state, DETAIL), (SignUp(activity.id, person.resident_id, activity.title, cancelling=cancelling),)


def answered(state: KioskState, event: SignupAnswered) -> Outcome:
    """The portal's answer (or that it is saved for later): written on the detail screen."""
    text = signup_result(event.state, event.answer, cancelling=event.cancelling)
    state = _with_result(state, event.activity_id, text)
    if event.state == "delivered" and event.answer is not None:
        state = with_visit(state, signups=_signups_after(state, event))
    return state, ()


def show_detail(state: KioskState, tap: Tapped) -> Outcome:
    """Back to the activity (不，返回)."""
    return go(state, DETAIL), ()


def open_mine(state: KioskState, tap: Tapped) -> Outcome:
    """我的活动: who is there first."""
    return require(state, "activities.mine_known", purpose="查看我的活动")


def show_mine(state: KioskState, tap: Tapped) -> Outcome:
    """The person's sign-ups."""
    return go(with_visit(state, task_done=True), MINE), ()


def upcoming_activities(state: KioskState) -> list[Activity]:
    """Activities not started yet and not cancelled."""
    return [a for a in state.data.activities if not a.cancelled and a.starts_at > state.now]


def my_signup(state: KioskState, activity_id: int) -> Signup | None:
    """The person's active sign-up for an activity."""
    return next((s for s in state.visit.signups if s.activity_id == activity_id and s.active), None)


def _with_result(state: KioskState, activity_id: int, text: str) -> KioskState:
    others = tuple((a, t) for a, t in state.visit.signup_results if a != activity_id)
    return with_visit(state, signup_results=(*others, (activity_id, text)))


def _signups_after(state: KioskState, event: SignupAnswered) -> tuple[Signup, ...]:
    kept = tuple(s for s in state.visit.signups if s.activity_id != event.activity_id)
    activity = state.data.activity(event.activity_id)
    answer = event.answer or {}
    if event.cancelling or activity is None:
        return kept
    position = answer.get("waitlist_position")
    signup = Signup(activity_id=activity.id, title=activity.title, place=activity.place,
                    starts_at=activity.starts_at, state=str(answer.get("state") or "confirmed"),
                    waitlist_position=position if isinstance(position, int) else None)
    return (*kept, signup)


def _notes(state: KioskState, empty: str, has_items: bool) -> tuple[Piece, ...]:
    offline = state.data.activities_reachable is False
    text = (OFFLINE_NOTE if offline else "") + ("" if has_items else empty)
    return (Piece(f"{state.screen}.note", text, style="note"),) if text else ()


def list_view(state: KioskState) -> View:
    """Two cards a page: title, when and where, places or the person's state."""
    upcoming = upcoming_activities(state)
    shown = page(state, upcoming, CARDS_PER_PAGE)
    cards = tuple(_card(state, a) for a in shown.items)
    pieces = (*caption(state), Piece("activities.title", "活动报名：点一个活动看详细", style="title"),
              *_notes(state, "最近没有活动。", bool(upcoming)))
    choices = (*cards, *paging_choice(LIST, shown), Choice("activities.mine", "我的活动", style="confirm"))
    return View(LIST, pieces, choices, bar=bar(state))


def _card(state: KioskState, activity: Activity) -> Choice:
    lines = card_lines(activity, my_signup(state, activity.id), state.now)
    return Choice("activities.detail_of", activity.title, kind="card", arg=str(activity.id), lines=lines)


def detail_view(state: KioskState) -> View:
    """One activity: when and where, what it is, the person's state or places, the answer."""
    activity = state.data.activity(state.visit.activity)
    back = Choice("activities.open", "看其他活动", style="neutral")
    if activity is None:
        return View(DETAIL, (Piece("detail.title", "活动已结束或已取消", style="title"),), (back,), bar=bar(state))
    mine = my_signup(state, activity.id)
    state_line = card_lines(activity, mine, state.now)[2]
    result = state.visit.result_of(activity.id)
    pieces = (*caption(state), Piece("detail.title", activity.title, style="title"),
              Piece("detail.when", when_and_place(activity.starts_at, activity.place, state.now)),
              Piece("detail.description", activity.description),
              Piece("detail.result", result, style="panel-info"),
              Piece("detail.state", "" if result and state_line in result else state_line, style="panel-info"))
    if result == PENDING:
        return View(DETAIL, pieces, (back,), bar=bar(state))
    if mine is not None:
        action = Choice("activities.act", "取消报名", style="neutral", arg=str(activity.id))
    else:
        text = "报名" if activity.spots_left > 0 else "候补报名"
        action = Choice("activities.act", text, style="confirm", arg=str(activity.id))
    return View(DETAIL, pieces, (back, action), bar=bar(state))


def mine_view(state: KioskState) -> View:
    """我的活动: the person's sign-ups as cards."""
    signups = [s for s in state.visit.signups if s.active]
    shown = page(state, signups, CARDS_PER_PAGE)
    person = state.visit.person
    title = f"{person.polite_name}的活动" if person else "我的活动"
    cards = tuple(Choice("activities.detail_of", s.title, kind="card", arg=str(s.activity_id),
                         lines=signup_card_lines(s, state.now)) for s in shown.items)
    pieces = (*caption(state), Piece("mine.title", title, style="title"),
              *_notes(state, "现在没有报名的活动。", bool(signups)))
    choices = (*cards, *paging_choice(MINE, shown), Choice("activities.open", "报名新活动", style="primary"))
    return View(MINE, pieces, choices, bar=bar(state))


TAPS = {"home.activities": open_list, "activities.open": open_list, "activities.detail_of": open_detail,
        "activities.act": act, "activities.ask": ask_signup, "activities.signup": sign_up,
        "activities.detail": show_detail, "activities.mine": open_mine, "activities.mine_known": show_mine,
        f"{LIST}.page": turn_page, f"{MINE}.page": turn_page}
VIEWS = {LIST: list_view, DETAIL: detail_view, MINE: mine_view}
