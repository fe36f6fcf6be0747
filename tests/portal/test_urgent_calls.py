"""A call when nobody answers: the 180 s step of an emergency phones and texts through the site's chain of
urgent channels — DingTalk DING, Aliyun SMS, Aliyun voice — against a local fake that checks signatures,
bodies and quotas (tests/portal/urgent_server.py). A failed delivery moves to the next channel at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from caregiver_portal.accounts.models import Site
from caregiver_portal.core.db import transaction
from caregiver_portal.escalation.setup import add_urgent_channel
from caregiver_portal.notifications.calls import UrgentSender
from caregiver_portal.notifications.models import UrgentCall
from caregiver_portal.notifications.providers import CallText, aliyun_request, percent_encode
from tests.portal.escalation_world import T0, World, at
from tests.portal.urgent_server import ALIYUN_KEYS, DING_APP, UrgentFake, expected_signature, urgent_server

ADMIN_PHONE, DAUGHTER, SON = "13800000006", "13900000001", "13900000002"


@pytest.mark.parametrize(("raw", "encoded"), [
    pytest.param("a b", "a%20b", id="space-is-%20"), pytest.param("*", "%2A", id="star"),
    pytest.param("~-_.", "~-_.", id="unreserved-kept"), pytest.param("点名", "%E7%82%B9%E5%90%8D", id="utf-8"),
    pytest.param("a+b=c&d/", "a%2Bb%3Dc%26d%2F", id="reserved"),
])
def test_aliyun_percent_encoding(raw: str, encoded: str) -> None:
    assert percent_encode(raw) == encoded


def test_aliyun_request_is_signed_as_the_vendor_checks_it_and_carries_no_names() -> None:
    text = CallText("紧急呼叫", "3号楼201", 3, "https://portal.test/alerts/7")
    call = aliyun_request(kind="aliyun_sms", url="https://dysmsapi.aliyuncs.com", key_id="LTAI-test",
                          key_secret="aliyun-secret", options={"sign_name": "安心社区", "template_code": "SMS_1"},
                          phone=DAUGHTER, text=text, now=T0, nonce="n-1")
    from urllib.parse import parse_qsl
    params = dict(parse_qsl(call.body.decode()))
    assert params["Signature"] == expected_signature(params, ALIYUN_KEYS["LTAI-test"])
    assert (params["Action"], params["Timestamp"], params["PhoneNumbers"]) == ("SendSms", "2026-11-25T06:00:00Z",
                                                                              DAUGHTER)
    assert params["TemplateParam"] == '{"kind":"紧急呼叫","place":"3号楼201","minutes":"3"}'


@pytest.fixture
def fake() -> Iterator[UrgentFake]:
    with urgent_server() as server:
        server.ding_members = {ADMIN_PHONE: "manager-1"}  # the family is not in the DingTalk org
        yield server


def chain(world: World, fake: UrgentFake, *, sms_rate: int = 20, voice_secret: str = "aliyun-secret") -> None:
    with transaction(world.factory) as session:
        site = session.get(Site, world.site_id)
        assert site is not None
        add_urgent_channel(session, site=site, kind="dingtalk_ding", name="钉钉电话", url=f"{fake.url}/dingtalk",
                           key_id=DING_APP[0], key_secret=DING_APP[1], position=0,
                           options={"robot_code": "ding-robot", "remind": "phone",
                                    "oapi_url": f"{fake.url}/dingtalk"})
        add_urgent_channel(session, site=site, kind="aliyun_sms", name="短信", url=f"{fake.url}/aliyun",
                           key_id="LTAI-test", key_secret="aliyun-secret", position=1, rate_per_minute=sms_rate,
                           options={"sign_name": "安心社区", "template_code": "SMS_1"})
        add_urgent_channel(session, site=site, kind="aliyun_voice", name="语音电话", url=f"{fake.url}/aliyun",
                           key_id="LTAI-test", key_secret=voice_secret, position=2,
                           options={"tts_code": "TTS_1", "show_number": "0571000"})


def sender(world: World) -> UrgentSender:
    return UrgentSender(factory=world.factory, public_url="https://portal.test", http=requests.Session())


def calls(world: World) -> dict[str, tuple[str, list[int]]]:
    with world.factory() as session:
        return {c.phone: (c.state, list(c.tried)) for c in session.scalars(select(UrgentCall))}


def test_unanswered_sos_calls_through_the_chain_and_fails_over_at_once(world: World, fake: UrgentFake) -> None:
    chain(world, fake, sms_rate=1)  # our own limit: one SMS a minute, so the son's goes to the voice call
    alert_id = world.raise_alert(at(0), "urgent-1")
    for second in (0, 60, 179):
        world.sweep(at(second))
    assert calls(world) == {}  # the first two steps are not urgent
    world.sweep(at(180))
    assert set(calls(world)) == {ADMIN_PHONE, DAUGHTER, SON}
    assert sender(world).deliver_due(now=at(181)) == 3
    states = calls(world)
    assert {phone: state for phone, (state, _) in states.items()} == {ADMIN_PHONE: "sent", DAUGHTER: "sent",
                                                                      SON: "sent"}
    assert [len(tried) for tried in (states[ADMIN_PHONE][1], states[DAUGHTER][1], states[SON][1])] == [1, 2, 3]
    [ding] = fake.to("/robot/ding/send")
    assert ding.json["remindType"] == 3 and ding.json["receiverUserIdList"] == ["manager-1"]
    assert len(fake.to("/oauth2/accessToken")) == 1  # the token is kept for its lifetime
    [sms] = fake.to("SendSms")
    [voice] = fake.to("SingleCallByTts")
    assert (sms.status, sms.form["PhoneNumbers"], voice.status, voice.form["CalledNumber"]) == (200, DAUGHTER, 200, SON)
    bodies = b"".join(s.body for s in fake.seen).decode()
    assert "王秀英" not in bodies and "3号楼201" in ding.json["content"]  # PIPL: place, never the name
    timeline = [m for _t, m in world.timeline(alert_id, "delivery")]
    assert any("超过每分钟 1 次的限额，立即改用下一个渠道" in m for m in timeline)
    assert any(m.startswith("阿里云语音电话（语音电话）：已呼叫 儿子 张大军") for m in timeline)


def test_refusals_and_throttling_move_on_and_a_dead_chain_says_whom_to_phone(world: World, fake: UrgentFake) -> None:
    chain(world, fake, voice_secret="wrong-secret")
    fake.sms_per_minute = 1  # the vendor throttles the second SMS
    world.raise_alert(at(0), "urgent-2")
    world.sweep(at(0))
    world.sweep(at(200))  # a late sweep catches up to the 180 s step
    assert sender(world).deliver_due(now=at(201)) == 2
    states = calls(world)
    failed = [phone for phone, (state, _) in states.items() if state == "failed"]
    assert len(failed) == 1 and failed[0] in (DAUGHTER, SON)
    assert [s.answer["Code"] for s in fake.to("SingleCallByTts")] == ["SignatureDoesNotMatch"]
    assert "isv.BUSINESS_LIMIT_CONTROL" in [s.answer["Code"] for s in fake.to("SendSms")]
    with world.factory() as session:
        alert_id = session.scalar(select(UrgentCall.alert_id))
    assert alert_id is not None
    assert any("请人工电话联系" in m for _t, m in world.timeline(alert_id, "delivery"))


def test_a_call_for_an_alert_accepted_meanwhile_is_skipped(world: World, fake: UrgentFake) -> None:
    chain(world, fake)
    alert_id = world.raise_alert(at(0), "urgent-3")
    world.sweep(at(0))
    world.sweep(at(180))
    world.accept(alert_id, "li1", at(181))
    assert sender(world).deliver_due(now=at(182)) == 0
    assert {state for state, _ in calls(world).values()} == {"skipped"} and fake.seen == []
    assert sender(world).deliver_due(now=at(182) + timedelta(minutes=5)) == 0
