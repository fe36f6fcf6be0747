"""Pure parts of the notifications: message text, grouping, and how vendor answers are judged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from caregiver_portal.notifications.channels import Verdict, build_request, classify, dingtalk_sign, feishu_sign
from caregiver_portal.notifications.messages import MAX_ITEMS, AlertFacts, Message, compose, waited
from caregiver_portal.notifications.sender import durable_backoff

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def facts(alert_id: int = 12, **extra: object) -> AlertFacts:
    return AlertFacts(id=alert_id, kind_label="紧急呼叫", place="3号楼201", emergency=True,
                      link=f"http://portal.test/alerts/{alert_id}", **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "status", "answer", "verdict"), [
    pytest.param("wecom", 200, {"errcode": 0, "errmsg": "ok"}, Verdict.OK, id="wecom-ok"),
    pytest.param("wecom", 200, {"errcode": 45009}, Verdict.RATE_LIMITED, id="wecom-throttled"),
    pytest.param("wecom", 200, {"errcode": 93000}, Verdict.GIVE_UP, id="wecom-bad-key"),
    pytest.param("wecom", 200, {"errcode": -1}, Verdict.RETRY, id="wecom-busy"),
    pytest.param("dingtalk", 200, {"errcode": 130101}, Verdict.RATE_LIMITED, id="dingtalk-throttled"),
    pytest.param("dingtalk", 200, {"errcode": 310000}, Verdict.GIVE_UP, id="dingtalk-bad-sign"),
    pytest.param("feishu", 200, {"code": 0, "msg": "success"}, Verdict.OK, id="feishu-ok"),
    pytest.param("feishu", 200, {"StatusCode": 0}, Verdict.OK, id="feishu-legacy-ok"),
    pytest.param("feishu", 200, {"code": 11232}, Verdict.RATE_LIMITED, id="feishu-throttled"),
    pytest.param("feishu", 200, {"code": 19021}, Verdict.GIVE_UP, id="feishu-bad-sign"),
    pytest.param("feishu", 200, "<html>", Verdict.RETRY, id="not-json"),
    pytest.param("webhook", 204, None, Verdict.OK, id="webhook-2xx"),
    pytest.param("webhook", 429, None, Verdict.RATE_LIMITED, id="http-429"),
    pytest.param("webhook", 503, None, Verdict.RETRY, id="http-503"),
    pytest.param("dingtalk", 404, None, Verdict.GIVE_UP, id="http-404"),
])
def test_vendor_answers_are_judged(kind: str, status: int, answer: object, verdict: Verdict) -> None:
    assert classify(kind, status, answer)[0] is verdict


def test_signatures_match_published_examples_shape() -> None:
    # Both are base64 of a 32-byte HMAC-SHA256; DingTalk keys with the secret, Feishu with "ts\nsecret".
    assert len(dingtalk_sign("SEC", 1_600_000_000_000)) == 44
    assert feishu_sign("SEC", 1_600_000_000) != dingtalk_sign("SEC", 1_600_000_000)


def test_dingtalk_without_secret_sends_the_url_unchanged() -> None:
    outgoing = compose([Message("alarm", facts(), step="第1级")], board_link="http://portal.test/board")
    request = build_request(kind="dingtalk", url="https://oapi.dingtalk.com/robot/send?access_token=T", secret=None,
                            outgoing=outgoing, now=NOW, webhook_document={})
    assert request.url == "https://oapi.dingtalk.com/robot/send?access_token=T"


def test_single_message_carries_kind_place_step_and_link() -> None:
    outgoing = compose([Message("alarm", facts(), step="第2级：60 秒无人接单", waited_s=75, mentions=("138",))],
                       board_link="http://portal.test/board")
    assert outgoing.text.splitlines() == ["【安心】⚠紧急呼叫 · 3号楼201",
                                          "第2级：60 秒无人接单（已等待 1 分 15 秒），请尽快在看板接单",
                                          "http://portal.test/alerts/12"]
    assert outgoing.mentions == ("138",)


def test_an_alarm_names_whom_it_calls() -> None:
    outgoing = compose([Message("alarm", facts(), step="第1级", called=("李一", "王网格", "2 位紧急联系人"))],
                       board_link="http://portal.test/board")
    assert outgoing.text.splitlines()[2] == "本次通知：李一、王网格、2 位紧急联系人"


def test_personal_details_are_rendered_only_when_given() -> None:
    outgoing = compose([Message("alarm", facts(resident_name="王秀英", detail="心率 130"), step="s")],
                       board_link="b")
    assert "王秀英" in outgoing.text and "心率 130" in outgoing.text


def test_burst_is_grouped_with_mentions_merged_and_a_cap_on_items() -> None:
    burst = [Message("alarm", facts(i), step="第1级", mentions=("138", f"139{i % 2}")) for i in range(MAX_ITEMS + 3)]
    outgoing = compose(burst, board_link="http://portal.test/board")
    lines = outgoing.text.splitlines()
    assert lines[0] == f"【安心】{MAX_ITEMS + 3} 条报警通知"
    assert len(lines) == 1 + MAX_ITEMS + 1 and lines[-1] == "另有 3 条，请查看看板 http://portal.test/board"
    assert outgoing.mentions == ("138", "1390", "1391")
    assert len(outgoing.text.encode()) < 2048  # WeCom's text limit


@pytest.mark.parametrize(("seconds", "text"), [(0, "0 秒"), (59, "59 秒"), (60, "1 分 0 秒"), (3725, "62 分 5 秒")])
def test_waited_time_reads_naturally(seconds: int, text: str) -> None:
    assert waited(seconds) == text


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 10), (2, 20), (3, 40), (7, 600), (20, 600)])
def test_durable_backoff_doubles_up_to_ten_minutes(attempts: int, seconds: int) -> None:
    assert durable_backoff(attempts).total_seconds() == seconds
