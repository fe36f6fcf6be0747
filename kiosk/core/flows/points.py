"""我的积分: the person's time-bank points, the rewards as cards, and redeeming one.

A card the person cannot afford says how many points are missing; one they can asks
确定用 100 分换一袋大米吗？ and, on 是, stores the redemption durably (:class:`Redeem`): 已兑换，请到服务台领取
(staff hand the reward over and mark it given in the portal).
"""

from __future__ import annotations

from kiosk.core.effects import Redeem
from kiosk.core.events import PointsLoaded, Tapped
from kiosk.core.flows.common import Outcome, bar, caption, page, paging_choice, turn_page
from kiosk.core.state import KioskState, Question, ask, go, say, with_visit
from kiosk.core.view import Choice, Piece, View
from kiosk.state.feedback import reward_lines

SCREEN = "my_points"
CARDS_PER_PAGE = 2


def loaded(state: KioskState, event: PointsLoaded) -> Outcome:
    """The points of the person at the kiosk (or: the portal cannot be reached)."""
    person = state.visit.person
    if person is None or person.resident_id != event.resident_id:
        return state, ()
    if event.points is None:
        return with_visit(state, points_offline=True), ()
    return with_visit(state, points=event.points, points_offline=False), ()


def pick(state: KioskState, tap: Tapped) -> Outcome:
    """A reward card: not enough points says so; enough asks first."""
    points = state.visit.points
    reward = points.reward(int(tap.arg)) if points and tap.arg.isdigit() else None
    if points is None or reward is None:
        return state, ()
    if points.balance < reward.points:
        return say(state, f"积分还不够，还差 {reward.points - points.balance} 分。"), ()
    question = Question(key="redeem_confirm", title=f"确定用 {reward.points} 分换{reward.name}吗？",
                        detail="换好后请到服务台领取，工作人员会交给您。", yes="是，兑换", no="不，返回",
                        on_yes="points.redeem", on_no="points.back", arg=str(reward.id))
    return ask(state, question), ()


def back(state: KioskState, tap: Tapped) -> Outcome:
    """不，返回: the rewards again."""
    return go(state, SCREEN), ()


def redeem(state: KioskState, tap: Tapped) -> Outcome:
    """是，兑换: stored durably; the points shown drop at once."""
    points, person = state.visit.points, state.visit.person
    reward = points.reward(int(tap.arg)) if points and tap.arg.isdigit() else None
    if points is None or person is None or reward is None or points.balance < reward.points:
        return go(state, SCREEN), ()
    after = points.spent(reward)
    notice = (f"已兑换：{reward.name}", f"请到服务台领取，工作人员会交给您。您还有 {after.balance} 分。")
    state = with_visit(state, points=after, task_done=True, notice=notice)
    return go(state, "notice"), (Redeem(person.resident_id, reward.id),)


def view(state: KioskState) -> View:
    """王阿姨的积分：15 分, what waits to be handed over, the rewards two a page."""
    person, points = state.visit.person, state.visit.points
    name = person.polite_name if person else "您"
    pieces = [*caption(state)]
    if points is None:
        note = "暂时查不到积分，请稍后再试，或者问服务台。" if state.visit.points_offline else "正在查询积分，请稍等。"
        pieces += [Piece("points.title", f"{name}的积分", style="title"), Piece("points.note", note, style="note")]
        return View(SCREEN, tuple(pieces), bar=bar(state))
    pieces.append(Piece("points.title", f"{name}的积分：{points.balance} 分", style="title"))
    if points.waiting:
        pieces.append(Piece("points.waiting", f"待领取：{'、'.join(points.waiting)}，请到服务台领取。",
                            style="panel-info"))
    if not points.rewards:
        pieces.append(Piece("points.note", "社区还没有设置兑换的奖品。", style="note"))
    else:
        pieces.append(Piece("points.note", "好的建议和志愿服务都能得积分。点一个奖品可以兑换。"))
    shown = page(state, points.rewards, CARDS_PER_PAGE)
    cards = tuple(Choice("points.pick", reward.name, kind="card", arg=str(reward.id),
                         lines=reward_lines(reward, points.balance)) for reward in shown.items)
    return View(SCREEN, tuple(pieces), (*cards, *paging_choice(SCREEN, shown)), bar=bar(state))


TAPS = {"points.pick": pick, "points.back": back, "points.redeem": redeem, f"{SCREEN}.page": turn_page}
VIEWS = {SCREEN: view}
