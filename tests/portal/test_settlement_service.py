"""Money settled and phone requests against a real database (both): a phone-recorded order with a missing item
and a declined substitute, paid from the prepaid balance, on the volunteer's month; a phone help request on the
board with its escalation; a form sent twice stores one request; the kiosk's view of both."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import User
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.demo.community import seed_demo_community
from caregiver_portal.escalation.models import Escalation
from caregiver_portal.orders import service as orders
from caregiver_portal.orders.catalog import list_items
from caregiver_portal.orders.models import GroceryOrder
from caregiver_portal.phone import service as phone
from caregiver_portal.phone.lookup import recorded_order
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.scope import Scope
from caregiver_portal.settlement import service as money
from caregiver_portal.settlement.sheet import sheet_csv
from tests.support.seeding import seed_for_tests

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    seed_for_tests(database_url)
    engine = create_db_engine(database_url)
    factory = create_session_factory(engine)
    with transaction(factory) as setup:
        seed_demo_community(session=setup, now=NOW)
    with factory() as db:
        yield db
    engine.dispose()


def user(session: Session, name: str) -> User:
    found = session.scalar(select(User).where(User.username == name))
    assert found is not None
    return found


def test_phone_order_with_missing_item_and_declined_substitute_is_charged_once_to_the_balance(
        session: Session) -> None:
    desk, volunteer = user(session, "caregiver1"), user(session, "volunteer1")
    wang = session.scalar(select(Resident).where(Resident.resident_code == "0201"))
    assert wang is not None
    scope = Scope(site_id=wang.site_id)
    items = {i.name: i for i in list_items(session, site_id=wang.site_id)}
    lines = [orders.LineRequest(quantity=1, item_id=items[name].id) for name in ("鸡蛋", "西红柿", "大米")]
    token = phone.new_token()
    first = phone.record_order(session=session, token=token, resident=wang, user=desk, channel="phone", note="",
                               lines=lines, now=NOW)
    again = phone.record_order(session=session, token=token, resident=wang, user=desk, channel="phone", note="",
                               lines=lines, now=NOW)
    assert (first.duplicate, again.duplicate, again.request.target_id) == (False, True, first.request.target_id)
    order = recorded_order(session, site_id=wang.site_id, token=token)
    assert order is not None and "电话代录" in order.note and order.created_by_id == desk.id
    money.top_up(session=session, resident=wang, amount_fen=20000, user=desk, note="女儿转账", now=NOW)

    orders.claim_order(session=session, order_id=order.id, user=volunteer, now=NOW, scope=scope)
    egg, tomato, rice = order.lines
    with pytest.raises(InvalidTransition):  # a substitute needs its price
        orders.mark_bought(session=session, order_id=order.id, user=volunteer, amount_paid_fen=100, receipt_file=None,
                           now=NOW, scope=scope, results={tomato.id: money.LineResult("substitute", "圣女果")})
    paid = 6000 + 450
    orders.mark_bought(session=session, order_id=order.id, user=volunteer, amount_paid_fen=paid, receipt_file=None,
                       now=NOW, scope=scope,
                       results={egg.id: money.LineResult("not_bought"),
                                tomato.id: money.LineResult("substitute", "圣女果", 450)})
    public = orders.order_public(order)
    assert [i["outcome"] for i in public["items"]] == ["not_bought", "substitute", "bought"]
    assert public["amount_due_fen"] == paid and public["money_state"] == "替代品等老人答复"

    orders.mark_delivered(session=session, order_id=order.id, user=volunteer, now=NOW, scope=scope, payment="balance")
    orders.answer_substitute(session=session, order=order, line_id=tomato.id, accept=False, now=NOW)
    orders.answer_substitute(session=session, order=order, line_id=tomato.id, accept=True, now=NOW)  # first stands
    assert order.amount_due_fen == 6000 and tomato.substitute_answer == "declined"
    for _ in range(2):  # the kiosk's outbox may deliver twice
        orders.confirm_received(session=session, order=order, now=NOW, amount_fen=order.amount_due_fen,
                                amount_accepted=True if order.needs_confirmation else None)
    assert money.money_state(order) == "已结清"
    assert money.balance_of(session, wang.id) == 20000 - 6000

    sheet = money.month_sheet(session, volunteer=volunteer, month="2026-12", site_id=wang.site_id)
    assert [o.id for o in sheet.orders] == [order.id]
    assert (sheet.totals.paid_fen, sheet.totals.owed_fen, sheet.totals.charged_fen) == (paid, 6000, 6000)
    money.record_payout(session=session, volunteer=volunteer, month="2026-12", amount_fen=6000, user=desk, note="现金",
                        now=NOW)
    sheet = money.month_sheet(session, volunteer=volunteer, month="2026-12", site_id=wang.site_id)
    assert sheet.totals.outstanding_fen == 0
    rows = list(csv.reader(io.StringIO(sheet_csv(sheet).removeprefix("\ufeff"))))
    assert rows[2][:5] == [str(order.id), "2026-12-03 10:00", "王秀英", "64.50", "60.00"]
    assert rows[2][5:] == ["预存款", "0.00", "60.00", "60.00", "已结清"] and rows[-1][-1] == "0.00"
    seen = phone.resident_requests(session, resident_id=wang.id, site_id=wang.site_id, now=NOW)
    assert seen[0]["state"] == "received" and seen[0]["event_id"] == token


def test_far_off_bill_waits_for_the_residents_yes(session: Session) -> None:
    volunteer = user(session, "volunteer1")
    wang = session.scalar(select(Resident).where(Resident.resident_code == "0201"))
    assert wang is not None
    scope = Scope(site_id=wang.site_id)
    eggs = next(i for i in list_items(session, site_id=wang.site_id) if i.name == "鸡蛋")
    order = orders.create_order_for_resident(session=session, user=volunteer, resident=wang,
                                             lines=[orders.LineRequest(quantity=1, item_id=eggs.id)], note="", now=NOW)
    orders.claim_order(session=session, order_id=order.id, user=volunteer, now=NOW, scope=scope)
    far = (eggs.usual_price_fen or 0) * 2
    orders.mark_bought(session=session, order_id=order.id, user=volunteer, amount_paid_fen=far, receipt_file=None,
                       now=NOW, scope=scope)
    orders.mark_delivered(session=session, order_id=order.id, user=volunteer, now=NOW, scope=scope, payment="cash",
                          cash_fen=far)
    assert order.needs_confirmation
    orders.confirm_received(session=session, order=order, now=NOW)  # 我收到了 from an older kiosk: no amount
    assert order.state == "received" and not money.settled(order)
    with pytest.raises(InvalidTransition):  # the kiosk showed an amount that has changed
        orders.confirm_received(session=session, order=order, now=NOW, amount_fen=far - 1, amount_accepted=True)
    orders.confirm_received(session=session, order=order, now=NOW, amount_fen=far, amount_accepted=True)
    assert money.settled(order) and order.amount_confirmed_by == "resident"


def test_phone_help_request_goes_on_the_board_with_escalation_and_shows_at_the_kiosk(session: Session) -> None:
    desk = user(session, "caregiver1")
    wang = session.scalar(select(Resident).where(Resident.resident_code == "0201"))
    assert wang is not None
    token = phone.new_token()
    for _ in range(2):
        phone.record_help(session=session, token=token, resident=wang, user=desk, channel="desk",
                          note="灯泡坏了", emergency=False, now=NOW)
    alerts = list(session.scalars(select(Alert).where(Alert.details["phone_request"].as_string() == token)))
    assert len(alerts) == 1 and alerts[0].state == "open" and alerts[0].details["recorded_by"] == desk.display_name
    assert session.get(Escalation, alerts[0].id) is not None
    seen = phone.resident_requests(session, resident_id=wang.id, site_id=wang.site_id, now=NOW + timedelta(hours=1))
    assert (seen[0]["kind"], seen[0]["state_label"], seen[0]["summary"]) == ("help", "待接单", "灯泡坏了")
    picked = phone.pick_residents(session, scope=Scope(site_id=wang.site_id), query="",
                                  recent_since=NOW - timedelta(days=1))
    assert picked[0].id == wang.id
    assert [r.id for r in phone.pick_residents(session, scope=Scope(site_id=wang.site_id), query=wang.name[:1],
                                               recent_since=NOW)][:1] == [wang.id]
    assert session.scalar(select(GroceryOrder).where(GroceryOrder.resident_id == wang.id)) is None
