"""A volunteer's settlement as CSV for Excel (UTF-8 with BOM; text that Excel would run as a formula is quoted)."""

from __future__ import annotations

import csv
import io

from caregiver_portal.core.clock import CHINA_TIME
from caregiver_portal.core.web import yuan
from caregiver_portal.settlement.service import MonthSheet, money_state

PAYMENT_LABELS = {"cash": "现金", "balance": "预存款", None: ""}


def cell(text: str) -> str:
    """Text made safe for a spreadsheet cell (no leading = + - @)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def sheet_csv(sheet: MonthSheet) -> str:
    """One row per order, then the sums and the payouts."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["志愿者", cell(sheet.volunteer.display_name), "月份", sheet.month])
    writer.writerow(["订单", "买好时间", "居民", "志愿者垫付（元）", "老人应付（元）", "付款方式", "收现金（元）",
                     "预存款扣款（元）", "中心应付志愿者（元）", "状态"])
    for order, money in zip(sheet.orders, sheet.money, strict=True):
        bought = order.bought_at.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M") if order.bought_at else ""
        writer.writerow([order.id, bought, cell(order.resident.name if order.resident else ""), yuan(money.paid_fen),
                         yuan(money.due_fen), PAYMENT_LABELS.get(order.payment_method, ""), yuan(money.cash_fen),
                         yuan(money.charged_fen), yuan(money.owed_fen) if money.settled else "",
                         money_state(order)])
    totals = sheet.totals
    writer.writerow([])
    writer.writerow(["合计（已结清的订单）", "", "", yuan(totals.paid_fen), yuan(totals.due_fen), "",
                     yuan(totals.cash_fen), yuan(totals.charged_fen), yuan(totals.owed_fen), ""])
    writer.writerow(["未结清", f"{totals.pending_count} 单", "", yuan(totals.pending_fen)])
    for payout in sheet.payouts:
        day = payout.created_at.astimezone(CHINA_TIME).strftime("%Y-%m-%d")
        writer.writerow(["已付给志愿者", day, cell(payout.note), "", "", "", "", "", yuan(payout.amount_fen)])
    writer.writerow(["还应付", "", "", "", "", "", "", "", yuan(totals.outstanding_fen)])
    return "\ufeff" + buffer.getvalue()
