"""Band keys: encrypted at rest, given only to the band's own site's bridges; suspicious radio notices.

In process (TestClient on a real database, SQLite and PostgreSQL): the key vault, the bridges' key
route, the status report's radio and suspicious counts, the admin's bands page and ``anxin admin
band-key``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from caregiver_portal.accounts.service import create_device, get_or_create_site
from caregiver_portal.bands.keys import KeyUnreadable, KeyVault, fingerprint, set_band_key, site_band_keys
from caregiver_portal.bands.models import BandKey, BandStatus, Wristband
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.settings import PortalSettings
from tests.portal.conftest import SeededPortal
from tests.support.seeding import TEST_WRISTBANDS

BAND1, BAND2, BAND3 = TEST_WRISTBANDS
KEY = bytes.fromhex("90bffd73cb6b26ef58a7a8eba9232036")
ROOT = Path(__file__).resolve().parents[2]


def enrol(settings: PortalSettings, address: str, scheme: str, key: bytes | None) -> None:
    engine = create_db_engine(settings.database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            band = session.scalar(select(Wristband).where(Wristband.address == address))
            assert band is not None
            set_band_key(session=session, vault=KeyVault(settings.secret_key), band=band, scheme=scheme, key=key,
                         user_id=None, now=utcnow())
    finally:
        engine.dispose()


def row_site(session: Any) -> int:
    return int(session.scalars(select(Wristband.site_id).where(Wristband.address == BAND1)).one())


def stored(settings: PortalSettings, model: Any, wristband_address: str) -> Any:
    engine = create_db_engine(settings.database_url)
    try:
        with create_session_factory(engine)() as session:
            return session.execute(
                select(model).join(Wristband, Wristband.id == model.wristband_id)
                .where(Wristband.address == wristband_address)
            ).scalar_one_or_none()
    finally:
        engine.dispose()


# ----- the vault ---------------------------------------------------------------------------------------------


def test_vault_seals_a_key_for_one_address_and_this_portal_only() -> None:
    vault = KeyVault("portal-secret-0123456789")
    sealed = vault.seal(BAND1, KEY)
    assert KEY not in sealed and vault.open(BAND1.lower(), sealed) == KEY
    assert vault.seal(BAND1, KEY) != sealed  # a fresh nonce each time
    with pytest.raises(KeyUnreadable):
        vault.open(BAND2, sealed)  # moved to another band's row
    with pytest.raises(KeyUnreadable):
        KeyVault("another-portal-secret-0123").open(BAND1, sealed)


# ----- the bridges' key route ------------------------------------------------------------------------------


def test_bridge_gets_its_own_sites_bands_with_scheme_and_key(
    seeded_portal: SeededPortal, portal_settings: PortalSettings
) -> None:
    enrol(portal_settings, BAND1, "mibeacon", KEY)
    enrol(portal_settings, BAND2, "itag", None)
    response = seeded_portal.client.get("/api/v1/bands/keys", headers=seeded_portal.device_headers())
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert {b["address"]: (b["scheme"], b["key"]) for b in response.json()} == {
        BAND1: ("mibeacon", KEY.hex()), BAND2: ("itag", None), BAND3: ("anxin", None)}
    row = stored(portal_settings, BandKey, BAND1)
    assert KEY not in row.sealed and row.key_id == fingerprint(KEY)  # encrypted at rest
    with pytest.raises(InvalidTransition):
        enrol(portal_settings, BAND2, "itag", KEY)  # a device without a key takes none
    with pytest.raises(InvalidTransition):
        enrol(portal_settings, BAND2, "zigbee", None)
    engine = create_db_engine(portal_settings.database_url)
    with create_session_factory(engine)() as session:  # the portal's secret was changed: the key is not sent
        bands = site_band_keys(session=session, vault=KeyVault("the-secret-was-changed-0123"), site_id=row_site(
            session))
    engine.dispose()
    assert {b.address: b.key for b in bands}[BAND1] is None


def test_a_bridge_of_another_site_and_a_kiosk_get_no_keys(
    seeded_portal: SeededPortal, portal_settings: PortalSettings
) -> None:
    enrol(portal_settings, BAND1, "bthome", KEY)
    engine = create_db_engine(portal_settings.database_url)
    with transaction(create_session_factory(engine)) as session:
        other = get_or_create_site(session=session, name="另一个社区")
        _, token = create_device(session=session, site=other, kind="bridge", name="别处的网关")
    engine.dispose()
    assert seeded_portal.client.get("/api/v1/bands/keys", headers=seeded_portal.device_headers(token)).json() == []
    kiosk = seeded_portal.client.get("/api/v1/bands/keys", headers=seeded_portal.device_headers(
        seeded_portal.kiosk_token))
    assert kiosk.status_code == 403


# ----- status: radio and suspicious frames -----------------------------------------------------------------


def report(portal: SeededPortal, **fields: Any) -> dict[str, Any]:
    body = {"address": BAND1, "connected": False, "last_seen_at": datetime.now(UTC).isoformat(), "rssi": -70,
            "battery_percent": 55, **fields}
    response = portal.client.post("/api/v1/bands/status", json=[body], headers=portal.device_headers())
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_status_keeps_the_radio_and_adds_up_suspicious_frames(
    seeded_portal: SeededPortal, portal_settings: PortalSettings
) -> None:
    report(seeded_portal, radio="proxy:王阿姨家", suspicious=2, suspicious_radio="proxy:王阿姨家")
    report(seeded_portal, radio="adapter", suspicious=1, suspicious_radio="adapter")
    report(seeded_portal, radio="adapter")
    row = stored(portal_settings, BandStatus, BAND1)
    assert (row.radio, row.suspicious_total, row.suspicious_radio) == ("adapter", 3, "adapter")


def test_status_refuses_nonsense(seeded_portal: SeededPortal) -> None:
    for fields in ({"radio": "bluetooth"}, {"suspicious": -1}, {"suspicious_radio": "proxy:\x00"}):
        body = {"address": BAND1, "connected": False, **fields}
        response = seeded_portal.client.post("/api/v1/bands/status", json=[body],
                                             headers=seeded_portal.device_headers())
        assert response.status_code == 422, fields


# ----- the admin's page and command ------------------------------------------------------------------------


def sign_in_admin(client: TestClient) -> str:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"csrf_token": token, "username": "admin", "password": "anxin-admin"})
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/bands").text).group(1)  # type: ignore[union-attr]


def test_admin_sees_suspicious_notice_and_enters_a_bind_key(
    seeded_portal: SeededPortal, portal_settings: PortalSettings
) -> None:
    report(seeded_portal, suspicious=4, suspicious_radio="proxy:王阿姨家")
    csrf = sign_in_admin(seeded_portal.client)
    page = seeded_portal.client.get("/admin/bands").text
    assert "可疑无线电信号：1 个手环" in page and "proxy:王阿姨家" in page and "4 次" in page
    band_id = stored(portal_settings, BandStatus, BAND1).wristband_id
    seeded_portal.client.post(f"/admin/bands/{band_id}/key", data={"csrf_token": csrf, "scheme": "mibeacon",
                                                                  "key": KEY.hex(":")})
    page = seeded_portal.client.get("/admin/bands").text
    assert f"密钥指纹 {fingerprint(KEY)}" in page and KEY.hex() not in page
    refused = seeded_portal.client.post(f"/admin/bands/{band_id}/key",
                                        data={"csrf_token": csrf, "scheme": "bthome", "key": "12345"})
    assert "32 位十六进制" in refused.text
    answer = seeded_portal.client.post(f"/admin/bands/{band_id}/key",
                                       data={"csrf_token": csrf, "scheme": "anxin", "generate": "1"})
    shown = re.search(r'id="band-key">([0-9a-f]{32})<', answer.text)
    assert shown is not None and answer.headers["cache-control"] == "no-store"
    keys = seeded_portal.client.get("/api/v1/bands/keys", headers=seeded_portal.device_headers()).json()
    assert {b["address"]: b["key"] for b in keys}[BAND1] == shown.group(1)  # what the bridge gets


def test_anxin_admin_band_key_stores_a_key_and_prints_only_its_fingerprint(
    seeded_portal: SeededPortal, portal_settings: PortalSettings, tmp_path: Path
) -> None:
    env = {"ANXIN_DATABASE_URL": portal_settings.database_url, "ANXIN_SECRET_KEY": portal_settings.secret_key,
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "anxin", "admin", "--data-dir", str(tmp_path), "band-key", BAND2,
                           "--scheme", "bthome", "--key", KEY.hex()], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert fingerprint(KEY) in done.stdout and KEY.hex() not in done.stdout + done.stderr
    keys = seeded_portal.client.get("/api/v1/bands/keys", headers=seeded_portal.device_headers()).json()
    assert {b["address"]: (b["scheme"], b["key"]) for b in keys}[BAND2] == ("bthome", KEY.hex())
