"""The go-live checklist: what each gathered fact means (pure, table-driven), and the facts gathered from a
real database for a centre that is not ready, then is."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from caregiver_portal.accounts.models import Device, Site
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.db import transaction
from caregiver_portal.golive.rules import Example, Item, Seen, SiteFacts, checklist
from caregiver_portal.golive.service import site_checklist
from caregiver_portal.residents.models import EmergencyContact, Resident
from tests.portal.escalation_world import World, at, build_world

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
READY = SiteFacts(site_id=1, channels=1, residents=3, bands=(Seen("王秀英的手环", NOW - timedelta(hours=1)),),
                  devices=(Seen("手环网关 大厅", NOW - timedelta(minutes=1)),), bridges=1)


def by_key(items: list[Item]) -> dict[str, Item]:
    return {item.key: item for item in items}


def test_a_ready_site_has_every_item_ticked() -> None:
    items = checklist(READY, now=NOW)
    assert [item.key for item in items] == ["residents", "channels", "grids", "contacts", "consent", "bands",
                                            "devices"]
    assert all(item.ok for item in items)


@pytest.mark.parametrize(("change", "key", "problem", "link"), [
    pytest.param({"residents": 0}, "residents", "还没有登记任何居民", "/admin/imports", id="no-residents"),
    pytest.param({"channels": 0}, "channels", "还没有通知渠道", "/admin/channels", id="no-channel"),
    pytest.param({"grids_nobody_on_call": (Example("第二网格", "/admin/roster"),)}, "grids",
                 "1 个网格现在没有人值班", "/admin/roster", id="grid-nobody-on-call"),
    pytest.param({"without_contact_count": 12, "residents_without_contact": (Example("王秀英（3号楼201）"),)},
                 "contacts", "12 位居民没有紧急联系人", "/residents?missing=contact", id="no-contact"),
    pytest.param({"without_consent_count": 2}, "consent", "2 位居民还没有登记", "/residents?missing=consent",
                 id="consent-not-asked"),
    pytest.param({"bands": (Seen("王秀英的手环", NOW - timedelta(hours=24)),)}, "bands", "1 只手环超过 24 小时没有信号",
                 "/residents", id="band-silent-24h"),
    pytest.param({"bands": (Seen("王秀英的手环", None),)}, "bands", "1 只手环", "/residents", id="band-never-heard"),
    pytest.param({"devices": (Seen("手环网关 大厅", NOW - timedelta(minutes=10)),)}, "devices",
                 "1 台设备超过 10 分钟没有联系门户", "/admin/devices", id="bridge-silent-10min"),
    pytest.param({"devices": (), "bridges": 0}, "devices", "还没有手环网关", "/admin/devices", id="no-bridge"),
])
def test_each_problem_says_what_and_where_to_fix_it(change: dict[str, object], key: str, problem: str,
                                                    link: str) -> None:
    facts = SiteFacts(**{**READY.__dict__, **change})  # type: ignore[arg-type]
    items = by_key(checklist(facts, now=NOW))
    assert not items[key].ok and problem in items[key].problem and items[key].link == link
    assert all(item.ok for other, item in items.items() if other != key)


def test_silent_devices_say_how_long_ago() -> None:
    facts = SiteFacts(**{**READY.__dict__, "devices": (Seen("自助机 大厅", NOW - timedelta(hours=3)),
                                                       Seen("手环网关 二楼", None))})  # type: ignore[arg-type]
    item = by_key(checklist(facts, now=NOW))["devices"]
    assert [example.text for example in item.examples] == ["自助机 大厅：3 小时前", "手环网关 二楼：从来没有联系过"]


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    community = build_world(database_url)
    yield community
    community.close()


def test_the_facts_of_a_centre_that_is_not_ready_then_is(world: World) -> None:
    with transaction(world.factory) as session:
        site = session.get_one(Site, world.site_id)
        session.add(Resident(site_id=site.id, grid_id=world.grid_ids[1], name="李建国", room="3号楼502"))
        items = by_key(site_checklist(session, site=site, now=at(0)))
    assert {key for key, item in items.items() if not item.ok} == {"channels", "contacts", "consent", "bands",
                                                                    "devices"}
    assert [e.text for e in items["contacts"].examples] == ["李建国（3号楼502）"]
    assert [e.text for e in items["consent"].examples] == ["王秀英（3号楼201）", "李建国（3号楼502）"]
    assert [e.text for e in items["bands"].examples] == ["王秀英（3号楼201）的手环：从来没有联系过"]

    world.add_channel("webhook", "http://127.0.0.1:9/hook", audience=["volunteer"])
    with transaction(world.factory) as session:
        site = session.get_one(Site, world.site_id)
        for resident in session.query(Resident).all():
            resident.consent_recorded_at = at(0)
        li = session.query(Resident).filter_by(name="李建国").one()
        session.add(EmergencyContact(resident_id=li.id, name="李小明", relation="儿子", phone="13900000009"))
        session.query(Wristband).one().last_seen_at = at(0)
        for device in session.query(Device).all():
            device.last_seen_at = at(0)
        items = by_key(site_checklist(session, site=site, now=at(60)))
    assert all(item.ok for item in items.values()), {k: i.problem for k, i in items.items() if not i.ok}
