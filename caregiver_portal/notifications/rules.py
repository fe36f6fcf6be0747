"""What makes a chat bot, webhook or urgent-call provider acceptable: one set of rules for the admin page,
``anxin admin`` and tests. Pure: every function returns a Chinese message saying what to fix, or None."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from caregiver_portal.accounts.models import ROLES
from caregiver_portal.notifications.models import CHANNEL_KINDS
from caregiver_portal.notifications.providers import DING_REMIND_TYPES, URGENT_KINDS

SIGNED_KINDS = ("dingtalk", "feishu")
"""Bots that refuse unsigned messages: they need the 加签 secret."""

URGENT_OPTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "dingtalk_ding": ((), ("robot_code", "remind", "oapi_url")),
    "aliyun_sms": (("sign_name", "template_code"), ("region",)),
    "aliyun_voice": (("tts_code",), ("show_number", "region")),
}
"""Per urgent-call kind: the options the provider cannot work without, and the optional ones."""

URL_RULE = ("地址要以 https:// 开头；只有发往本机或局域网内网地址（127.0.0.1、10.x、172.16–31.x、192.168.x）"
            "的才可以用 http://")
_PRIVATE_NETWORKS = tuple(ipaddress.ip_network(net) for net in
                          ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))


def url_problem(url: str) -> str | None:
    """Why ``url`` may not carry alarms: https anywhere, http only to a loopback or private-network address
    (a gateway inside the centre's LAN, a local test server)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return URL_RULE
    if not host:
        return URL_RULE
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and _local(host):
        return None
    return URL_RULE


def _local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or any(address in network for network in _PRIVATE_NETWORKS)


def channel_problem(*, kind: str, name: str, url: str, secret: str | None, audience: Iterable[str]) -> str | None:
    """Why a bot or webhook with these settings cannot be added, or None if it can."""
    if kind not in CHANNEL_KINDS:
        return "渠道类型不正确"
    if not name.strip():
        return "请填写渠道名称"
    unknown = sorted(set(audience) - set(ROLES))
    if unknown:
        return f"不认识的角色：{'、'.join(unknown)}"
    if kind in SIGNED_KINDS and not (secret or "").strip():
        return "钉钉和飞书机器人要填写签名密钥（加签密钥）"
    return url_problem(url)


def urgent_channel_problem(*, kind: str, name: str, url: str, key_id: str, key_secret: str,
                           options: Mapping[str, Any] | None = None) -> str | None:
    """Why an urgent-call provider (DING, SMS, voice) with these settings cannot be added, or None if it can."""
    if kind not in URGENT_KINDS:
        return "紧急呼叫服务类型不正确"
    if not name.strip():
        return "请填写渠道名称"
    if not key_id.strip() or not key_secret.strip():
        return "请填写服务的 AccessKey（或 AppKey）和密钥"
    if len(name) > 100 or len(url) > 500 or len(key_id) > 200 or len(key_secret) > 200:
        return "名称不能超过 100 字，地址不能超过 500 字，AccessKey 和密钥不能超过 200 字"
    return url_problem(url) or urgent_options_problem(kind, options or {})


def urgent_options_problem(kind: str, options: Mapping[str, Any]) -> str | None:
    """Why ``options`` do not suit an urgent-call provider of ``kind``: a required option missing or blank
    (an SMS without its signature and template is refused by Aliyun on every call), an option the kind does
    not know (a typo would otherwise be ignored silently), a DING reminder other than app/sms/phone."""
    required, optional = URGENT_OPTIONS[kind]
    missing = [key for key in required if not str(options.get(key, "")).strip()]
    if missing:
        return f"这种服务要填写选项：{'、'.join(f'{key}=…' for key in missing)}"
    unknown = sorted(set(options) - set(required) - set(optional))
    if unknown:
        return f"这种服务没有这些选项：{'、'.join(unknown)}（可用：{'、'.join(required + optional)}）"
    if "remind" in options and options["remind"] not in DING_REMIND_TYPES:
        return "remind 只能是 app、sms 或 phone"
    if "oapi_url" in options:
        return url_problem(str(options["oapi_url"]))
    return None
