"""Money settled: what the volunteer found and paid, the resident's answers and confirmation, prepaid charges,
a volunteer's month and payouts. Order-state moves stay in :mod:`caregiver_portal.orders.service`; these
functions fill in the money on the same order (inside its unit of work) or own their own transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from caregiver_portal.accounts.models import Site, User
from caregiver_portal.core.clock import CHINA_TIME
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.uow import insert_once, transactional
from caregiver_portal.orders.models import GroceryOrder, GroceryOrderLine
from caregiver_portal.residents.models import Resident
from caregiver_portal.settlement import rules
from caregiver_portal.settlement.models import BalanceEntry, VolunteerPayout

MAX_TOPUP_FEN = 1_000_000  # 10,000 yuan at a time
DEFAULT_PERCENT = 20


@dataclass(frozen=True, slots=True)
class LineResult:
    """What the volunteer reports for one line: bought, 没买到, or a substitute with its name and price."""

    outcome: str
    substitute_name: str = ""
    substitute_price_fen: int | None = None


def line_facts(line: GroceryOrderLine) -> rules.LineFacts:
    """The pure facts of a stored line."""
    estimate = round(line.unit_price_fen * line.quantity) if line.unit_price_fen is not None else None
    return rules.LineFacts(outcome=line.outcome or "bought", estimate_fen=estimate,
                           substitute_price_fen=line.substitute_price_fen, substitute_answer=line.substitute_answer)


def confirm_percent(session: Session, site_id: int) -> int:
    """The site's share (percent) beyond which the resident confirms the bill at the kiosk."""
    site = session.get(Site, site_id)
    return site.settle_confirm_percent if site is not None else DEFAULT_PERCENT


def apply_results(order: GroceryOrder, results: Mapping[int, LineResult]) -> None:
    """Store what the volunteer found per line (lines not mentioned were bought)."""
    for line in order.lines:
        result = results.get(line.id, LineResult("bought"))
        if result.outcome not in ("bought", "not_bought", "substitute"):
            raise InvalidTransition("不认识的购买结果")
        name = result.substitute_name.strip()[:50]
        if result.outcome == "substitute" and not name:
            raise InvalidTransition(f"{line.name}：请写上买了什么替代品")
        price = result.substitute_price_fen
        if result.outcome == "substitute" and (price is None or not 0 <= price <= 10_000_000):
            raise InvalidTransition(f"{line.name}：请写上替代品的价格")
        line.outcome = result.outcome
        line.substitute_name = name if result.outcome == "substitute" else ""
        line.substitute_price_fen = price if result.outcome == "substitute" else None
        line.substitute_answer = ""
    if all(line.outcome == "not_bought" for line in order.lines):
        raise InvalidTransition("一样都没买到：请放回队列或请工作人员取消订单")


def refresh_amount(session: Session, order: GroceryOrder) -> None:
    """Recompute what the resident owes and whether they must confirm it (after buying or an answer)."""
    if order.amount_paid_fen is None:
        return
    facts = [line_facts(line) for line in order.lines]
    order.amount_due_fen = rules.amount_due_fen(order.amount_paid_fen, facts)
    order.needs_confirmation = rules.needs_confirmation(order.amount_due_fen, rules.bought_estimate_fen(facts),
                                                        confirm_percent(session, order.site_id))


def settled(order: GroceryOrder) -> bool:
    """The amount is final: received, substitutes answered, and confirmed where the difference needs it."""
    if order.state != "received" or order.amount_due_fen is None:
        return False
    if rules.substitutes_open(line_facts(line) for line in order.lines):
        return False
    return not order.needs_confirmation or order.amount_confirmed_at is not None


def money_state(order: GroceryOrder) -> str:
    """A short Chinese label of where the money stands."""
    if order.amount_due_fen is None:
        return "未买好"
    if order.amount_disputed_at is not None and order.amount_confirmed_at is None:
        return "老人对金额有疑问，请工作人员联系"
    if rules.substitutes_open(line_facts(line) for line in order.lines):
        return "替代品等老人答复"
    if order.needs_confirmation and order.amount_confirmed_at is None:
        return "金额与参考价相差较大，等老人确认"
    return "已结清" if settled(order) else "等老人收货"


def answer_substitute(session: Session, order: GroceryOrder, *, line_id: int, accept: bool) -> GroceryOrder:
    """The resident keeps or declines a substitute (the first answer stands; repeating it is harmless)."""
    line = next((ln for ln in order.lines if ln.id == line_id), None)
    if line is None or line.outcome != "substitute":
        raise NotFound("这张订单没有这个替代品")
    if order.state not in ("bought", "delivered", "received"):
        raise InvalidTransition("订单还没有买好")
    if not line.substitute_answer:
        line.substitute_answer = "accepted" if accept else "declined"
        refresh_amount(session, order)
        session.flush()
    return order


def confirm_amount(session: Session, order: GroceryOrder, *, amount_fen: int | None, accepted: bool | None,
                   now: datetime, by: str) -> None:
    """The resident (``by="resident"``) or staff (``by="staff"``) agrees to the bill, or disputes it."""
    if accepted is False:
        order.amount_disputed_at = order.amount_disputed_at or now
        return
    if accepted is None or order.amount_due_fen is None or order.amount_confirmed_at is not None:
        return
    if amount_fen is not None and amount_fen != order.amount_due_fen:
        raise InvalidTransition("金额已经变了，请再看一遍")
    order.amount_confirmed_at = now
    order.amount_confirmed_by = by


def charge_if_final(session: Session, order: GroceryOrder, *, now: datetime) -> None:
    """Charge a settled order paid from the prepaid balance, once (the ledger's unique key guards a re-send)."""
    if order.payment_method != "balance" or not settled(order) or order.resident_id is None:
        return
    due = order.amount_due_fen or 0
    entry = BalanceEntry(site_id=order.site_id, resident_id=order.resident_id, kind="charge", amount_fen=-due,
                         order_id=order.id, note=f"代购 #{order.id}", created_at=now)
    insert_once(session, entry, lambda: session.scalar(select(BalanceEntry).where(
        BalanceEntry.order_id == order.id, BalanceEntry.kind == "charge")))


def balance_of(session: Session, resident_id: int) -> int:
    """A resident's prepaid balance in fen: the sum of their ledger."""
    return int(session.scalar(select(func.coalesce(func.sum(BalanceEntry.amount_fen), 0))
                              .where(BalanceEntry.resident_id == resident_id)) or 0)


def ledger(session: Session, resident_id: int, *, limit: int = 50) -> list[BalanceEntry]:
    """A resident's latest ledger lines, newest first."""
    return list(session.scalars(select(BalanceEntry).where(BalanceEntry.resident_id == resident_id)
                                .options(selectinload(BalanceEntry.created_by))
                                .order_by(BalanceEntry.created_at.desc(), BalanceEntry.id.desc()).limit(limit)))


@transactional
def top_up(*, session: Session, resident: Resident, amount_fen: int, user: User, note: str,
           now: datetime) -> BalanceEntry:
    """Money a resident (or their family) paid in at the desk; a negative amount is a refund paid out."""
    if amount_fen == 0 or abs(amount_fen) > MAX_TOPUP_FEN:
        raise InvalidTransition("金额不合理")
    if amount_fen < 0 and balance_of(session, resident.id) + amount_fen < 0:
        raise InvalidTransition("退款不能超过余额")
    entry = BalanceEntry(site_id=resident.site_id, resident_id=resident.id, kind="topup" if amount_fen > 0
                         else "refund", amount_fen=amount_fen, note=note[:200], created_by_id=user.id,
                         created_at=now)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True, slots=True)
class MonthSheet:
    """A volunteer's settlement for one month: the orders, their money and the sums."""

    volunteer: User
    month: str
    orders: list[GroceryOrder]
    money: list[rules.OrderMoney]
    payouts: list[VolunteerPayout]
    totals: rules.Settlement


def parse_month(text: str) -> tuple[int, int]:
    """``2026-12`` -> (2026, 12), or :class:`InvalidTransition`."""
    year, _, month = text.partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12 and 2000 <= int(year) <= 2100):
        raise InvalidTransition("月份格式应为 2026-12")
    return int(year), int(month)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """First moment of ``month`` and of the next one, China time."""
    year, number = parse_month(month)
    return (datetime(year, number, 1, tzinfo=CHINA_TIME),
            datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=CHINA_TIME))


def order_money(order: GroceryOrder, charged: int) -> rules.OrderMoney:
    """One order's figures for the settlement."""
    return rules.OrderMoney(order_id=order.id, paid_fen=order.amount_paid_fen or 0,
                            due_fen=order.amount_due_fen or 0, cash_fen=order.cash_collected_fen or 0,
                            charged_fen=charged, settled=settled(order))


def month_sheet(session: Session, *, volunteer: User, month: str, site_id: int | None) -> MonthSheet:
    """The orders a volunteer bought in ``month`` (China time), with their money and the payouts."""
    start, end = month_bounds(month)
    query = (select(GroceryOrder).where(GroceryOrder.claimed_by_id == volunteer.id,
                                        GroceryOrder.bought_at >= start, GroceryOrder.bought_at < end)
             .options(selectinload(GroceryOrder.lines), selectinload(GroceryOrder.resident))
             .order_by(GroceryOrder.bought_at, GroceryOrder.id))
    if site_id is not None:
        query = query.where(GroceryOrder.site_id == site_id)
    orders = list(session.scalars(query))
    charges = dict(session.execute(select(BalanceEntry.order_id, BalanceEntry.amount_fen).where(
        BalanceEntry.order_id.in_([o.id for o in orders]), BalanceEntry.kind == "charge")).tuples().all())
    money = [order_money(o, -charges.get(o.id, 0)) for o in orders]
    payouts = list(session.scalars(select(VolunteerPayout).where(VolunteerPayout.user_id == volunteer.id,
                                                                 VolunteerPayout.month == month)
                                   .order_by(VolunteerPayout.created_at)))
    return MonthSheet(volunteer=volunteer, month=month, orders=orders, money=money, payouts=payouts,
                      totals=rules.settle(money, (p.amount_fen for p in payouts)))


@transactional
def record_payout(*, session: Session, volunteer: User, month: str, amount_fen: int, user: User, note: str,
                  now: datetime) -> VolunteerPayout:
    """An admin paid a volunteer back for ``month``."""
    parse_month(month)
    if not 0 < amount_fen <= 10_000_000:
        raise InvalidTransition("金额不合理")
    payout = VolunteerPayout(site_id=volunteer.site_id, user_id=volunteer.id, month=month, amount_fen=amount_fen,
                             note=note[:200], created_by_id=user.id, created_at=now)
    session.add(payout)
    session.flush()
    return payout


@transactional
def set_confirm_percent(*, session: Session, site_id: int, percent: int) -> None:
    """Change the site's confirmation share (0–100 %)."""
    if not 0 <= percent <= 100:
        raise InvalidTransition("比例应在 0 到 100 之间")
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound("找不到站点")
    site.settle_confirm_percent = percent
