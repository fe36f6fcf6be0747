"""The time bank's ledger under a site's scheme and the residents' voice loop, against a real database (SQLite and
PostgreSQL): credits cut at the cap, paper records once, donations, a report assigned to the grid worker and its
reply heard once, a useful suggestion's points redeemed at the kiosk and handed over, expiry, export and import."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from caregiver_portal.accounts.models import Device, Site, User
from caregiver_portal.core.db import transaction
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.feedback import service as feedback
from caregiver_portal.residents.scope import Scope
from caregiver_portal.ticker import Ticker
from caregiver_portal.timebank import exchange, ledger, rules
from caregiver_portal.timebank import service as timebank
from caregiver_portal.timebank.ledger import Holder
from caregiver_portal.timebank.models import PointsEntry, Reward
from tests.portal.escalation_world import World, at, build_world

DAY = 86400


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    community = build_world(database_url)
    with transaction(community.factory) as session:
        ledger.set_scheme(session=session, site_id=community.site_id,
                          scheme=rules.Scheme(points_per_hour=10, cap_hours=2, star_hours=(1, 2)))
    yield community
    community.close()


def balance(world: World, holder: Holder) -> int:
    with world.factory() as session:
        return ledger.balance_of(session, holder)


def test_cap_paper_records_and_donation_are_ledger_lines(world: World) -> None:
    li1, zhou, resident = Holder("user", world.users["li1"]), Holder("user", world.users["zhou"]), \
        Holder("resident", world.resident_id)
    with transaction(world.factory) as session:
        for ref in (1, 2, 3):
            timebank.award(session=session, user_id=li1.id, site_id=world.site_id, service="help", ref_id=ref,
                           now=at(ref))
        assert timebank.award(session=session, user_id=li1.id, site_id=world.site_id, service="help", ref_id=3,
                              now=at(9)) is None  # once per service
    assert balance(world, li1) == 20  # the third help call found the 2-hour cap full
    with world.factory() as session:
        cut = session.scalar(select(PointsEntry).where(PointsEntry.user_id == li1.id, PointsEntry.ref_id == 3))
        assert cut is not None and cut.points == 0 and "已达存储上限 2 小时" in cut.note
        board = timebank.leaderboard(session, site_id=world.site_id)
        assert (board[0].display_name, board[0].badge) == ("李一", "★★ 二星")

    with transaction(world.factory) as session:
        admin = session.get(User, world.users["admin"])
        assert admin is not None
        entry = ledger.record_paper(session=session, site_id=world.site_id, holder=zhou, hours=1.5,
                                    service_day="2026-11-20", paper_no="NJ-0007", note="陪诊", entered_by=admin,
                                    now=at(10))
        assert (entry.points, entry.created_by_id, entry.service) == (15, admin.id, "paper")
    with pytest.raises(InvalidTransition, match="凭证 NJ-0007 已经录入过"), transaction(world.factory) as session:
        ledger.record_paper(session=session, site_id=world.site_id, holder=zhou, hours=1, service_day="2026-11-21",
                            paper_no="NJ-0007", note="", entered_by=admin, now=at(11))

    with transaction(world.factory) as session:
        giver = session.get(User, li1.id)
        assert giver is not None
        ledger.donate(session=session, site_id=world.site_id, giver=li1, receiver=resident, points=5, now=at(12),
                      by=giver, giver_name="李一", receiver_name="王秀英")
    assert (balance(world, li1), balance(world, resident)) == (15, 5)
    with pytest.raises(InvalidTransition, match="积分不足"), transaction(world.factory) as session:
        ledger.donate(session=session, site_id=world.site_id, giver=li1, receiver=zhou, points=16, now=at(13),
                      by=giver, giver_name="李一", receiver_name="周休")

    with transaction(world.factory) as session:  # a one-month scheme: everything above is old by now
        ledger.set_scheme(session=session, site_id=world.site_id, scheme=rules.Scheme(cap_hours=2, star_hours=(1, 2),
                                                                                         expiry_months=1))
    ticker = Ticker(factory=world.factory, public_url="http://portal.test", clock=lambda: at(40 * DAY))
    ticker.run_timebank_expiry()  # the hourly job: one expiry line for each of the three
    with transaction(world.factory) as session:
        assert ledger.expire_due(session=session, site_id=world.site_id, now=at(41 * DAY)) == 0
    assert (balance(world, li1), balance(world, zhou), balance(world, resident)) == (0, 0, 0)
    with world.factory() as session:  # nothing was edited: the original lines are all still there
        assert session.scalar(select(PointsEntry.points).where(PointsEntry.service == "paper")) == 15


def test_report_reply_heard_useful_suggestion_redeemed_and_handed_over(world: World) -> None:
    site_scope = Scope(site_id=world.site_id)
    with transaction(world.factory) as session:
        kiosk = session.get(Device, world.kiosk_id)
        assert kiosk is not None
        first = feedback.report_at_kiosk(session=session, device=kiosk, client_event_id="fb-1",
                                         resident_id=world.resident_id, kind="problem", category="facilities",
                                         text="", now=at(0))
        again = feedback.report_at_kiosk(session=session, device=kiosk, client_event_id="fb-1",
                                         resident_id=world.resident_id, kind="problem", category="facilities",
                                         text="", now=at(5))
        assert again.duplicate and again.feedback.id == first.feedback.id
        assert first.feedback.assigned_to_id == world.users["wang"]  # the grid worker of 王秀英's grid
        wang = session.get(User, world.users["wang"])
        assert wang is not None
        feedback.close(session=session, scope=site_scope, feedback_id=first.feedback.id, user=wang,
                       reply="楼道灯已经换好了", now=at(2 * DAY))
    with transaction(world.factory) as session:
        waiting = feedback.replies_waiting(session, site_id=world.site_id, resident_id=world.resident_id)
        assert [row.reply for row in waiting] == ["楼道灯已经换好了"]
        feedback.mark_heard(session=session, site_id=world.site_id, feedback_id=first.feedback.id, now=at(3 * DAY))
        assert feedback.replies_waiting(session, site_id=world.site_id, resident_id=world.resident_id) == []
        idea = feedback.record_on_visit(session=session, user=wang, scope=site_scope, resident_id=world.resident_id,
                                        kind="suggestion", category="service", text="想要一个读报小组", now=at(DAY))
        feedback.mark_useful(session=session, scope=site_scope, feedback_id=idea.id, user=wang, now=at(DAY))
        lines = feedback.month_report(session, site_id=world.site_id, start=at(-DAY), end=at(30 * DAY))
        assert [(line.category, line.closed, line.median_days) for line in lines] == [("facilities", 1, 2.0),
                                                                                       ("service", 0, None)]
    with pytest.raises(InvalidTransition, match="已经标记过了"), transaction(world.factory) as session:
        feedback.mark_useful(session=session, scope=site_scope, feedback_id=idea.id, user=wang, now=at(DAY))
    resident = Holder("resident", world.resident_id)
    assert balance(world, resident) == 5  # the seed's scheme: 5 points a useful suggestion

    with transaction(world.factory) as session:
        reward = Reward(site_id=world.site_id, name="一支牙膏", points=5, active=True)
        session.add(reward)
        session.flush()
        bought = timebank.redeem_for_resident(session=session, site_id=world.site_id, resident_id=resident.id,
                                              reward_id=reward.id, device_id=world.kiosk_id, client_event_id="rd-1",
                                              now=at(2 * DAY))
        resent = timebank.redeem_for_resident(session=session, site_id=world.site_id, resident_id=resident.id,
                                              reward_id=reward.id, device_id=world.kiosk_id, client_event_id="rd-1",
                                              now=at(2 * DAY))
        assert resent.duplicate and resent.redemption.id == bought.redemption.id
    assert balance(world, resident) == 0
    with transaction(world.factory) as session:
        assert [row.id for row in timebank.waiting_redemptions(session, site_id=world.site_id)] == \
            [bought.redemption.id]
        timebank.hand_over(session=session, redemption_id=bought.redemption.id, site_id=world.site_id, by=wang,
                           now=at(3 * DAY))
        assert timebank.waiting_redemptions(session, site_id=world.site_id) == []


def test_export_moves_hours_to_another_centre_once(world: World) -> None:
    with transaction(world.factory) as session:
        timebank.award(session=session, user_id=world.users["li1"], site_id=world.site_id, service="help", ref_id=1,
                       now=at(0))
        timebank.award(session=session, user_id=world.users["zhou"], site_id=world.site_id, service="help", ref_id=2,
                       now=at(1))
        document = json.loads(exchange.export_json(session, site_id=world.site_id, now=at(2)))
        csv_text = exchange.export_csv(session, site_id=world.site_id)
        other = Site(name="第二中心")
        session.add(other)
        session.flush()
        session.add(User(username="li1-there", display_name="李一", password_hash="x", role="volunteer",
                         site_id=other.id, phone="13800000001"))  # the same phone: the same person
        admin = session.get(User, world.users["admin"])
        assert admin is not None
        ledger.set_scheme(session=session, site_id=other.id, scheme=rules.Scheme(points_per_hour=60))
    assert document["format"] == "anxin-timebank/1" and document["source"]["name"] == "幸福里"
    assert [(e["holder_name"], e["hours"], e["points"]) for e in document["entries"]] == [("李一", 1.0, 10),
                                                                                        ("周休", 1.0, 10)]
    assert csv_text.splitlines()[0] == ",".join(exchange.COLUMNS)
    raw = json.dumps(document).encode()
    with transaction(world.factory) as session:
        result = exchange.import_file(session=session, site_id=other.id, raw=raw, by=admin)
        assert (result.stored, result.refused) == (1, [(2, "本站点找不到这个人")])
    with transaction(world.factory) as session:  # the same file again (or its CSV): nothing twice
        again = exchange.import_file(session=session, site_id=other.id, raw=csv_text.encode(), by=admin)
        assert again.stored == 0 and again.refused[0] == (1, "已导入过（记录编号重复）")
        there = session.scalar(select(User.id).where(User.username == "li1-there"))
        assert there is not None
        assert ledger.balance_of(session, Holder("user", there)) == 60  # one hour at 60 points an hour
