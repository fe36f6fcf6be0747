"""Importing people on a real database: all rows or none, re-imports update by 居民码, an export imports
back unchanged, a volunteer imported now is called by the next alert, passwords are shown once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from caregiver_portal.accounts.models import Grid, Site, User
from caregiver_portal.app import create_app
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.db import transaction
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.security import password_hasher, verify_password
from caregiver_portal.core.settings import PortalSettings
from caregiver_portal.health.models import Reading
from caregiver_portal.imports import service, snapshot
from caregiver_portal.imports.apply import Applied
from caregiver_portal.imports.models import ImportBatch
from caregiver_portal.residents.models import EmergencyContact, Resident
from tests.portal.escalation_world import BAND, World, at, build_world
from tests.security.access import sign_in
from tests.support.seeding import seed_for_tests
from tests.support.sheets import RESIDENT_HEADER, VOLUNTEER_HEADER, residents, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HASHER = password_hasher("fast")


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    community = build_world(database_url)
    yield community
    community.close()


def upload(world: World, data: bytes, kind: str = "residents", *, seconds: float = 0) -> int:
    with transaction(world.factory) as session:
        site = session.get_one(Site, world.site_id)
        admin = session.get_one(User, world.users["admin"])
        return service.preview(session=session, site=site, kind=kind, data=data, filename="名单.xlsx", user=admin,
                               now=at(seconds)).id


def confirm(world: World, batch_id: int, *, seconds: float = 1) -> Applied | None:
    with transaction(world.factory) as session:
        batch = service.batch_for(session, batch_id=batch_id, site_ids=None, lock=True)
        return service.confirm(session=session, batch=batch, hasher=HASHER, now=at(seconds))


def counts(world: World, batch_id: int) -> dict[str, int]:
    with world.factory() as session:
        return dict(session.get_one(ImportBatch, batch_id).plan["counts"])


def resident_count(world: World) -> int:
    with world.factory() as session:
        return session.scalar(select(func.count()).select_from(Resident)) or 0


def test_two_hundred_residents_then_the_export_imports_back_unchanged(world: World) -> None:
    batch = upload(world, xlsx([RESIDENT_HEADER, *residents(200, grids=("第一网格", "第三网格"))]))
    assert counts(world, batch) == {"create": 200, "update": 0, "unchanged": 0, "error": 0}
    assert resident_count(world) == 1  # previewing imports nothing
    done = confirm(world, batch)
    assert done is not None and (done.created, done.new_grids) == (200, ["第三网格"])
    assert resident_count(world) == 201
    with world.factory() as session:
        site = session.get_one(Site, world.site_id)
        grid3 = session.scalar(select(Grid.id).where(Grid.name == "第三网格"))
        first = session.scalar(select(Resident).where(Resident.resident_code == "0001"))
        assert first is not None and first.grid_id == grid3 and first.consent_recorded_at == at(1)
        assert [(c.relation, c.phone) for c in session.scalars(
            select(EmergencyContact).where(EmergencyContact.resident_id == first.id))] == [("女儿", "13700000001")]
        exported = snapshot.export_residents(session, site)
    again = upload(world, exported, seconds=2)
    assert counts(world, again) == {"create": 0, "update": 0, "unchanged": 201, "error": 0}


def test_reimport_updates_by_code_and_a_contact_keeps_its_bot(world: World) -> None:
    family_bot = world.add_channel("webhook", "http://127.0.0.1:9/family", audience=[])
    world.route_daughter_through(family_bot)
    contacts = "女儿 张小红 13900000001；邻居 刘阿姨 13900000003"
    moved = ("王秀英", "3号楼209", "13800000201", contacts, "第一网格", "是", "0201")
    done = confirm(world, upload(world, xlsx([RESIDENT_HEADER, moved])))
    assert done is not None and (done.created, done.updated) == (0, 1)
    with world.factory() as session:
        resident = session.get_one(Resident, world.resident_id)
        contacts = list(session.scalars(select(EmergencyContact).where(EmergencyContact.resident_id == resident.id)
                                        .order_by(EmergencyContact.priority)))
    assert resident.room == "3号楼209" and resident_count(world) == 1
    assert [(c.name, c.channel_id) for c in contacts] == [("张小红", family_bot), ("刘阿姨", None)]


def test_a_sheet_with_one_bad_row_imports_nothing(world: World) -> None:
    rows = [*residents(5), ("李建国", "3号楼502", "1380000", "", "", "", "")]
    batch = upload(world, xlsx([RESIDENT_HEADER, *rows]))
    assert counts(world, batch)["error"] == 1
    with pytest.raises(InvalidTransition, match="有 1 行有错误"):
        confirm(world, batch)
    assert resident_count(world) == 1


def test_a_sheet_is_checked_again_on_confirmation(world: World) -> None:
    batch = upload(world, xlsx([RESIDENT_HEADER, *residents(3)]))
    with transaction(world.factory) as session:  # meanwhile someone gives resident 0201 the code 0002
        session.get_one(Resident, world.resident_id).resident_code = "0002"
    assert confirm(world, batch) is None
    assert counts(world, batch) == {"create": 2, "update": 1, "unchanged": 0, "error": 0}
    assert resident_count(world) == 1
    done = confirm(world, batch, seconds=5)  # the admin read the new preview and confirms it
    assert done is not None and (done.created, done.updated) == (2, 1)
    with pytest.raises(InvalidTransition, match="已经导入过了"):
        confirm(world, batch, seconds=6)
    assert resident_count(world) == 3


def test_withdrawing_consent_in_a_sheet_deletes_the_stored_readings(world: World) -> None:
    with transaction(world.factory) as session:
        band = session.scalar(select(Wristband.id).where(Wristband.address == BAND))
        assert band is not None
        session.add(Reading(wristband_id=band, resident_id=world.resident_id, kind="heart_rate", value=72,
                            measured_at=at(0)))
    done = confirm(world, upload(world, xlsx([("姓名", "楼栋/房间", "健康数据授权", "居民码"),
                                              ("王秀英", "3号楼201", "否", "0201")])))
    assert done is not None and done.updated == 1
    with world.factory() as session:
        assert session.scalar(select(func.count()).select_from(Reading)) == 0
        assert session.get_one(Resident, world.resident_id).health_consent is False


def test_imported_volunteers_are_called_by_the_next_alert_and_see_their_password_once(world: World) -> None:
    rows = [("陈新", "13900000011", "", "第一网格", "", "", "", ""),
            ("吴夜", "13900000012", "", "第一网格", "周一 08:00-09:00", "", "wuye", "night-shift-1")]
    batch = upload(world, xlsx([VOLUNTEER_HEADER, *rows]), "volunteers")
    assert counts(world, batch) == {"create": 2, "update": 0, "unchanged": 0, "error": 0}
    done = confirm(world, batch)
    assert done is not None and list(done.passwords) == ["13900000011"]  # the other password came with the sheet
    with transaction(world.factory) as session:
        stored = session.get_one(ImportBatch, batch)
        first = service.take_passwords(batch=stored)
        second = service.take_passwords(batch=stored)
        chen = session.scalar(select(User).where(User.username == "13900000011"))
        assert chen is not None and verify_password(HASHER, chen.password_hash, first["13900000011"])
    assert second == {}
    alert_id = world.raise_alert(at(10), "after-import")
    world.sweep(at(10))
    assert ("notified", "已通知 看板：李一、王网格、陈新") in world.timeline(alert_id)  # 吴夜 is not on shift now


def test_old_batches_are_deleted_with_the_personal_data_they_hold(world: World) -> None:
    upload(world, xlsx([RESIDENT_HEADER, *residents(2)]))
    later = (service.KEEP_BATCHES + timedelta(seconds=1)).total_seconds()
    upload(world, xlsx([RESIDENT_HEADER, *residents(2)]), seconds=later)
    with world.factory() as session:
        assert list(session.scalars(select(ImportBatch.created_at))) == [at(later)]


def test_a_twenty_megabyte_upload_is_answered_on_the_page(portal_settings: PortalSettings) -> None:
    seed_for_tests(portal_settings.database_url)
    with TestClient(create_app(portal_settings.with_overrides(tick_interval_s=0))) as client:
        csrf = sign_in(client, "admin", "anxin-admin")
        started = time.monotonic()
        answer = client.post("/admin/imports", data={"csrf_token": csrf, "kind": "residents", "site_id": "1"},
                             files={"sheet": ("全区名单.xlsx", b"PK\x03\x04" + bytes(20 * 1024 * 1024), XLSX)})
        assert time.monotonic() - started < 60  # read and refused, never parsed
        assert answer.status_code == 200 and answer.url.path == "/admin/imports"
        assert "“全区名单.xlsx”没有导入：文件有 20.0 MB，超过 5 MB 的上限" in answer.text
        too_big = client.post("/admin/imports", data={"csrf_token": csrf, "kind": "residents", "site_id": "1"},
                              files={"sheet": ("x.xlsx", bytes(33 * 1024 * 1024), XLSX)},
                              headers={"Accept": "text/html"})
        assert too_big.status_code == 413 and "一次最多上传 32 MB" in too_big.text
