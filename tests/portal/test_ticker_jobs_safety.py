"""The ticker's review, roll-call and urgent-call jobs on both databases, driven with a controlled clock: each
job's idle check reads without writing, then the job does its work once (no scheduler thread needed)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import select

from caregiver_portal.accounts.models import Site, User
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.db import transaction
from caregiver_portal.escalation.setup import add_urgent_channel
from caregiver_portal.notifications.models import UrgentCall
from caregiver_portal.residents.scope import user_scope
from caregiver_portal.reviews.models import ReviewItem
from caregiver_portal.roll_calls.service import start_roll_call
from caregiver_portal.ticker import Ticker
from tests.portal.escalation_world import T0, World, at
from tests.portal.urgent_server import ALIYUN_KEYS, UrgentFake, urgent_server


def rows(world: World, model: Any) -> list[Any]:
    with world.factory() as session:
        return list(session.scalars(select(model)))


def set_up(world: World, fake: UrgentFake) -> None:
    """An SMS channel and a typhoon roll call of grid 1 that escalates after 10 minutes."""
    with transaction(world.factory) as session:
        site = session.get(Site, world.site_id)
        grid_worker = session.get(User, world.users["wang"])
        assert site is not None and grid_worker is not None
        [(key_id, secret)] = ALIYUN_KEYS.items()
        add_urgent_channel(session, site=site, kind="aliyun_sms", name="短信", url=f"{fake.url}/aliyun",
                           key_id=key_id, key_secret=secret, options={"sign_name": "安心", "template_code": "S1"})
        start_roll_call(session=session, user=grid_worker, scope=user_scope(session, grid_worker),
                        site_id=world.site_id, grid_id=world.grid_ids[0], reason="typhoon", now=T0,
                        escalate_after=timedelta(minutes=10))


def test_review_roll_call_and_urgent_call_jobs_run_on_the_ticker(world: World) -> None:
    clock = [T0]
    ticker = Ticker(factory=world.factory, public_url="https://portal.test", clock=lambda: clock[0],
                    http=requests.Session())
    with urgent_server() as fake:
        set_up(world, fake)
        sos = world.raise_alert(at(0), "ticker-sos")
        for seconds in (0, 180):
            clock[0] = at(seconds)
            ticker.run_escalations()
        clock[0] = at(181)
        ticker.run_urgent_calls()
        ticker.run_reviews()
        assert {c.state for c in rows(world, UrgentCall)} == {"sent"} and fake.to("SendSms")
        assert [r.alert_id for r in rows(world, ReviewItem)] == [sos]
        clock[0] = at(600)
        ticker.run_roll_calls()
        ticker.run_roll_calls()  # once: the idle check finds nothing more due
        assert [a.place for a in rows(world, Alert) if a.kind == "roll_call"] == ["3号楼201"]
    ticker.shutdown()
