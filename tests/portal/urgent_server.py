"""A local stand-in for DingTalk's DING API and Aliyun's SMS / voice-call API that checks what it is sent the
way the vendors document it: Aliyun's signature version 1.0 (recomputed here independently), a nonce used
only once, the required parameters; DingTalk's app token, the token header, the body fields; and per-minute
quotas answered with the vendors' throttling codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, parse_qsl, quote_plus, urlsplit

from tests.portal.bot_server import json_server

ALIYUN_KEYS = {"LTAI-test": "aliyun-secret"}
DING_APP = ("ding-app-key", "ding-app-secret")
DING_TOKEN = "ding-token-1"
COMMON = ("AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp",
          "Version", "Signature")
REQUIRED = {"SendSms": ("PhoneNumbers", "SignName", "TemplateCode", "TemplateParam"),
            "SingleCallByTts": ("CalledNumber", "TtsCode", "TtsParam")}


def _pop(text: str) -> str:
    """Aliyun's encoding as its own samples write it: quote_plus, then + -> %20, * -> %2A, %7E -> ~."""
    return quote_plus(text, encoding="utf-8").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def expected_signature(params: dict[str, str], secret: str) -> str:
    """The signature Aliyun expects for ``params`` sent by POST."""
    query = "&".join(f"{_pop(k)}={_pop(v)}" for k, v in sorted(params.items()) if k != "Signature")
    digest = hmac.new(f"{secret}&".encode(), f"POST&%2F&{_pop(query)}".encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class Seen:
    """One request the fake received and how it answered."""

    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    answer: dict[str, Any]

    @property
    def form(self) -> dict[str, str]:
        """An Aliyun request's parameters."""
        return dict(parse_qsl(self.body.decode()))

    @property
    def json(self) -> Any:
        """A DingTalk request's body."""
        return json.loads(self.body)


@dataclass
class UrgentFake:
    """State of the fake providers: known DingTalk members, quotas, what was received."""

    url: str
    ding_members: dict[str, str] = field(default_factory=dict)  # phone -> userid
    sms_per_minute: int = 100
    ding_per_minute: int = 100
    seen: list[Seen] = field(default_factory=list)
    nonces: set[str] = field(default_factory=set)
    sent: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, suffix: str) -> list[Seen]:
        """Requests whose path ends with ``suffix`` (or whose Aliyun Action is ``suffix``)."""
        with self.lock:
            return [s for s in self.seen if s.path.endswith(suffix) or s.form.get("Action") == suffix]

    def answer(self, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        """Check one request the way the vendor would and answer it."""
        if path.startswith("/aliyun"):
            return self._aliyun(dict(parse_qsl(body.decode())))
        if path.endswith("/v1.0/oauth2/accessToken"):
            data = json.loads(body)
            if (data.get("appKey"), data.get("appSecret")) != DING_APP:
                return 400, {"code": "invalidClientIdOrSecret", "message": "bad app key or secret"}
            return 200, {"accessToken": DING_TOKEN, "expireIn": 7200}
        if path.endswith("/topapi/v2/user/getbymobile"):
            if query.get("access_token") != [DING_TOKEN]:
                return 200, {"errcode": 40014, "errmsg": "不合法的access_token"}
            user = self.ding_members.get(json.loads(body).get("mobile", ""))
            return (200, {"errcode": 0, "result": {"userid": user}}) if user else (200, {"errcode": 60121,
                                                                                       "errmsg": "找不到该用户"})
        if path.endswith("/v1.0/robot/ding/send"):
            return self._ding(headers, json.loads(body))
        return 404, {"message": "no such API"}

    def _aliyun(self, params: dict[str, str]) -> tuple[int, Any]:
        missing = [k for k in (*COMMON, *REQUIRED.get(params.get("Action", ""), ("Action",))) if not params.get(k)]
        if missing:
            return 400, {"Code": "MissingParameter", "Message": f"missing {missing}"}
        secret = ALIYUN_KEYS.get(params["AccessKeyId"])
        if secret is None:
            return 404, {"Code": "InvalidAccessKeyId.NotFound"}
        if params["Signature"] != expected_signature(params, secret):
            return 400, {"Code": "SignatureDoesNotMatch"}
        if params["SignatureNonce"] in self.nonces:
            return 400, {"Code": "SignatureNonceUsed"}
        self.nonces.add(params["SignatureNonce"])
        if self._over("aliyun", self.sms_per_minute):
            return 200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"}
        return 200, {"Code": "OK", "Message": "OK", "RequestId": "req", "BizId": "biz"}

    def _ding(self, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        if headers.get("x-acs-dingtalk-access-token") != DING_TOKEN:
            return 401, {"code": "InvalidAuthentication", "message": "token is invalid"}
        receivers = body.get("receiverUserIdList") or []
        if not body.get("robotCode") or body.get("remindType") not in (1, 2, 3) or not receivers \
                or not body.get("content") or (body["remindType"] != 1 and len(receivers) > 20):
            return 400, {"code": "invalidParameter.param.invalid", "message": "参数不合法"}
        if self._over("ding", self.ding_per_minute):
            return 400, {"code": "toomuch.msg", "message": "send too fast"}
        return 200, {"openDingId": f"ding-{len(self.seen)}"}

    def _over(self, provider: str, limit: int) -> bool:
        self.sent[provider] = self.sent.get(provider, 0) + 1
        return self.sent[provider] > limit


@contextmanager
def urgent_server() -> Iterator[UrgentFake]:
    """Serve the fake providers on an ephemeral loopback port."""
    states: list[UrgentFake] = []

    def respond(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        parts = urlsplit(path)
        lowered = {k.lower(): v for k, v in headers.items()}
        state = states[0]
        with state.lock:
            status, answer = state.answer(parts.path, parse_qs(parts.query), lowered, body)
            state.seen.append(Seen(parts.path, lowered, body, status, answer))
        return status, answer

    with json_server(respond, name="fake-urgent-providers") as url:
        states.append(UrgentFake(url=url))
        yield states[0]
