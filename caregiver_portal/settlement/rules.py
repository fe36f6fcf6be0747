"""The money rules of a grocery order, pure: what the resident owes, when they must confirm it, what the centre
owes the volunteer, and a prepaid balance. Amounts are integer fen; nothing here reads the clock or a database.

    volunteer paid (receipt)  ── minus declined substitutes ──>  resident owes (amount due)
    resident owes  ── paid back as cash at the door, or charged to the prepaid balance
    centre owes the volunteer = amount due − cash the volunteer collected   (per settled order)
    outstanding for a month   = centre owes (settled orders) − payouts recorded
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What a volunteer found for one order line."""

    outcome: str
    """``bought``, ``not_bought`` or ``substitute``."""
    estimate_fen: int | None
    """The line at usual prices (None when the item has no usual price)."""
    substitute_price_fen: int | None = None
    substitute_answer: str = ""
    """``accepted``, ``declined`` or empty (not answered yet)."""


def declined_fen(lines: Iterable[LineFacts]) -> int:
    """The price of the substitutes the resident declined (the volunteer takes them back)."""
    return sum(line.substitute_price_fen or 0 for line in lines
               if line.outcome == "substitute" and line.substitute_answer == "declined")


def amount_due_fen(paid_fen: int, lines: Iterable[LineFacts]) -> int:
    """What the resident owes: the receipt minus declined substitutes (never below zero)."""
    return max(0, paid_fen - declined_fen(lines))


def bought_estimate_fen(lines: Iterable[LineFacts]) -> int | None:
    """What the goods handed over should cost: usual prices of bought lines plus the substitutes' stated prices.

    None when a bought line has no usual price or a kept substitute no price (nothing to compare against)."""
    total = 0
    for line in lines:
        if line.outcome == "not_bought" or (line.outcome == "substitute" and line.substitute_answer == "declined"):
            continue
        price = line.substitute_price_fen if line.outcome == "substitute" else line.estimate_fen
        if price is None:
            return None
        total += price
    return total


def needs_confirmation(due_fen: int, estimate_fen: int | None, percent: int) -> bool:
    """True when the bill is more than ``percent`` % away from the estimate (either way), or cannot be compared."""
    if estimate_fen is None:
        return True
    if estimate_fen == 0:
        return due_fen != 0
    return abs(due_fen - estimate_fen) * 100 > percent * estimate_fen


def substitutes_open(lines: Iterable[LineFacts]) -> bool:
    """Some substitute still waits for the resident's answer."""
    return any(line.outcome == "substitute" and not line.substitute_answer for line in lines)


@dataclass(frozen=True, slots=True)
class OrderMoney:
    """One order on a volunteer's settlement."""

    order_id: int
    paid_fen: int
    due_fen: int
    cash_fen: int
    """Cash the volunteer collected at the door."""
    charged_fen: int
    """Charged to the resident's prepaid balance."""
    settled: bool
    """Received and, where needed, confirmed by the resident: the amount is final."""

    @property
    def owed_fen(self) -> int:
        """What the centre owes the volunteer for this order (negative: the volunteer holds the centre's cash)."""
        return self.due_fen - self.cash_fen


@dataclass(frozen=True, slots=True)
class Settlement:
    """A volunteer's month: sums over settled orders, pending ones apart, and payouts."""

    paid_fen: int
    due_fen: int
    cash_fen: int
    charged_fen: int
    owed_fen: int
    pending_fen: int
    """Paid by the volunteer on orders not settled yet (not owed until the resident confirms)."""
    pending_count: int
    paid_out_fen: int

    @property
    def outstanding_fen(self) -> int:
        """Still to pay the volunteer for the month."""
        return self.owed_fen - self.paid_out_fen


def settle(orders: Iterable[OrderMoney], payouts_fen: Iterable[int] = ()) -> Settlement:
    """Sum a volunteer's orders of a month; only settled orders count towards what is owed."""
    orders = list(orders)
    done = [o for o in orders if o.settled]
    pending = [o for o in orders if not o.settled]
    return Settlement(paid_fen=sum(o.paid_fen for o in done), due_fen=sum(o.due_fen for o in done),
                      cash_fen=sum(o.cash_fen for o in done), charged_fen=sum(o.charged_fen for o in done),
                      owed_fen=sum(o.owed_fen for o in done), pending_fen=sum(o.paid_fen for o in pending),
                      pending_count=len(pending), paid_out_fen=sum(payouts_fen))


def balance_fen(entries: Iterable[int]) -> int:
    """A prepaid balance is the sum of its ledger: top-ups positive, charges negative, refunds positive."""
    return sum(entries)
