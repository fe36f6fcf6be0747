"""Everything reaches someone (issue 13 point 5): a kiosk's grocery order or activity sign-up becomes a live
queue event and, when the site wants it, a bot notice to the volunteers of the resident's grid — pure texts and
merging, then the device API on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from caregiver_portal.accounts.models import Grid, Site
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.settings import PortalSettings
from caregiver_portal.escalation.setup import add_channel
from caregiver_portal.notifications.models import Notification, NotificationChannel
from caregiver_portal.queue.live import QueueMessage, merge
from caregiver_portal.queue.models import QueueEvent
from caregiver_portal.queue.texts import order_text, signup_text
from caregiver_portal.residents.models import Resident
from tests.portal.conftest import SeededPortal
from tests.support.community import seed_community_for_tests


@pytest.mark.parametrize(("items", "name", "kiosk", "text"), [
    pytest.param(["鸡蛋 1 盒"], None, True, "新代购单 #7（自助机）：3号楼201，鸡蛋 1 盒，请在门户认领。",
                 id="one-item"),
    pytest.param(["鸡蛋 1 盒", "挂面 2 把", "酱油 1 瓶", "苹果 2 斤"], None, True,
                 "新代购单 #7（自助机）：3号楼201，鸡蛋 1 盒、挂面 2 把、酱油 1 瓶等 4 样，请在门户认领。",
                 id="many-items"),
    pytest.param(["鸡蛋 1 盒"], "王秀英", False, "新代购单 #7：3号楼201 王秀英，鸡蛋 1 盒，请在门户认领。",
                 id="name-when-allowed"),
    pytest.param([], None, True, "新代购单 #7（自助机）：3号楼201，见备注，请在门户认领。", id="free-text-only"),
])
def test_order_text(items: list[str], name: str | None, kiosk: bool, text: str) -> None:
    assert order_text(7, room="3号楼201", name=name, items=items, via_kiosk=kiosk) == text


@pytest.mark.parametrize(("room", "waitlisted", "text"), [
    ("3号楼201", False, "活动报名：3号楼201 报名「书法班」（明天 09:00），请提前提醒并帮助出行。"),
    ("", True, "活动报名：未登记住址 候补「书法班」（明天 09:00），请提前提醒并帮助出行。"),
])
def test_signup_text(room: str, waitlisted: bool, text: str) -> None:
    assert signup_text(title="书法班", when="明天 09:00", room=room, name=None, waitlisted=waitlisted) == text


def test_one_message_per_subject_per_poll() -> None:
    events = [QueueMessage(1, 1, "order", 5, "placed"), QueueMessage(2, 1, "order", 5, "claimed"),
              QueueMessage(3, 1, "signup", 5, "signed_up")]
    assert [(m.id, m.type) for m in merge(events)] == [(2, "claimed"), (3, "signed_up")]
    assert merge(events)[0].sse == b'id: 2\nevent: queue\ndata: {"subject":"order","id":5,"type":"claimed"}\n\n'


def api(portal: SeededPortal, method: str, path: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return portal.client.request(method, f"/api/v1{path}", headers=portal.device_headers(portal.kiosk_token),
                                 **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def kiosk(seeded_portal: SeededPortal, portal_settings: PortalSettings) -> SeededPortal:
    """The seeded portal with community data, a site-wide volunteers' bot, a bot for each grid and a family bot."""
    seed_community_for_tests(portal_settings.database_url)
    engine = create_db_engine(portal_settings.database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            site = session.scalars(select(Site)).one()
            grids = list(session.scalars(select(Grid).where(Grid.site_id == site.id).order_by(Grid.id)))
            add_channel(session, site=site, kind="webhook", name="全站志愿者群", url="http://127.0.0.1:9/all",
                        audience=["volunteer"])
            for grid in grids:
                add_channel(session, site=site, kind="webhook", name=f"{grid.name}群", url="http://127.0.0.1:9/g",
                            audience=["volunteer", "caregiver"], grid=grid)
            add_channel(session, site=site, kind="webhook", name="家属群", url="http://127.0.0.1:9/f", audience=[])
    finally:
        engine.dispose()
    return seeded_portal


def notices(portal: PortalSettings) -> list[tuple[str, str]]:
    engine = create_db_engine(portal.database_url)
    try:
        with create_session_factory(engine)() as session:
            rows = session.execute(select(NotificationChannel.name, Notification.payload)
                                   .join(NotificationChannel, NotificationChannel.id == Notification.channel_id)
                                   .where(Notification.event == "queue_notice").order_by(Notification.id))
            return [(name, payload["text"]) for name, payload in rows]
    finally:
        engine.dispose()


def events(portal: PortalSettings) -> list[tuple[str, str]]:
    engine = create_db_engine(portal.database_url)
    try:
        with create_session_factory(engine)() as session:
            return [(e.subject, e.type) for e in session.scalars(select(QueueEvent).order_by(QueueEvent.id))]
    finally:
        engine.dispose()


def resident(portal: SeededPortal, code: str = "0201") -> int:
    return int(api(portal, "GET", f"/residents/lookup?code={code}").json()["id"])


def test_kiosk_order_and_signup_reach_the_queue_and_the_grids_volunteers(kiosk: SeededPortal,
                                                                          portal_settings: PortalSettings) -> None:
    who = resident(kiosk)
    order = api(kiosk, "POST", "/orders", json={"event_id": "q-1", "resident_id": who,
                                                 "items": [{"name": "鸡蛋", "quantity": 1}]})
    assert order.status_code == 201, order.text
    api(kiosk, "POST", "/orders", json={"event_id": "q-1", "resident_id": who,
                                        "items": [{"name": "鸡蛋", "quantity": 1}]})  # a re-send: nothing new
    calligraphy = next(a for a in api(kiosk, "GET", "/activities").json() if a["title"] == "书法班")
    signup = api(kiosk, "POST", f"/activities/{calligraphy['id']}/signups",
                 json={"event_id": "q-s", "resident_id": who})
    assert signup.status_code in (200, 201), signup.text
    assert events(portal_settings) == [("order", "placed"), ("signup", "signed_up")]

    told = notices(portal_settings)
    engine = create_db_engine(portal_settings.database_url)
    with create_session_factory(engine)() as session:
        grid = session.scalar(select(Grid.name).join(Resident, Resident.grid_id == Grid.id).where(Resident.id == who))
    engine.dispose()
    channels = sorted({name for name, _ in told})
    assert channels == sorted(["全站志愿者群", f"{grid}群"])  # not the other grid's bot, not the family bot
    texts = {text for _, text in told}
    assert any(text.startswith(f"新代购单 #{order.json()['id']}（自助机）：3号楼201，鸡蛋") for text in texts)
    assert any(text.startswith("活动报名：3号楼201 报名「书法班」") for text in texts)
    assert not any("王秀英" in text for text in texts)  # no names unless the site allows them


def test_site_can_keep_kiosk_requests_off_the_bots(kiosk: SeededPortal, portal_settings: PortalSettings) -> None:
    engine = create_db_engine(portal_settings.database_url)
    try:
        with transaction(create_session_factory(engine)) as session:
            session.scalars(select(Site)).one().bot_requests = False
    finally:
        engine.dispose()
    api(kiosk, "POST", "/orders", json={"event_id": "q-2", "resident_id": resident(kiosk),
                                        "items": [{"name": "鸡蛋", "quantity": 1}]})
    assert events(portal_settings) == [("order", "placed")]  # still live in the queue
    assert notices(portal_settings) == []
