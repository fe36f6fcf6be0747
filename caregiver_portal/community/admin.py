"""Administration services behind the admin pages: sites, grids, users and their grids,
notification channels and their test message. Device tokens use :mod:`caregiver_portal.services.accounts`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import requests
from argon2 import PasswordHasher
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from caregiver_portal.errors import InvalidTransition, NotFound
from caregiver_portal.models import CHANNEL_KINDS, ROLES, Grid, NotificationChannel, Site, User, UserGrid
from caregiver_portal.notifications.channels import Verdict, build_request, classify
from caregiver_portal.notifications.messages import HEADER, Outgoing
from caregiver_portal.security import hash_password

CHANNEL_LABELS = {"wecom": "企业微信群机器人", "dingtalk": "钉钉自定义机器人", "feishu": "飞书自定义机器人",
                  "webhook": "通用 Webhook"}


@dataclass(frozen=True)
class ProbeResult:
    """Outcome of a channel's test message."""

    ok: bool
    reason: str


def create_site(*, session: Session, name: str, address: str, duty_phone: str) -> Site:
    """A new community centre (names are unique)."""
    if not name.strip():
        raise InvalidTransition("请填写站点名称")
    if session.scalar(select(Site).where(Site.name == name.strip())) is not None:
        raise InvalidTransition(f"已经有站点“{name}”")
    site = Site(name=name.strip()[:100], address=address.strip()[:200], duty_phone=duty_phone.strip()[:40])
    session.add(site)
    session.flush()
    return site


def create_grid(*, session: Session, site_id: int, name: str) -> Grid:
    """A new grid of a site (names unique per site)."""
    if not name.strip():
        raise InvalidTransition("请填写网格名称")
    if session.get(Site, site_id) is None:
        raise NotFound("找不到这个站点")
    if session.scalar(select(Grid).where(Grid.site_id == site_id, Grid.name == name.strip())) is not None:
        raise InvalidTransition(f"这个站点已经有“{name}”")
    grid = Grid(site_id=site_id, name=name.strip()[:100])
    session.add(grid)
    session.flush()
    return grid


def managed_user(session: Session, *, admin: User, user_id: int) -> User:
    """A user the admin may manage: same site, or any for an admin of every site."""
    user = session.get(User, user_id)
    if user is None or (admin.site_id is not None and user.site_id != admin.site_id):
        raise NotFound("找不到这个用户")
    return user


def set_user_grids(*, session: Session, user: User, grid_ids: Iterable[int]) -> None:
    """Replace the grids a user belongs to (none: the whole site)."""
    wanted = set(grid_ids)
    grids = list(session.scalars(select(Grid).where(Grid.id.in_(wanted)))) if wanted else []
    if len(grids) != len(wanted) or any(g.site_id != user.site_id for g in grids):
        raise InvalidTransition("只能选择用户所在站点的网格")
    session.execute(delete(UserGrid).where(UserGrid.user_id == user.id))
    for grid in grids:
        session.add(UserGrid(user_id=user.id, grid_id=grid.id))


def reset_password(*, session: Session, hasher: PasswordHasher, user: User, password: str) -> None:
    """Give a user a new password (at least 8 characters)."""
    if len(password) < 8:
        raise InvalidTransition("密码至少 8 个字符")
    user.password_hash = hash_password(hasher, password)


def check_role(role: str) -> str:
    """The role if known, else :class:`InvalidTransition`."""
    if role not in ROLES:
        raise InvalidTransition("角色不正确")
    return role


def create_channel(*, session: Session, site_id: int, kind: str, name: str, url: str, secret: str,
                   audience: list[str]) -> NotificationChannel:
    """Add a chat bot or webhook to a site."""
    if kind not in CHANNEL_KINDS:
        raise InvalidTransition("渠道类型不正确")
    if not url.startswith(("https://", "http://")):
        raise InvalidTransition("地址要以 https:// 开头")
    if not name.strip():
        raise InvalidTransition("请填写渠道名称")
    channel = NotificationChannel(site_id=site_id, kind=kind, name=name.strip()[:100], url=url.strip()[:500],
                                  secret=secret.strip()[:200] or None,
                                  audience=[role for role in audience if role in ROLES], enabled=True)
    session.add(channel)
    session.flush()
    return channel


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
