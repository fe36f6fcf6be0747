"""PIPL: an admin can export one resident's data (audited under their name) and erase it on
request; nothing of other residents is touched, and alerts stay for response-time reports but
are anonymised."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

from caregiver_portal.accounts.models import User
from caregiver_portal.alerts.models import Alert
from caregiver_portal.app import create_app
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.settings import PortalSettings
from caregiver_portal.health.models import Reading
from caregiver_portal.residents.models import HealthAccessLog, Resident
from tests.conftest import ROOT
from tests.support.seeding import TEST_WRISTBANDS, seed_for_tests


def admin(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "anxin", "admin", "--database-url", database_url,
                           "--data-dir", str(tmp_path), *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_export_then_erase_one_residents_data(database_url: str, tmp_path: Path) -> None:
    _kiosk, bridge = seed_for_tests(database_url)
    settings = PortalSettings(database_url=database_url, secret_key="privacy-secret-key-0123456789abcdef",
                              password_profile="fast")
    headers = {"Authorization": f"Bearer {bridge}"}
    with TestClient(create_app(settings)) as client:
        for band in TEST_WRISTBANDS[:2]:
            client.post("/api/v1/alerts", json={"event_id": f"sos-{band}", "kind": "sos", "wristband": band},
                        headers=headers)
            client.post("/api/v1/readings", headers=headers, json={"batch_id": f"b-{band}", "readings": [
                {"wristband": band, "kind": "heart_rate", "value": 70, "measured_at": "2026-11-25T06:00:00+00:00"}]})
    engine = create_engine(database_url)
    with engine.connect() as db:
        wang = db.scalar(select(Resident.id).where(Resident.name == "王秀英"))

    not_admin = admin(database_url, tmp_path, "export-resident", str(wang), str(tmp_path / "wang.json"),
                      "--by", "volunteer1")
    assert not_admin.returncode == 1 and "管理员" in not_admin.stderr
    assert not (tmp_path / "wang.json").exists()
    exported = admin(database_url, tmp_path, "export-resident", str(wang), str(tmp_path / "wang.json"),
                     "--by", "admin")
    assert exported.returncode == 0, exported.stderr
    with engine.connect() as db:  # the export shows health data, so it is in the resident's access log
        logged = db.execute(select(User.username, HealthAccessLog.view).join(User)
                            .where(HealthAccessLog.resident_id == wang)).all()
        assert [tuple(row) for row in logged] == [("admin", "export")]
    data = json.loads((tmp_path / "wang.json").read_text(encoding="utf-8"))
    assert data["residents"][0]["name"] == "王秀英"
    assert [r["value"] for r in data["readings"]] == [70.0]
    assert len(data["alerts"]) == 1

    refused = admin(database_url, tmp_path, "erase-resident", str(wang))
    assert refused.returncode == 1 and "--yes" in refused.stderr
    erased = admin(database_url, tmp_path, "erase-resident", str(wang), "--yes")
    assert erased.returncode == 0, erased.stderr

    with engine.connect() as db:
        assert db.scalar(select(func.count()).select_from(Resident).where(Resident.id == wang)) == 0
        assert db.scalar(select(func.count()).select_from(Resident)) == 5  # the others stay
        assert db.scalar(select(func.count()).select_from(Reading)) == 1  # only the other resident's reading
        band = db.execute(select(Wristband.resident_id, Wristband.label)
                          .where(Wristband.address == TEST_WRISTBANDS[0])).one()
        assert tuple(band) == (None, "")
        anonymised = db.execute(select(Alert.resident_id, Alert.place, Alert.details)
                                .where(Alert.client_event_id == f"sos-{TEST_WRISTBANDS[0]}")).one()
        assert anonymised.resident_id is None and "王" not in anonymised.place and anonymised.details == {}
        other = db.scalar(select(Alert.place).where(Alert.client_event_id == f"sos-{TEST_WRISTBANDS[1]}"))
        assert other == "3号楼502"
    engine.dispose()
