"""Per-vendor request format, signature and answer handling. Pure: the time is passed in.

- WeCom group robot: POST the webhook URL (``...?key=KEY``) with
  ``{"msgtype": "text", "text": {"content": ..., "mentioned_mobile_list": [...]}}``;
  answer ``{"errcode": 0}``; 20 messages a minute, errcode 45009 when exceeded.
- DingTalk custom robot: ``&timestamp=<ms>&sign=<urlencode(base64(HMAC-SHA256(key=secret,
  msg="<ms>\\n<secret>")))>`` added to the URL; body ``{"msgtype": "text", "text": {...},
  "at": {"atMobiles": [...], "isAtAll": false}}``; errcode 130101 when throttled (20/min).
- Feishu custom bot: ``{"timestamp": "<s>", "sign": base64(HMAC-SHA256(key="<s>\\n<secret>",
  msg=b"")), "msg_type": "text", "content": {"text": ...}}``; answer ``{"code": 0}``;
  11232 when throttled, 19021 for a bad signature.
- Generic JSON webhook: our own document; with a secret, ``X-Anxin-Timestamp: <s>`` and
  ``X-Anxin-Signature: sha256=<hex HMAC-SHA256(secret, "<s>." + body)>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any
from urllib.parse import quote_plus

from caregiver_portal.notifications.messages import Outgoing

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "anxin-portal/0.1"}
RATE_LIMIT_CODES = {"wecom": {45009}, "dingtalk": {130101}, "feishu": {11232, 99991400}}
TRANSIENT_CODES = {"wecom": {-1}, "dingtalk": {-1}}  # "system busy, try again"


class Verdict(Enum):
    """How an answer is taken."""

    OK = "ok"
    RATE_LIMITED = "rate_limited"  # wait for the vendor's window, then send again
    RETRY = "retry"  # a transient failure: retry with backoff
    GIVE_UP = "give_up"  # retrying cannot help (bad key, bad signature, refused body)


@dataclass(frozen=True)
class BotRequest:
    """One HTTP POST, ready to send."""

    url: str
    body: bytes
    headers: dict[str, str]


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk: base64(HMAC-SHA256(key=secret, msg="timestamp\\nsecret")), not yet URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu: base64(HMAC-SHA256(key="timestamp\\nsecret", msg=b""))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_signature(secret: str, timestamp_s: int, body: bytes) -> str:
    """Our webhook: "sha256=" + hex HMAC-SHA256(secret, "timestamp." + body)."""
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp_s}.".encode() + body, hashlib.sha256).hexdigest()


def _encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def build_request(*, kind: str, url: str, secret: str | None, outgoing: Outgoing, now: datetime,
                  webhook_document: dict[str, Any]) -> BotRequest:
    """The POST that delivers ``outgoing`` to a bot of ``kind`` at ``now``."""
    mentions = list(outgoing.mentions)
    match kind:
        case "wecom":
            body = {"msgtype": "text", "text": {"content": outgoing.text, "mentioned_mobile_list": mentions}}
            return BotRequest(url, _encode(body), dict(JSON_HEADERS))
        case "dingtalk":
            if secret:
                millis = int(now.timestamp() * 1000)
                separator = "&" if "?" in url else "?"
                url = f"{url}{separator}timestamp={millis}&sign={quote_plus(dingtalk_sign(secret, millis))}"
            body = {"msgtype": "text", "text": {"content": outgoing.text},
                    "at": {"atMobiles": mentions, "isAtAll": False}}
            return BotRequest(url, _encode(body), dict(JSON_HEADERS))
        case "feishu":
            body = {"msg_type": "text", "content": {"text": outgoing.text}}
            if secret:
                seconds = int(now.timestamp())
                body = {"timestamp": str(seconds), "sign": feishu_sign(secret, seconds), **body}
            return BotRequest(url, _encode(body), dict(JSON_HEADERS))
        case "webhook":
            raw = _encode({**webhook_document, "text": outgoing.text, "title": outgoing.title, "mentions": mentions})
            headers = dict(JSON_HEADERS)
            if secret:
                seconds = int(now.timestamp())
                headers |= {"X-Anxin-Timestamp": str(seconds),
                            "X-Anxin-Signature": webhook_signature(secret, seconds, raw)}
            return BotRequest(url, raw, headers)
    raise ValueError(f"unknown channel kind {kind!r}")


def classify(kind: str, status_code: int, answer: Any) -> tuple[Verdict, str]:
    """Judge an HTTP answer: (verdict, short reason for the timeline)."""
    if status_code == 429:
        return Verdict.RATE_LIMITED, "HTTP 429"
    if status_code >= 500 or status_code in (408, 425):
        return Verdict.RETRY, f"HTTP {status_code}"
    if status_code >= 400:
        return Verdict.GIVE_UP, f"HTTP {status_code}"
    if kind == "webhook":
        return Verdict.OK, f"HTTP {status_code}"
    code = _vendor_code(answer)
    if code == 0:
        return Verdict.OK, "ok"
    if code in RATE_LIMIT_CODES.get(kind, set()):
        return Verdict.RATE_LIMITED, f"限流 (code {code})"
    if code is None or code in TRANSIENT_CODES.get(kind, set()):
        return Verdict.RETRY, f"无法识别的应答 (code {code})"
    return Verdict.GIVE_UP, f"被拒绝 (code {code})"


def _vendor_code(answer: Any) -> int | None:
    if not isinstance(answer, dict):
        return None
    for key in ("errcode", "code", "StatusCode"):
        if isinstance(answer.get(key), int):
            return int(answer[key])
    return None
