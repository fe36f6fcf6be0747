"""Urgent-call providers: requests and answers of DingTalk DING and Aliyun SMS / voice calls. Pure: the time,
the nonce and the access token are passed in.

- **DingTalk DING** (钉钉 DING 消息, ``dingtalk_ding``): an internal app's robot sends an in-app, SMS or
  phone DING to org members. ``POST {base}/v1.0/oauth2/accessToken {"appKey","appSecret"}`` ->
  ``{"accessToken","expireIn"}``; the member's userId from the phone number with
  ``POST {oapi}/topapi/v2/user/getbymobile?access_token=T {"mobile"}`` -> ``{"errcode":0,"result":{"userid"}}``;
  then ``POST {base}/v1.0/robot/ding/send`` with header ``x-acs-dingtalk-access-token`` and
  ``{"robotCode","remindType" (1 in-app, 2 SMS, 3 phone),"receiverUserIdList","content"}`` ->
  ``{"openDingId"}``; errors are HTTP 400/500 with ``{"code","message"}`` (``toomuch.msg`` when too fast,
  ``ding.serverquota.insufficient`` without quota).
- **Aliyun SMS** (阿里云短信 ``SendSms``, ``aliyun_sms``) and **voice call** (语音通知 ``SingleCallByTts``,
  ``aliyun_voice``): RPC-style requests signed with signature version 1.0: every parameter (common ones:
  ``AccessKeyId, Action, Format=JSON, SignatureMethod=HMAC-SHA1, SignatureNonce, SignatureVersion=1.0,
  Timestamp (UTC ISO 8601), Version=2017-05-25``) percent-encoded (RFC 3986: space ``%20``, ``*`` ``%2A``,
  ``~`` kept), sorted by name and joined; ``StringToSign = "POST&%2F&" + encode(canonical query)``;
  ``Signature = base64(HMAC-SHA1(key=AccessKeySecret + "&", StringToSign))``. The answer is
  ``{"Code":"OK",...}``; ``isv.BUSINESS_LIMIT_CONTROL`` / ``Throttling.User`` when throttled.

Every failure is final for that channel: the caller moves to the next channel at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

URGENT_KINDS = ("dingtalk_ding", "aliyun_sms", "aliyun_voice")
URGENT_LABELS = {"dingtalk_ding": "钉钉 DING", "aliyun_sms": "阿里云短信", "aliyun_voice": "阿里云语音电话"}
DING_REMIND_TYPES = {"app": 1, "sms": 2, "phone": 3}
ALIYUN_ACTIONS = {"aliyun_sms": "SendSms", "aliyun_voice": "SingleCallByTts"}
ALIYUN_VERSION = "2017-05-25"
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "anxin-portal/0.1"}
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "User-Agent": "anxin-portal/0.1"}


@dataclass(frozen=True)
class CallText:
    """What an urgent call says (PIPL: kind, place, wait and link only, unless the site allows names)."""

    kind_label: str
    place: str
    waited_min: int
    link: str

    @property
    def text(self) -> str:
        """The DING / SMS text: "【安心】紧急呼叫：3号楼201 已 3 分钟无人接单，请立即处理 <link>"."""
        place = self.place or "地点未知"
        return f"【安心】{self.kind_label}：{place} 已 {self.waited_min} 分钟无人接单，请立即处理 {self.link}"

    @property
    def template_param(self) -> str:
        """The Aliyun template's variables as JSON (the template holds the wording, approved by Aliyun)."""
        return json.dumps({"kind": self.kind_label, "place": self.place or "地点未知", "minutes": str(self.waited_min)},
                          ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class HttpCall:
    """One HTTP request, ready to send."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes


def percent_encode(text: str) -> str:
    """Aliyun's RFC 3986 encoding: unreserved characters kept, everything else %XX (space is %20, never +)."""
    return quote(text, safe="-_.~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    """Signature version 1.0 of ``params`` (without ``Signature``)."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def aliyun_request(*, kind: str, url: str, key_id: str, key_secret: str, options: dict[str, Any], phone: str,
                   text: CallText, now: datetime, nonce: str) -> HttpCall:
    """A signed ``SendSms`` (SMS) or ``SingleCallByTts`` (voice call) form POST to one phone number."""
    params = {"AccessKeyId": key_id, "Action": ALIYUN_ACTIONS[kind], "Format": "JSON",
              "SignatureMethod": "HMAC-SHA1", "SignatureNonce": nonce, "SignatureVersion": "1.0",
              "Timestamp": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": ALIYUN_VERSION,
              "RegionId": str(options.get("region", "cn-hangzhou"))}
    if kind == "aliyun_sms":
        params |= {"PhoneNumbers": phone, "SignName": str(options.get("sign_name", "")),
                   "TemplateCode": str(options.get("template_code", "")), "TemplateParam": text.template_param}
    else:
        params |= {"CalledNumber": phone, "CalledShowNumber": str(options.get("show_number", "")),
                   "TtsCode": str(options.get("tts_code", "")), "TtsParam": text.template_param}
    params["Signature"] = aliyun_signature(params, key_secret)
    body = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in params.items()).encode()
    return HttpCall("POST", url.rstrip("/") + "/", dict(FORM_HEADERS), body)


def aliyun_outcome(status_code: int, answer: Any) -> tuple[bool, str]:
    """(accepted, reason) of an Aliyun answer."""
    code = answer.get("Code") if isinstance(answer, dict) else None
    if status_code == 200 and code == "OK":
        return True, "已受理"
    if code in ("isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "Throttling"):
        return False, f"被限流（{code}）"
    return False, f"HTTP {status_code} {code or '无法识别的应答'}"


def ding_token_request(*, base_url: str, app_key: str, app_secret: str) -> HttpCall:
    """Ask DingTalk for an internal app's access token."""
    body = json.dumps({"appKey": app_key, "appSecret": app_secret}).encode()
    return HttpCall("POST", f"{base_url.rstrip('/')}/v1.0/oauth2/accessToken", dict(JSON_HEADERS), body)


def ding_user_request(*, oapi_url: str, token: str, phone: str) -> HttpCall:
    """Ask DingTalk which org member has ``phone``."""
    body = json.dumps({"mobile": phone}).encode()
    return HttpCall("POST", f"{oapi_url.rstrip('/')}/topapi/v2/user/getbymobile?access_token={quote(token)}",
                    dict(JSON_HEADERS), body)


def ding_send_request(*, base_url: str, token: str, robot_code: str, remind: str, user_id: str,
                      text: CallText) -> HttpCall:
    """A DING (in-app, SMS or phone call) to one org member."""
    body = json.dumps({"robotCode": robot_code, "remindType": DING_REMIND_TYPES.get(remind, 3),
                       "receiverUserIdList": [user_id], "content": text.text}, ensure_ascii=False).encode()
    headers = dict(JSON_HEADERS) | {"x-acs-dingtalk-access-token": token}
    return HttpCall("POST", f"{base_url.rstrip('/')}/v1.0/robot/ding/send", headers, body)


def ding_outcome(status_code: int, answer: Any) -> tuple[bool, str]:
    """(accepted, reason) of a DING answer: an ``openDingId`` and no failed receivers."""
    if status_code == 200 and isinstance(answer, dict) and answer.get("openDingId") and not answer.get("failedList"):
        return True, "已受理"
    if not isinstance(answer, dict):
        return False, f"HTTP {status_code} 无法识别的应答"
    code = answer.get("code")
    if code == "toomuch.msg":
        return False, "被限流（toomuch.msg）"
    if answer.get("failedList"):
        return False, f"接收人失败 {answer['failedList']}"
    return False, f"HTTP {status_code} {code or '无法识别的应答'}"
