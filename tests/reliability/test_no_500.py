"""No 500 from any input (issue 18 points 4 and 8): unpaired surrogates and control characters, impossible
timestamps, bodies that are not UTF-8 or too large when chunked, a full disk under a receipt upload — and
browsers get Chinese pages for errors while devices get JSON."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from caregiver_portal.app import create_app
from caregiver_portal.core.settings import PortalSettings
from tests.portal.conftest import SeededPortal
from tests.reliability.conftest import tmpfs
from tests.security.access import sign_in
from tests.support.community import seed_community_for_tests
from tests.support.seeding import seed_for_tests

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
LONE_SURROGATE = '"a\\ud800b"'  # JSON text: an escape Python decodes into a str no database can encode


def post_raw(portal: SeededPortal, path: str, body: bytes, token: str | None = None):  # type: ignore[no-untyped-def]
    headers = {**portal.device_headers(token), "Content-Type": "application/json"}
    return portal.client.post(path, content=body, headers=headers)


@pytest.mark.parametrize("body", [
    pytest.param('{"event_id": "s1", "kind": "help", "details": {"place": ' + LONE_SURROGATE + "}}", id="place"),
    pytest.param('{"event_id": "s2", "kind": "help", "details": {' + LONE_SURROGATE + ': "x"}}', id="detail-key"),
    pytest.param('{"event_id": "s3", "kind": "help", "details": {"place": "a\\u0007b"}}', id="control-character"),
])
def test_alert_text_with_a_lone_surrogate_or_control_character_is_422(seeded_portal: SeededPortal, body: str) -> None:
    response = post_raw(seeded_portal, "/api/v1/alerts", body.encode())
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/json") and response.json()["detail"]


@pytest.mark.parametrize("line", [
    pytest.param('{"name": ' + LONE_SURROGATE + ', "quantity": 1}', id="item-name"),
    pytest.param('{"name": "大米", "unit": ' + LONE_SURROGATE + ', "quantity": 1}', id="item-unit"),
])
def test_order_item_with_a_lone_surrogate_is_422(seeded_portal: SeededPortal, portal_settings: PortalSettings,
                                                 line: str) -> None:
    seed_community_for_tests(portal_settings.database_url)
    body = '{"event_id": "o1", "items": [' + line + "]}"
    response = post_raw(seeded_portal, "/api/v1/orders", body.encode(), seeded_portal.kiosk_token)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(("occurred_at", "status"), [
    pytest.param("9999-12-31T23:59:59-12:00", 422, id="beyond-utc"),
    pytest.param("9999-12-31T00:00:00+00:00", 422, id="year-9999"),
    pytest.param((datetime.now(UTC) + timedelta(days=2)).isoformat(), 422, id="two-days-ahead"),
    pytest.param("1999-12-31T23:59:59+00:00", 422, id="before-2000"),
    pytest.param((datetime.now(UTC) + timedelta(hours=1)).isoformat(), 201, id="an-hour-ahead"),
])
def test_alert_timestamps_outside_2000_to_tomorrow_are_422(seeded_portal: SeededPortal, occurred_at: str,
                                                          status: int) -> None:
    response = seeded_portal.client.post("/api/v1/alerts", headers=seeded_portal.device_headers(),
                                         json={"event_id": "t1", "kind": "sos", "occurred_at": occurred_at})
    assert response.status_code == status, response.text


def test_body_that_is_not_utf8_is_422(seeded_portal: SeededPortal) -> None:
    response = post_raw(seeded_portal, "/api/v1/alerts", b'{"event_id": "u1", "kind": "help", "details": '
                                                         b'{"place": "\xff\xfe"}}')
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "unicode_decode"


def test_ten_megabytes_chunked_is_413(seeded_portal: SeededPortal) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"event_id": "big", "kind": "help", "details": {"place": "'
        for _ in range(10 * 1024):
            yield b"x" * 1024

    response = seeded_portal.client.post("/api/v1/alerts", content=chunks(),
                                         headers={**seeded_portal.device_headers(), "Content-Type": "application/json"})
    assert response.status_code == 413 and "请求体超过" in response.json()["detail"]


def test_form_text_with_a_control_character_is_422_and_a_strange_csrf_token_is_403(
    seeded_portal: SeededPortal,
) -> None:
    client = seeded_portal.client
    page = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    control = client.post("/login", data={"username": "vol\x01unteer1", "password": "x", "csrf_token": csrf})
    assert control.status_code == 422 and control.json()["detail"][0]["loc"] == ["body", "username"]
    # A browser cannot send a lone surrogate in a form: the bytes of one arrive as U+FFFD, a plain wrong name.
    encoded = client.post("/login", content=f"username=%ED%A0%80&password=x&csrf_token={csrf}".encode(),
                          headers=form)
    assert encoded.status_code == 401
    assert client.post("/login", data={"username": "a", "password": "b", "csrf_token": "安心"}).status_code == 403
    page = client.post("/login", content=f"username=%01&password=x&csrf_token={csrf}".encode(),
                       headers={**form, **BROWSER})
    assert page.status_code == 422 and "填写的内容有误" in page.text
    assert page.headers["content-type"].startswith("text/html")


def test_browsers_get_chinese_error_pages_and_devices_json(seeded_portal: SeededPortal) -> None:
    client = seeded_portal.client
    sign_in(client, "volunteer1", "anxin-demo")
    missing = client.get("/alerts/999999", headers=BROWSER)
    assert missing.status_code == 404 and "找不到这个页面" in missing.text and "<html" in missing.text
    forbidden = client.get("/admin/users", headers=BROWSER)
    assert forbidden.status_code == 403 and "没有权限" in forbidden.text
    assert client.get("/alerts/999999").headers["content-type"].startswith("application/json")
    device = client.get("/api/v1/alerts/999999", headers={**seeded_portal.device_headers(), **BROWSER})
    assert device.status_code == 404 and device.json()["detail"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a lock held by another process: SQLite's
def test_database_outage_gives_a_browser_a_chinese_503_page(database_url: str) -> None:
    seed_for_tests(database_url)
    settings = PortalSettings(database_url=database_url, secret_key="fault-secret-key-0123456789abcdef",
                              password_profile="fast", sqlite_busy_timeout_ms=300, tick_interval_s=0)
    with TestClient(create_app(settings)) as client:
        sign_in(client, "volunteer1", "anxin-demo")
        holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            page = client.get("/board", headers=BROWSER)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    assert page.status_code == 503 and "系统暂时忙" in page.text and page.headers["retry-after"] == "5"


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs filled to the last byte (needs root, as CI has)."""
    with tmpfs(tmp_path / "full-disk", "1m") as mount_point:
        (mount_point / "receipts").mkdir()
        with (mount_point / "filler").open("wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass  # no space left on device: full
        yield mount_point


def test_receipt_upload_on_a_full_disk_answers_503_and_leaves_nothing(tmp_path: Path, full_disk: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'anxin.sqlite3'}"  # the database has room; the photo's disk does not
    kiosk_token, _ = seed_for_tests(database_url)
    seed_community_for_tests(database_url)
    settings = PortalSettings(database_url=database_url, secret_key="fault-secret-key-0123456789abcdef",
                              password_profile="fast", tick_interval_s=0, data_dir=full_disk)
    with TestClient(create_app(settings)) as client:
        placed = client.post("/api/v1/orders", headers={"Authorization": f"Bearer {kiosk_token}"},
                             json={"event_id": "disk-1", "items": [{"name": "大米", "quantity": 1}]})
        order_id = placed.json()["id"]
        csrf = sign_in(client, "volunteer1", "anxin-demo")
        client.post(f"/orders/{order_id}/claim", data={"csrf_token": csrf})
        photo = b"\xff\xd8\xff\xe0" + b"\x01" * 200_000
        answer = client.post(f"/orders/{order_id}/bought", data={"csrf_token": csrf, "amount": "23.5"},
                             files={"receipt": ("receipt.jpg", photo, "image/jpeg")}, headers=BROWSER)
        state = client.get("/api/v1/orders/by-event/disk-1", headers={"Authorization": f"Bearer {kiosk_token}"})
    assert answer.status_code == 503 and "存储空间" in answer.text, answer.text[:300]
    assert list((full_disk / "receipts").iterdir()) == [], "no empty or half-written photo is left"
    assert state.json()["state"] == "claimed", "the order was not marked bought"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the document does not depend on the database
def test_openapi_documents_every_error_answer_and_the_resent_200(seeded_portal: SeededPortal) -> None:
    document = seeded_portal.client.get("/openapi.json").json()
    operations = [(path, method, operation) for path, methods in document["paths"].items()
                  if path.startswith("/api/v1/") for method, operation in methods.items()]
    assert len(operations) >= 19
    for path, method, operation in operations:
        answers = operation["responses"]
        assert {"400", "401", "403", "404", "409", "413", "422", "503"} <= set(answers), (method, path)
        assert answers["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ConflictBody")
        assert answers["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/InvalidBody")
        assert "Retry-After" in answers["503"]["headers"]
        if "201" in answers:
            assert "200" in answers, f"{method} {path}: the same id again answers 200"
    conflict = document["components"]["schemas"]["Digests"]["properties"]
    assert {"event_id", "stored_digest", "request_digest"} <= set(conflict)
