"""Where a grocery order is, as the senior sees and hears it (pure).

    第 1 步 正在发送 -> 第 2 步 已下单，等志愿者认领 -> 第 3 步 <name>已认领，正在采购
    -> 第 4 步 已买好，花了 42.50 元 -> 第 5 步 已送到 -> 已确认收货

The portal's order JSON wins when known; before that the outbox state tells whether the
order is still on its way (and whether the portal is out of reach).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kiosk.core.prompts import order_summary
from kiosk.state.cart import yuan_text, yuan_words

TOTAL_STEPS = 5
PORTAL_STATES = ("submitted", "claimed", "bought", "delivered", "received", "cancelled")


class OrderStage(StrEnum):
    """Stages of an order on the kiosk."""

    SENDING = "sending"
    OFFLINE = "offline"
    REJECTED = "rejected"
    SUBMITTED = "submitted"
    CLAIMED = "claimed"
    BOUGHT = "bought"
    DELIVERED = "delivered"
    RECEIVED = "received"
    CANCELLED = "cancelled"


STEP_OF = {OrderStage.SENDING: 1, OrderStage.OFFLINE: 1, OrderStage.SUBMITTED: 2, OrderStage.CLAIMED: 3,
           OrderStage.BOUGHT: 4, OrderStage.DELIVERED: 5, OrderStage.RECEIVED: 5}


@dataclass(frozen=True, slots=True)
class OrderSnapshot:
    """What the kiosk knows about one order it placed."""

    event_id: str
    summary: str = ""
    """The items as placed (``两斤西红柿，一袋大米``), until the portal's answer is known."""
    outbox: str = "pending"
    """``pending`` / ``delivered`` / ``rejected`` / ``unknown``."""
    order: Mapping[str, Any] | None = None
    reachable: bool | None = None
    elapsed_s: float = 0.0
    receipt: str = "none"
    """``none``, ``sent`` (我收到了 stored) — shown at once, before the portal confirms."""
    rated: bool = False
    answers: tuple[tuple[int, bool], ...] = ()
    """Substitutes answered here (line id, kept), shown at once, before the portal confirms."""


@dataclass(frozen=True, slots=True)
class Substitute:
    """A substitute the volunteer bought instead of an item, waiting for the senior's answer."""

    line_id: int
    wanted: str
    name: str
    price_fen: int | None

    @property
    def question(self) -> str:
        """``酱油没有了，志愿者买了生抽，12.50 元。您要吗？``."""
        price = f"，{yuan_text(self.price_fen)}" if self.price_fen is not None else ""
        return f"{self.wanted}没有了，志愿者买了{self.name}{price}。您要吗？"


def open_substitute(snap: OrderSnapshot) -> Substitute | None:
    """The first substitute neither answered at the portal nor here."""
    answered = {line_id for line_id, _kept in snap.answers}
    for item in (snap.order or {}).get("items") or ():
        line_id = item.get("line_id")
        if (item.get("outcome") == "substitute" and not item.get("substitute_answer") and line_id is not None
                and int(line_id) not in answered):
            return Substitute(int(line_id), str(item.get("name") or ""), str(item.get("substitute_name") or ""),
                              item.get("substitute_price_fen"))
    return None


def amount_due(snap: OrderSnapshot) -> int | None:
    """What the senior pays, in fen: the portal's amount due (after declined substitutes), else the receipt."""
    order = snap.order or {}
    due = order.get("amount_due_fen", order.get("amount_paid_fen"))
    if due is None:
        return None
    declined = {line_id for line_id, kept in snap.answers if not kept}
    for item in order.get("items") or ():  # answered here, not yet at the portal
        if item.get("line_id") in declined and not item.get("substitute_answer"):
            due -= int(item.get("substitute_price_fen") or 0)
    return max(0, int(due))


def needs_amount_yes(snap: OrderSnapshot) -> bool:
    """The bill is far from the estimate and the senior has not agreed to it yet."""
    order = snap.order or {}
    return bool(order.get("needs_confirmation")) and not order.get("amount_confirmed")


def outcome_text(snap: OrderSnapshot) -> str:
    """``鸡蛋没买到。换成了生抽。`` (empty when everything was bought)."""
    parts = []
    kept = dict(snap.answers)
    for item in (snap.order or {}).get("items") or ():
        if item.get("outcome") == "not_bought":
            parts.append(f"{item.get('name')}没买到。")
        elif item.get("outcome") == "substitute":
            here = kept.get(int(item.get("line_id") or 0))
            answer = item.get("substitute_answer") or ("" if here is None else "accepted" if here else "declined")
            if answer == "accepted":
                parts.append(f"{item.get('name')}换成了{item.get('substitute_name')}。")
            elif answer == "declined":
                parts.append(f"{item.get('name')}的替代品{item.get('substitute_name')}不要了。")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class OrderView:
    """Texts of the order status screen."""

    stage: OrderStage
    step_text: str
    title: str
    detail: str
    speech: str
    tone: str
    can_confirm_receipt: bool
    can_rate: bool
    show_duty_phone: bool


def order_stage(snap: OrderSnapshot, *, offline_after_s: float) -> OrderStage:
    """The stage to show for ``snap``."""
    state = str((snap.order or {}).get("state") or "")
    if state == "delivered" and snap.receipt == "sent":
        return OrderStage.RECEIVED
    if state in PORTAL_STATES:
        return OrderStage(state)
    if snap.outbox == "rejected":
        return OrderStage.REJECTED
    if snap.outbox == "delivered":
        return OrderStage.SUBMITTED
    if snap.reachable is False or snap.elapsed_s >= offline_after_s:
        return OrderStage.OFFLINE
    return OrderStage.SENDING


def items_text(snap: OrderSnapshot) -> str:
    """The order's items in words, from the portal's answer when known."""
    items = (snap.order or {}).get("items")
    if items:
        return order_summary([{"name": i.get("name"), "quantity": i.get("quantity"), "unit": i.get("unit")}
                              for i in items])
    return snap.summary


def order_view(snap: OrderSnapshot, *, duty_phone: str, offline_after_s: float) -> OrderView:
    """The status screen's texts for ``snap``."""
    stage = order_stage(snap, offline_after_s=offline_after_s)
    order = snap.order or {}
    who = str(order.get("claimed_by") or "志愿者")
    paid = order.get("amount_paid_fen")
    title, detail, spoken_detail = _TEXTS[stage], "", ""
    if stage is OrderStage.OFFLINE:
        detail = spoken_detail = "订单已经保存在自助机里，联网后会自动发出，不会丢。"
    elif stage is OrderStage.REJECTED:
        detail = spoken_detail = f"服务中心没有接收这张订单。请拨打值班电话 {duty_phone}。"
    elif stage is OrderStage.CLAIMED:
        title = f"{who}已认领，正在采购"
    elif stage is OrderStage.BOUGHT:
        title = f"{who}已买好，正在送来"
        if paid is not None:
            detail, spoken_detail = f"一共花了 {yuan_text(int(paid))}。", f"一共花了{yuan_words(int(paid))}。"
    elif stage is OrderStage.DELIVERED:
        due = amount_due(snap)
        cost, said_cost = (f"一共 {yuan_text(due)}。", f"一共{yuan_words(due)}。") if due is not None else ("", "")
        press = "先请说一下替代品要不要。" if open_substitute(snap) is not None else "收到了请按“我收到了”。"
        detail, spoken_detail = f"东西收到了吗？{cost}{press}", f"东西收到了吗？{said_cost}{press}"
    if stage in (OrderStage.BOUGHT, OrderStage.DELIVERED, OrderStage.RECEIVED):
        found = outcome_text(snap)
        detail, spoken_detail = found + detail, found + spoken_detail
    elif stage is OrderStage.RECEIVED and not snap.rated:
        detail = spoken_detail = "谢谢！可以给这次代购打个分。"
    step = STEP_OF.get(stage)
    step_text = f"第 {step} 步，共 {TOTAL_STEPS} 步" if step else ""
    items = items_text(snap)
    speech = f"{step_text}。{title}。" if step_text else f"{title}。"
    speech += (f"您买的是：{items}。" if items else "") + spoken_detail
    tone = {OrderStage.OFFLINE: "warning", OrderStage.REJECTED: "warning", OrderStage.DELIVERED: "success",
            OrderStage.RECEIVED: "success"}.get(stage, "info")
    return OrderView(stage=stage, step_text=step_text, title=title, detail=detail, speech=speech, tone=tone,
                     can_confirm_receipt=stage is OrderStage.DELIVERED and open_substitute(snap) is None,
                     can_rate=stage is OrderStage.RECEIVED and not snap.rated and order.get("id") is not None,
                     show_duty_phone=stage is OrderStage.REJECTED)


_TEXTS = {
    OrderStage.SENDING: "正在发送订单",
    OrderStage.OFFLINE: "暂时联系不上服务中心",
    OrderStage.REJECTED: "订单没有发出去",
    OrderStage.SUBMITTED: "已下单，等志愿者认领",
    OrderStage.CLAIMED: "志愿者已认领，正在采购",
    OrderStage.BOUGHT: "已买好，正在送来",
    OrderStage.DELIVERED: "已送到",
    OrderStage.RECEIVED: "已确认收货",
    OrderStage.CANCELLED: "订单已取消",
}
