"""The one set of rules for adding a bot, webhook or urgent-call provider (notifications/rules.py), table-driven."""

from __future__ import annotations

import pytest

from caregiver_portal.notifications.rules import URL_RULE, channel_problem, urgent_channel_problem, url_problem

OK = "https://oapi.dingtalk.com/robot/send?access_token=x"


@pytest.mark.parametrize(("url", "problem"), [
    ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", None),
    ("HTTPS://open.feishu.cn/open-apis/bot/v2/hook/x", None),
    ("http://127.0.0.1:8080/hook", None),           # the tests' local fake servers
    ("http://localhost:9/hook", None),
    ("http://[::1]:9/hook", None),
    ("http://192.168.1.20/sms", None),              # a gateway inside the centre's LAN
    ("http://10.0.0.5/hook", None),
    ("http://172.16.3.4/hook", None),
    ("http://172.31.255.1/hook", None),
    ("http://[fd00::5]/hook", None),
    ("http://example.com/hook", URL_RULE),          # plain http over the internet
    ("http://8.8.8.8/hook", URL_RULE),
    ("http://172.32.0.1/hook", URL_RULE),           # just outside 172.16/12
    ("http://192.168.1.20.example.com/hook", URL_RULE),
    ("ftp://192.168.1.20/hook", URL_RULE),
    ("https://", URL_RULE),
    ("oapi.dingtalk.com/robot/send", URL_RULE),
    ("", URL_RULE),
    ("http://[::1/hook", URL_RULE),                 # not a URL at all
])
def test_url_rule(url: str, problem: str | None) -> None:
    assert url_problem(url) == problem


def test_the_url_message_says_exactly_what_is_allowed() -> None:
    assert "https://" in URL_RULE and "http://" in URL_RULE and "局域网" in URL_RULE and "本机" in URL_RULE


@pytest.mark.parametrize(("kind", "name", "url", "secret", "audience", "problem"), [
    ("dingtalk", "值班群", OK, "SECabc", ["volunteer"], None),
    ("feishu", "值班群", OK, "abc", ["caregiver", "admin"], None),
    ("wecom", "值班群", OK, None, ["volunteer"], None),
    ("webhook", "家属群", "http://127.0.0.1:9/f", "", [], None),
    ("dingtalk", "值班群", OK, None, ["volunteer"], "钉钉和飞书机器人要填写签名密钥（加签密钥）"),
    ("feishu", "值班群", OK, "  ", ["volunteer"], "钉钉和飞书机器人要填写签名密钥（加签密钥）"),
    ("slack", "值班群", OK, "x", ["volunteer"], "渠道类型不正确"),
    ("wecom", "  ", OK, None, ["volunteer"], "请填写渠道名称"),
    ("wecom", "值班群", OK, None, ["volunteer", "boss"], "不认识的角色：boss"),
    ("wecom", "值班群", "http://example.com/hook", None, ["volunteer"], URL_RULE),
])
def test_channel_rules(kind: str, name: str, url: str, secret: str | None, audience: list[str],
                       problem: str | None) -> None:
    assert channel_problem(kind=kind, name=name, url=url, secret=secret, audience=audience) == problem


SMS = {"sign_name": "安心", "template_code": "SMS_1"}
VOICE = {"tts_code": "TTS_1"}


@pytest.mark.parametrize(("kind", "name", "url", "key_id", "key_secret", "options", "problem"), [
    ("aliyun_sms", "短信", "https://dysmsapi.aliyuncs.com/", "id", "secret", SMS, None),
    ("aliyun_voice", "语音电话", "http://127.0.0.1:9/aliyun", "id", "secret", VOICE | {"show_number": "0571"}, None),
    ("dingtalk_ding", "钉钉电话", "https://api.dingtalk.com/v1.0/robot/ding/send", "k", "s", {}, None),
    ("dingtalk_ding", "钉钉电话", "https://api.dingtalk.com/", "k", "s", {"remind": "sms", "robot_code": "r"}, None),
    ("dingtalk_ding", "钉钉电话", "http://api.dingtalk.com/v1.0/robot/ding/send", "k", "s", {}, URL_RULE),
    ("fax", "传真", "https://example.com", "id", "secret", {}, "紧急呼叫服务类型不正确"),
    ("aliyun_sms", "", "https://dysmsapi.aliyuncs.com/", "id", "secret", SMS, "请填写渠道名称"),
    ("aliyun_sms", "短信", "https://dysmsapi.aliyuncs.com/", "id", "", SMS,
     "请填写服务的 AccessKey（或 AppKey）和密钥"),
    ("aliyun_sms", "短信", "https://dysmsapi.aliyuncs.com/", "id", "secret", {},
     "这种服务要填写选项：sign_name=…、template_code=…"),
    ("aliyun_sms", "短信", "https://dysmsapi.aliyuncs.com/", "id", "secret", SMS | {"template_code": " "},
     "这种服务要填写选项：template_code=…"),
    ("aliyun_voice", "语音电话", "https://dyvmsapi.aliyuncs.com/", "id", "secret", SMS,
     "这种服务要填写选项：tts_code=…"),
    ("aliyun_voice", "语音电话", "https://dyvmsapi.aliyuncs.com/", "id", "secret", VOICE | {"show_nmuber": "0571"},
     "这种服务没有这些选项：show_nmuber（可用：tts_code、show_number、region）"),
    ("dingtalk_ding", "钉钉电话", "https://api.dingtalk.com/", "k", "s", {"remind": "call"},
     "remind 只能是 app、sms 或 phone"),
    ("dingtalk_ding", "钉钉电话", "https://api.dingtalk.com/", "k", "s", {"oapi_url": "http://oapi.dingtalk.com"},
     URL_RULE),
])
def test_urgent_channel_rules(kind: str, name: str, url: str, key_id: str, key_secret: str,
                              options: dict[str, str], problem: str | None) -> None:
    assert urgent_channel_problem(kind=kind, name=name, url=url, key_id=key_id, key_secret=key_secret,
                                  options=options) == problem
