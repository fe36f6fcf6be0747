"""The bots' admin page: chat bots and webhooks that carry alarms, pausing one, and a test message."""

from __future__ import annotations

import requests
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from starlette.datastructures import FormData

from caregiver_portal.accounts.access import ROLE_LABELS
from caregiver_portal.accounts.admin import managed, managed_site, managed_sites
from caregiver_portal.accounts.deps import AdminUser
from caregiver_portal.accounts.models import Site, User
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.web import attempt, flash, redirect, render
from caregiver_portal.escalation.setup import add_urgent_channel, parse_urgent_options
from caregiver_portal.notifications import service as channel_service
from caregiver_portal.notifications.models import NotificationChannel, UrgentChannel
from caregiver_portal.notifications.providers import URGENT_LABELS

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]


def _channel(session: SessionDep, admin: User, channel_id: int) -> NotificationChannel:
    return managed(session, NotificationChannel, channel_id, admin=admin, missing="找不到这个通知渠道")


def _form_site(session: SessionDep, admin: User, form: FormData) -> Site:
    site_raw = str(form.get("site_id") or "")
    return managed_site(session, admin=admin, site_id=int(site_raw) if site_raw.isdigit() else 0)


@router.get("/admin/channels")
def channels_page(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Chat bots and webhooks that carry alarms."""
    sites = managed_sites(session, admin=user)
    channels = list(session.scalars(select(NotificationChannel)
                                    .where(NotificationChannel.site_id.in_([s.id for s in sites]))
                                    .order_by(NotificationChannel.name)))
    urgent = list(session.scalars(select(UrgentChannel).where(UrgentChannel.site_id.in_([s.id for s in sites]))
                                  .order_by(UrgentChannel.site_id, UrgentChannel.position, UrgentChannel.id)))
    return render(request, "admin_channels.html", user, channels=channels, sites=sites, urgent=urgent,
                  CHANNEL_LABELS=channel_service.CHANNEL_LABELS, ROLE_LABELS=ROLE_LABELS,
                  URGENT_LABELS=URGENT_LABELS)


@router.post("/admin/channels", dependencies=CSRF)
async def add_channel(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Add a chat bot or webhook."""
    form = await request.form()

    def action() -> None:
        site = _form_site(session, user, form)
        channel_service.create_channel(session=session, site_id=site.id, kind=str(form.get("kind") or ""),
                                     name=str(form.get("name") or ""), url=str(form.get("url") or ""),
                                     secret=str(form.get("secret") or ""),
                                     audience=[str(v) for v in form.getlist("audience")])

    return attempt(request, session, action, done="通知渠道已添加，可以先发一条测试消息", then="/admin/channels")


@router.post("/admin/channels/urgent", dependencies=CSRF)
async def add_urgent(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Add a provider for urgent calls (DingTalk DING, Aliyun SMS or voice); the same checks as the command."""
    form = await request.form()

    def action() -> None:
        position = str(form.get("position") or "0").strip()
        if not (position.isascii() and position.isdigit() and len(position) <= 4):
            raise InvalidTransition("顺序请填一个整数，小的先试")
        add_urgent_channel(session, site=_form_site(session, user, form), kind=str(form.get("kind") or ""),
                           name=str(form.get("name") or ""), url=str(form.get("url") or ""),
                           key_id=str(form.get("key_id") or ""), key_secret=str(form.get("key_secret") or ""),
                           options=parse_urgent_options(str(form.get("options") or "").splitlines()),
                           position=int(position))

    return attempt(request, session, action, done="紧急呼叫渠道已添加", then="/admin/channels")


@router.post("/admin/channels/requests", dependencies=CSRF)
async def set_requests(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Whether kiosk grocery orders and activity sign-ups also go to the volunteers' bots of a site."""
    form = await request.form()

    def action() -> None:
        channel_service.set_bot_requests(session=session, site=_form_site(session, user, form),
                                         enabled=form.get("bot_requests") == "on")

    return attempt(request, session, action, done="已保存", then="/admin/channels")


@router.get("/admin/channels/{channel_id}/toggle")
def confirm_pause(request: Request, channel_id: int, user: AdminUser, session: SessionDep) -> Response:
    """Ask before pausing a channel."""
    channel = _channel(session, user, channel_id)
    return render(request, "confirm.html", user, title="暂停通知渠道", question=f"确定要暂停“{channel.name}”吗？",
                  consequence="暂停后报警不再发到这个群，只出现在看板上；以后可以恢复。",
                  action=f"/admin/channels/{channel_id}/toggle", button="暂停渠道", back="/admin/channels")


@router.post("/admin/channels/{channel_id}/toggle", dependencies=CSRF)
def toggle_channel(request: Request, channel_id: int, user: AdminUser, session: SessionDep) -> Response:
    """Pause a channel (after the confirmation page) or use it again."""
    return attempt(request, session, lambda: channel_service.toggle_channel(
        session=session, channel=_channel(session, user, channel_id)), done="已更新", then="/admin/channels")


@router.post("/admin/channels/{channel_id}/test", dependencies=CSRF)
def test_channel(request: Request, channel_id: int, user: AdminUser, session: SessionDep) -> Response:
    """Send a test message now and show how the bot answered."""
    channel = _channel(session, user, channel_id)
    site = session.get(Site, channel.site_id)
    with requests.Session() as http:
        result = channel_service.send_test_message(channel, site_name=site.name if site else "", now=utcnow(),
                                                   http=http)
    flash(request, f"测试消息已送达“{channel.name}”" if result.ok else f"测试消息没有送达：{result.reason}",
          "ok" if result.ok else "error")
    return redirect("/admin/channels")

