"""反映问题: the person reports a problem or makes a suggestion, and hears the reply on a later visit.

我的请求 → 反映问题 · 我的积分 (``voice_menu``) → 反映问题 / 提建议 → one of four categories
(``report_category``) → 确定要反映设施维修方面的问题吗？ → stored durably (:class:`ReportFeedback`) →
已经告诉社区了. Voice ("我要反映个问题") starts at the categories with what was said as the text.

Once the person is identified the runtime asks for replies they have not heard (:class:`FetchReplies`);
on a quiet screen (home, a notice) the first is shown and said (``reply``), and 知道了 marks it heard.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from kiosk.core.effects import FetchPoints, MarkReplyHeard, ReportFeedback
from kiosk.core.events import RepliesLoaded, Tapped
from kiosk.core.flows.common import Outcome, bar, caption
from kiosk.core.flows.visitor import require
from kiosk.core.idle import HOME
from kiosk.core.state import KioskState, Question, ask, go, with_visit
from kiosk.core.view import Choice, Piece, View
from kiosk.state.feedback import CATEGORY_LABELS, KIOSK_CATEGORIES, Report

MENU = "voice_menu"
CATEGORY = "report_category"
REPLY = "reply"
QUIET_SCREENS = frozenset({HOME, "notice"})
MENU_NOTE = "有问题、有建议，都可以告诉社区。好的建议能得积分，积分可以换大米等奖品。"
SENT_TITLE = "已经告诉社区了"
SENT_DETAIL = "网格员会来了解情况。办好了，您下次来自助机时，我会把答复告诉您。"


def open_menu(state: KioskState, tap: Tapped) -> Outcome:
    """反映问题 · 我的积分 (the person is found out first)."""
    return require(state, "voice.known", purpose="反映问题")


def menu(state: KioskState, tap: Tapped) -> Outcome:
    """The person is known: the menu."""
    return go(state, MENU), ()


def start_report(state: KioskState, tap: Tapped) -> Outcome:
    """反映问题 (``problem``) or 提建议 (``suggestion``): choose what it is about."""
    kind = tap.arg if tap.arg in ("problem", "suggestion") else "problem"
    if state.visit.person is None:
        return require(state, "voice.report", kind, purpose="反映问题")
    text = state.visit.report.text if state.visit.report else ""
    return go(with_visit(state, report=Report(kind, text=text)), CATEGORY), ()


def choose_category(state: KioskState, tap: Tapped) -> Outcome:
    """A category: read the report back and ask before sending it."""
    report = state.visit.report
    if report is None or tap.arg not in CATEGORY_LABELS:
        return state, ()
    report = Report(report.kind, tap.arg, report.text)
    said = f"您说的是：{report.text}。" if report.text else ""
    question = Question(key="report_confirm", title=f"确定要反映{report.label}吗？",
                        detail=f"{said}网格员会来问您具体情况。", yes="是，告诉社区", no="不，重新选",
                        on_yes="voice.send", on_no="voice.rechoose")
    return ask(with_visit(state, report=report), question), ()


def rechoose(state: KioskState, tap: Tapped) -> Outcome:
    """不，重新选: back to the categories."""
    return go(state, CATEGORY), ()


def send(state: KioskState, tap: Tapped) -> Outcome:
    """是: stored durably and sent; 已经告诉社区了."""
    report, person = state.visit.report, state.visit.person
    if report is None or person is None or not report.category:
        return state, ()
    state = with_visit(state, report=None, task_done=True, notice=(SENT_TITLE, SENT_DETAIL))
    return go(state, "notice"), (ReportFeedback(person.resident_id, report.kind, report.category, report.text),)


def replies_loaded(state: KioskState, event: RepliesLoaded) -> Outcome:
    """Replies the person has not heard: shown at once on a quiet screen; in the middle of something they wait
    behind 听答复 (on 我的请求 and the 反映问题 menu)."""
    person = state.visit.person
    if person is None or person.resident_id != event.resident_id or not event.replies:
        return state, ()
    state = with_visit(state, replies=event.replies)
    return (go(state, REPLY) if state.screen in QUIET_SCREENS else state), ()


def show_replies(state: KioskState, tap: Tapped) -> Outcome:
    """听答复."""
    return (go(state, REPLY) if state.visit.replies else state), ()


def replies_choice(state: KioskState) -> tuple[Choice, ...]:
    """听答复（2 条） while replies wait."""
    count = len(state.visit.replies)
    return (Choice("reply.show", f"听答复（{count} 条）", style="confirm"),) if count else ()


def reply_heard(state: KioskState, tap: Tapped) -> Outcome:
    """知道了: the reply is marked heard; the next one, or 谢谢您."""
    replies = state.visit.replies
    if not replies:
        return state, ()
    rest = replies[1:]
    state = with_visit(state, replies=rest, task_done=True)
    if not rest:
        state = go(with_visit(state, notice=("谢谢您", "有事随时来自助机反映。")), "notice")
    return state, (MarkReplyHeard(replies[0].feedback_id),)


def open_points(state: KioskState, tap: Tapped) -> Outcome:
    """我的积分: fetch the points and show them."""
    person = state.visit.person
    if person is None:
        return require(state, "voice.points", purpose="查看积分")
    return go(with_visit(state, points=None, points_offline=False), "my_points"), (FetchPoints(person.resident_id),)


def menu_view(state: KioskState) -> View:
    """反映问题 / 提建议 / 我的积分."""
    person = state.visit.person
    name = f"{person.polite_name}，" if person else ""
    pieces = (*caption(state), Piece("voice.title", f"{name}您想做什么？", style="title"),
              Piece("voice.note", MENU_NOTE))
    choices = (*replies_choice(state), Choice("voice.report", "反映问题", arg="problem"),
               Choice("voice.report", "提建议", arg="suggestion"), Choice("voice.points", "我的积分", style="neutral"))
    return View(MENU, pieces, choices, bar=bar(state))


def category_view(state: KioskState) -> View:
    """Four categories of the kind chosen."""
    report = state.visit.report or Report("problem")
    title = "您要反映哪方面的问题？" if report.kind == "problem" else "您的建议是关于哪方面的？"
    choices = tuple(Choice("voice.category", CATEGORY_LABELS[category], arg=category)
                    for category in KIOSK_CATEGORIES.get(report.kind, KIOSK_CATEGORIES["problem"]))
    pieces = (*caption(state), Piece("report.title", title, style="title"),
              Piece("report.said", f"您说的是：{report.text}" if report.text else ""))
    return View(CATEGORY, pieces, choices, bar=bar(state))


def reply_view(state: KioskState) -> View:
    """您反映的问题有答复了: when and what about, the reply, 知道了."""
    if not state.visit.replies:
        return View(REPLY, (Piece("reply.title", "没有新的答复", style="title"),), bar=bar(state))
    reply = state.visit.replies[0]
    more = f"还有 {len(state.visit.replies) - 1} 条答复" if len(state.visit.replies) > 1 else ""
    pieces = (*caption(state), Piece("reply.title", "您反映的事情有答复了", style="title"),
              Piece("reply.heading", f"{reply.heading(ZoneInfo(state.site.timezone))}：", style="panel-info"),
              Piece("reply.text", reply.reply, style="spoken"), Piece("reply.more", more, style="note"))
    return View(REPLY, pieces, (Choice("reply.ok", "知道了", style="confirm"),), bar=bar(state))


TAPS = {"requests.voice": open_menu, "voice.known": menu, "voice.report": start_report,
        "voice.category": choose_category, "voice.rechoose": rechoose, "voice.send": send, "reply.ok": reply_heard,
        "reply.show": show_replies,
        "voice.points": open_points}
VIEWS = {MENU: menu_view, CATEGORY: category_view, REPLY: reply_view}
