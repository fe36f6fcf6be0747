"""Chat bots and webhooks of a site: adding one, and a test message sent at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import requests
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Site
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.uow import transactional
from caregiver_portal.notifications.channels import Verdict, build_request, classify
from caregiver_portal.notifications.messages import HEADER, Outgoing
from caregiver_portal.notifications.models import NotificationChannel
from caregiver_portal.notifications.rules import channel_problem

CHANNEL_LABELS = {"wecom": "企业微信群机器人", "dingtalk": "钉钉自定义机器人", "feishu": "飞书自定义机器人",
                  "webhook": "通用 Webhook"}


@dataclass(frozen=True)
class ProbeResult:
    """Outcome of a channel's test message."""

    ok: bool
    reason: str


@transactional
def create_channel(*, session: Session, site_id: int, kind: str, name: str, url: str, secret: str | None,
                   audience: list[str], grid_id: int | None = None, rate_per_minute: int = 20) -> NotificationChannel:
    """Add a chat bot or webhook to a site (the only way to; :func:`rules.channel_problem` says what is refused)."""
    problem = channel_problem(kind=kind, name=name, url=url, secret=secret, audience=audience)
    if problem:
        raise InvalidTransition(problem)
    channel = NotificationChannel(site_id=site_id, grid_id=grid_id, kind=kind, name=name.strip()[:100],
                                  url=url.strip()[:500], secret=(secret or "").strip()[:200] or None,
                                  audience=list(audience), rate_per_minute=rate_per_minute, enabled=True)
    session.add(channel)
    session.flush()
    return channel


@transactional
def toggle_channel(*, session: Session, channel: NotificationChannel) -> NotificationChannel:
    """Pause a channel (alarms then reach only the board) or use it again."""
    channel.enabled = not channel.enabled
    return channel


@transactional
def set_bot_requests(*, session: Session, site: Site, enabled: bool) -> None:
    """Whether kiosk grocery orders and activity sign-ups of ``site`` also go to its volunteers' bots."""
    site.bot_requests = enabled


def send_test_message(channel: NotificationChannel, *, site_name: str, now: datetime, http: requests.Session,
                      timeout_s: float = 5.0) -> ProbeResult:
    """Post one test message to the channel right away (no outbox) and say how the bot answered."""
    text = f"{HEADER}测试消息：{site_name} 的“{channel.name}”已接通。收到这条消息说明报警通知能送达。"
    request = build_request(kind=channel.kind, url=channel.url, secret=channel.secret, now=now,
                            outgoing=Outgoing(text=text, mentions=(), title="测试消息"),
                            webhook_document={"event": "test", "site": site_name})
    try:
        response = http.post(request.url, data=request.body, headers=request.headers, timeout=timeout_s)
    except requests.RequestException as exc:
        return ProbeResult(False, f"连接失败（{type(exc).__name__}）")
    try:
        answer = response.json()
    except ValueError:
        answer = None
    verdict, reason = classify(channel.kind, response.status_code, answer)
    return ProbeResult(verdict is Verdict.OK, reason)

