"""Enrolment by pressing, at the portal: a bridge reports the bands it hears that are not registered, the admin
pairs the one just pressed with a resident in one step (its key sealed), ``anxin admin add-band`` does the same,
and a band moved to another resident leaves its readings with whoever wore it (charts, export and erasure)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from anxin.admin import run_admin_command
from anxin.cli import build_parser
from caregiver_portal.bands import api as bands_api
from caregiver_portal.bands import pair_web
from caregiver_portal.bands.keys import fingerprint
from caregiver_portal.bands.models import UnknownBand, Wristband
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.settings import PortalSettings
from caregiver_portal.health.charts import resident_charts
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.privacy import erase_resident, export_resident
from tests.portal.conftest import SeededPortal
from tests.support.seeding import TEST_WRISTBANDS

NEW = "F0:00:00:00:00:2A"
KEY = bytes(range(16))


def heard(address: str, *, pressed_ago_s: float | None = None, rssi: int | None = -58,
          kind: str = "anxin") -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"address": address, "kind": kind, "name": "Anxin Band 0042", "rssi": rssi, "radio": "adapter",
            "last_seen_at": now.isoformat(),
            "pressed_at": None if pressed_ago_s is None else (now - timedelta(seconds=pressed_ago_s)).isoformat()}


def report(portal: SeededPortal, bands: list[dict[str, Any]]) -> dict[str, Any]:
    answer = portal.client.post("/api/v1/bands/unknown", json=bands, headers=portal.device_headers())
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def sign_in_admin(client: TestClient) -> str:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"csrf_token": token, "username": "admin", "password": "anxin-admin"})
    return re.search(r'name="csrf_token" value="([^"]+)"',  # type: ignore[union-attr]
                     client.get("/admin/bands/pair").text).group(1)


def resident_id(settings: PortalSettings, code: str) -> int:
    engine = create_db_engine(settings.database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            return session.scalars(select(Resident.id).where(Resident.resident_code == code)).one()
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def portal_clock_stands_still(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bands API and pairing page read a clock stopped at the test's start: "pressed 1 s ago" stays within
    the page's 15 s "just pressed" window however slowly a loaded machine signs the admin in."""
    now = datetime.now(UTC)
    for module in (bands_api, pair_web):
        monkeypatch.setattr(module, "utcnow", lambda: now)


def keys_of(portal: SeededPortal) -> dict[str, tuple[str, str | None]]:
    listed = portal.client.get("/api/v1/bands/keys", headers=portal.device_headers()).json()
    return {b["address"]: (b["scheme"], b["key"]) for b in listed}


def test_bridge_reports_unknown_bands_and_hears_which_are_registered(seeded_portal: SeededPortal) -> None:
    answer = report(seeded_portal, [heard(NEW, rssi=500), heard(TEST_WRISTBANDS[0].lower())])
    assert answer == {"stored": 1, "registered": [TEST_WRISTBANDS[0]]}
    kiosk = seeded_portal.client.post("/api/v1/bands/unknown", json=[heard(NEW)],
                                      headers=seeded_portal.device_headers(seeded_portal.kiosk_token))
    assert kiosk.status_code == 403
    wrong = seeded_portal.client.post("/api/v1/bands/unknown", json=[{**heard(NEW), "kind": "phone"}],
                                      headers=seeded_portal.device_headers())
    assert wrong.status_code == 422


def test_admin_pairs_the_band_just_pressed_with_a_resident_and_the_bridge_gets_its_key(
    seeded_portal: SeededPortal, portal_settings: PortalSettings
) -> None:
    report(seeded_portal, [heard(NEW, pressed_ago_s=1), heard("F0:00:00:00:00:2B", rssi=-80)])
    csrf = sign_in_admin(seeded_portal.client)
    listed = seeded_portal.client.get("/admin/bands/nearby.json").json()["bands"]
    assert [(b["address"], b["lit"], b["signal"]) for b in listed] == [
        (NEW, True, "很强"), ("F0:00:00:00:00:2B", False, "一般")]
    page = seeded_portal.client.get("/admin/bands/pair").text
    assert "附近的新手环" in page and f'value="{NEW}" checked' in page
    resident = resident_id(portal_settings, "2104")
    done = seeded_portal.client.post("/admin/bands/pair", data={
        "csrf_token": csrf, "address": NEW, "resident_id": str(resident), "scheme": "anxin", "key": KEY.hex(" ")},
        follow_redirects=False)
    assert done.status_code == 303
    page = seeded_portal.client.get("/admin/bands/pair").text
    assert f"已配对：{NEW} → 赵福生（7号楼104）" in page and f'value="{NEW}"' not in page
    assert keys_of(seeded_portal)[NEW] == ("anxin", KEY.hex())
    assert report(seeded_portal, [heard(NEW)]) == {"stored": 0, "registered": [NEW]}
    bands = seeded_portal.client.get("/admin/bands").text
    assert f"密钥指纹 {fingerprint(KEY)}" in bands and KEY.hex() not in bands


def test_an_anxin_band_paired_without_a_key_gets_a_new_one_shown_once(
    seeded_portal: SeededPortal, portal_settings: PortalSettings
) -> None:
    csrf = sign_in_admin(seeded_portal.client)
    answer = seeded_portal.client.post("/admin/bands/pair", data={
        "csrf_token": csrf, "address_typed": NEW.lower(), "resident_id": str(resident_id(portal_settings, "0201")),
        "scheme": "anxin"})
    shown = re.search(r'id="band-key">([0-9a-f]{32})<', answer.text)
    assert shown is not None and answer.headers["cache-control"] == "no-store"
    assert keys_of(seeded_portal)[NEW] == ("anxin", shown.group(1))
    refused = seeded_portal.client.post("/admin/bands/pair", data={
        "csrf_token": csrf, "address_typed": "F0:00:00:00:00:2C", "resident_id": str(resident_id(portal_settings,
                                                                                                 "0201")),
        "scheme": "mibeacon"})
    assert "请填写绑定密钥" in refused.text
    assert "F0:00:00:00:00:2C" not in keys_of(seeded_portal)


@pytest.fixture
def admin(capsys: pytest.CaptureFixture[str], portal_settings: PortalSettings, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[int, str]]:
    """``anxin admin ARGS`` in this process, with the test portal's database and secret."""
    monkeypatch.setenv("ANXIN_SECRET_KEY", portal_settings.secret_key)

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = run_admin_command(build_parser().parse_args(
            ["admin", "--database-url", portal_settings.database_url, "--data-dir", str(tmp_path), *args]))
        out, err = capsys.readouterr()
        return code, out + err

    return run


def post_heart_rates(portal: SeededPortal, batch: str, band: str, start: datetime, values: list[float]) -> None:
    readings = [{"wristband": band, "kind": "heart_rate", "value": value,
                 "measured_at": (start + timedelta(seconds=10 * i)).isoformat()} for i, value in enumerate(values)]
    answer = portal.client.post("/api/v1/readings", headers=portal.device_headers(),
                                json={"batch_id": batch, "readings": readings})
    assert answer.status_code == 202, answer.text


def test_a_band_moved_to_another_resident_leaves_its_history_with_the_one_who_wore_it(
    seeded_portal: SeededPortal, portal_settings: PortalSettings, admin: Callable[..., tuple[int, str]]
) -> None:
    band = TEST_WRISTBANDS[0]  # the seed pairs it with 王秀英 (0201)
    first, second = resident_id(portal_settings, "0201"), resident_id(portal_settings, "1302")
    start = datetime.now(UTC) - timedelta(minutes=30)
    post_heart_rates(seeded_portal, "worn-by-first", band, start, [70, 72, 74])
    code, out = admin("add-band", band, "--resident", "1302")
    assert code == 0 and f"手环 {band}（安心手环）已配对给 刘德明（5号楼302）" in out and "之前的读数仍归" in out
    assert "新密钥" not in out  # a moved band keeps its key
    post_heart_rates(seeded_portal, "worn-by-second", band, start + timedelta(minutes=10), [90, 91])
    engine = create_db_engine(portal_settings.database_url)
    try:
        factory = create_session_factory(engine)
        with transaction(factory) as session:
            now = datetime.now(UTC)
            heart = {rid: next(c for c in resident_charts(session, resident_id=rid, window="24h", now=now)
                               if c.kind == "heart_rate").summary for rid in (first, second)}
            assert heart[first] is not None and (heart[first].count, heart[first].maximum) == (3, 74)
            assert heart[second] is not None and (heart[second].count, heart[second].minimum) == (2, 90)
            exported = export_resident(session=session, resident_id=first)
            assert sorted(r["value"] for r in exported["readings"]) == [70, 72, 74]
            erase_resident(session=session, resident_id=first)
        with transaction(factory) as session:
            assert sorted(r["value"] for r in export_resident(session=session, resident_id=second)["readings"]) == [
                90, 91]
            assert session.scalars(select(Wristband.resident_id).where(Wristband.address == band)).one() == second
    finally:
        engine.dispose()


def test_anxin_admin_add_band_registers_a_new_band_with_its_key_and_refuses_an_unknown_resident(
    seeded_portal: SeededPortal, admin: Callable[..., tuple[int, str]], portal_settings: PortalSettings
) -> None:
    report(seeded_portal, [heard(NEW, pressed_ago_s=1)])
    code, out = admin("add-band", NEW, "--resident", "2403", "--scheme", "bthome", "--key", KEY.hex())
    assert code == 0 and "已配对给 陈淑珍" in out and KEY.hex() not in out
    assert keys_of(seeded_portal)[NEW] == ("bthome", KEY.hex())
    engine = create_db_engine(portal_settings.database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            assert session.scalars(select(UnknownBand)).all() == []  # no longer listed as new
    finally:
        engine.dispose()
    code, out = admin("add-band", "F0:00:00:00:00:2D", "--resident", "9999")
    assert code == 1 and "找不到居民码为 9999 的居民" in out
