"""The money rules of a grocery order, pure and table-driven: what the resident owes, when they must confirm
it, what the centre owes the volunteer over a month, a prepaid balance."""

from __future__ import annotations

import pytest

from caregiver_portal.settlement.rules import (
    LineFacts,
    OrderMoney,
    amount_due_fen,
    balance_fen,
    bought_estimate_fen,
    needs_confirmation,
    settle,
    substitutes_open,
)

EGGS = LineFacts("bought", 1200)
TOMATO_NONE = LineFacts("not_bought", 600)
SUB_OPEN = LineFacts("substitute", 600, substitute_price_fen=450)
SUB_YES = LineFacts("substitute", 600, substitute_price_fen=450, substitute_answer="accepted")
SUB_NO = LineFacts("substitute", 600, substitute_price_fen=450, substitute_answer="declined")
NO_PRICE = LineFacts("bought", None)


@pytest.mark.parametrize(("paid", "lines", "due"), [
    pytest.param(1650, [EGGS, SUB_YES], 1650, id="kept-substitute-is-paid-for"),
    pytest.param(1650, [EGGS, SUB_NO], 1200, id="declined-substitute-is-taken-off"),
    pytest.param(1650, [EGGS, SUB_OPEN], 1650, id="unanswered-substitute-still-counts"),
    pytest.param(300, [SUB_NO], 0, id="never-below-zero"),
    pytest.param(1200, [EGGS, TOMATO_NONE], 1200, id="not-bought-costs-nothing-extra"),
])
def test_amount_due(paid: int, lines: list[LineFacts], due: int) -> None:
    assert amount_due_fen(paid, lines) == due


@pytest.mark.parametrize(("lines", "estimate"), [
    pytest.param([EGGS, TOMATO_NONE], 1200, id="not-bought-left-out"),
    pytest.param([EGGS, SUB_YES], 1650, id="substitute-at-its-own-price"),
    pytest.param([EGGS, SUB_NO], 1200, id="declined-substitute-left-out"),
    pytest.param([EGGS, NO_PRICE], None, id="no-usual-price-no-estimate"),
    pytest.param([NO_PRICE, TOMATO_NONE], None, id="free-text-item"),
])
def test_estimate_of_what_was_handed_over(lines: list[LineFacts], estimate: int | None) -> None:
    assert bought_estimate_fen(lines) == estimate


@pytest.mark.parametrize(("due", "estimate", "percent", "ask"), [
    pytest.param(1200, 1000, 20, False, id="exactly-20-percent-over-is-fine"),
    pytest.param(1201, 1000, 20, True, id="just-over-20-percent"),
    pytest.param(800, 1000, 20, False, id="exactly-20-percent-under"),
    pytest.param(799, 1000, 20, True, id="cheaper-by-more-also-asks"),
    pytest.param(1000, None, 20, True, id="nothing-to-compare-asks"),
    pytest.param(0, 0, 20, False, id="zero-of-zero"),
    pytest.param(100, 0, 20, True, id="something-for-an-estimate-of-zero"),
    pytest.param(1001, 1000, 0, True, id="zero-percent-asks-for-any-difference"),
    pytest.param(2000, 1000, 100, False, id="hundred-percent"),
])
def test_difference_threshold(due: int, estimate: int | None, percent: int, ask: bool) -> None:
    assert needs_confirmation(due, estimate, percent) is ask


def test_open_substitute_is_noticed() -> None:
    assert substitutes_open([EGGS, SUB_OPEN]) and not substitutes_open([EGGS, SUB_YES, SUB_NO])


CASH = OrderMoney(1, paid_fen=2350, due_fen=2350, cash_fen=2350, charged_fen=0, settled=True)
PREPAID = OrderMoney(2, paid_fen=4200, due_fen=4200, cash_fen=0, charged_fen=4200, settled=True)
DECLINED = OrderMoney(3, paid_fen=1650, due_fen=1200, cash_fen=0, charged_fen=1200, settled=True)
SHORT_CASH = OrderMoney(4, paid_fen=1000, due_fen=1000, cash_fen=500, charged_fen=0, settled=True)
PENDING = OrderMoney(5, paid_fen=9900, due_fen=9900, cash_fen=0, charged_fen=0, settled=False)


@pytest.mark.parametrize(("orders", "payouts", "owed", "outstanding", "pending"), [
    pytest.param([], [], 0, 0, 0, id="empty-month"),
    pytest.param([CASH], [], 0, 0, 0, id="cash-at-the-door-settles-itself"),
    pytest.param([PREPAID], [], 4200, 4200, 0, id="prepaid-is-owed-by-the-centre"),
    pytest.param([PREPAID, DECLINED], [5000], 5400, 400, 0, id="declined-substitute-not-reimbursed"),
    pytest.param([SHORT_CASH], [], 500, 500, 0, id="resident-paid-part-in-cash"),
    pytest.param([PREPAID, PENDING], [], 4200, 4200, 9900, id="unconfirmed-bill-waits"),
    pytest.param([PREPAID], [4200, 100], 4200, -100, 0, id="overpaid-shows-negative"),
])
def test_month_settlement(orders: list[OrderMoney], payouts: list[int], owed: int, outstanding: int,
                          pending: int) -> None:
    sheet = settle(orders, payouts)
    assert (sheet.owed_fen, sheet.outstanding_fen, sheet.pending_fen) == (owed, outstanding, pending)
    assert sheet.pending_count == sum(1 for o in orders if not o.settled)


@pytest.mark.parametrize(("entries", "balance"), [
    pytest.param([], 0, id="new-resident"),
    pytest.param([20000, -4200, -1200], 14600, id="top-up-then-two-orders"),
    pytest.param([20000, -20000], 0, id="refunded"),
])
def test_balance_is_the_sum_of_the_ledger(entries: list[int], balance: int) -> None:
    assert balance_fen(entries) == balance
