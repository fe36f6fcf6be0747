"""评价: five very large stars (one control), an optional spoken comment, 提交评价."""

from __future__ import annotations

from dataclasses import replace

from kiosk.core.effects import Listen, SubmitRating
from kiosk.core.events import Tapped
from kiosk.core.flows.common import Outcome, bar, caption
from kiosk.core.state import KioskState, go, say, with_data, with_visit
from kiosk.core.view import Choice, Piece, View, spoken_form

SCREEN = "rating"


def choose(state: KioskState, tap: Tapped) -> Outcome:
    """A star: that many stars."""
    rating = state.visit.rating
    if rating is None:
        return state, ()
    return with_visit(state, rating=replace(rating, stars=int(tap.arg))), ()


def dictate(state: KioskState, tap: Tapped) -> Outcome:
    """说一句评价: the next utterance is the comment."""
    if not (state.site.voice and state.data.voice_ready):
        return say(state, "语音功能暂时不能用。请用手点星星。"), ()
    return say(with_visit(state, dictating=True), "请说一句评价，我在听。"), (Listen(),)


def comment(state: KioskState, text: str) -> Outcome:
    """What was said after 说一句评价."""
    rating = state.visit.rating
    if rating is None:
        return with_visit(state, dictating=False), ()
    return with_visit(state, rating=replace(rating, comment=text.strip()[:200]), dictating=False, said=""), ()


def submit(state: KioskState, tap: Tapped) -> Outcome:
    """提交评价 (stored durably); 谢谢您的评价."""
    rating = state.visit.rating
    if rating is None:
        return state, ()
    if rating.stars == 0:
        return say(state, "请先点星星，一到五颗星。"), ()
    state = with_data(state, rated=state.data.rated | {(rating.kind, rating.target_id)})
    state = with_visit(state, rating=None, task_done=True, notice=("谢谢您的评价", "您的意见会帮助我们做得更好。"))
    effect = SubmitRating(rating.kind, rating.target_id, rating.stars, rating.comment, rating.record_event_id)
    return go(state, "notice"), (effect,)


def view(state: KioskState) -> View:
    """请给这次代购打分, the stars, what was chosen and said, 说一句评价 / 提交评价."""
    rating = state.visit.rating
    if rating is None:
        return View(SCREEN, (Piece("rating.title", "没有要评价的服务", style="title"),), bar=bar(state))
    chosen = f"您选了 {rating.stars} 颗星" if rating.stars else "请点星星：一颗星最差，五颗星最好"
    pieces = (*caption(state), Piece("rating.title", f"请给{rating.label}打分", style="title"),
              Piece("rating.chosen", chosen, style="panel-info"),
              Piece("rating.comment", f"您说的是：{rating.comment}" if rating.comment else ""))
    stars = tuple(Choice("rating.star", f"{n} 星", kind="star", arg=str(n), selected=n <= rating.stars,
                         said=f"“{spoken_form(str(n))}星”") for n in range(1, 6))
    choices = [Choice("rating.submit", "提交评价", style="confirm")]
    if state.site.voice and state.data.voice_ready:
        choices.insert(0, Choice("rating.say", "说一句评价", style="primary"))
    return View(SCREEN, pieces, tuple(choices), keys=stars, bar=bar(state))


def notice_view(state: KioskState) -> View:
    """A short message (谢谢您的评价)."""
    title, detail = state.visit.notice
    pieces = (*caption(state), Piece("notice.title", title, style="title"), Piece("notice.detail", detail))
    return View("notice", pieces, bar=bar(state))


TAPS = {"rating.star": choose, "rating.say": dictate, "rating.submit": submit}
VIEWS = {SCREEN: view, "notice": notice_view}
