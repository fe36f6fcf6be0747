"""Administration pages: sites and grids, users (role, grids, password, active), devices (token shown
once, revoke). The bots' page is :mod:`caregiver_portal.notifications.web`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from caregiver_portal.accounts import admin as admin_service
from caregiver_portal.accounts.deps import AdminUser
from caregiver_portal.accounts.models import ROLES, Device, Grid, User, UserGrid
from caregiver_portal.accounts.service import revoke_device
from caregiver_portal.accounts.sessions import end_all_sessions
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep, StateDep
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import attempt, render
from caregiver_portal.roster.rules import format_roster
from caregiver_portal.roster.service import ROSTERED_ROLES, rosters

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]
Text = Annotated[PlainText, Form(max_length=500)]


@router.get("/admin")
def admin_home(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Sites and their grids, with links to users, devices, channels and the catalog."""
    sites = admin_service.managed_sites(session, admin=user)
    grids = {s.id: list(session.scalars(select(Grid).where(Grid.site_id == s.id).order_by(Grid.name)))
             for s in sites}
    return render(request, "admin_home.html", user, sites=sites, grids=grids)


@router.post("/admin/sites", dependencies=CSRF)
def add_site(request: Request, user: AdminUser, session: SessionDep, name: Text, address: Text = "",
             duty_phone: Text = "") -> Response:
    """An admin of every site adds a community centre."""
    return attempt(request, session, lambda: admin_service.create_site(
        session=session, admin=user, name=name, address=address, duty_phone=duty_phone),
        done="站点已创建", then="/admin")


@router.post("/admin/grids", dependencies=CSRF)
def add_grid(request: Request, user: AdminUser, session: SessionDep, site_id: Annotated[int, Form()],
             name: Text) -> Response:
    """Add a grid to a site."""
    return attempt(request, session, lambda: admin_service.create_grid(
        session=session, site_id=admin_service.managed_site(session, admin=user, site_id=site_id).id, name=name),
        done="网格已创建", then="/admin")


@router.get("/admin/users")
def users_page(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Every user of the admin's sites, with role, grids and status."""
    users = admin_service.managed_users(session, admin=user)
    sites = admin_service.managed_sites(session, admin=user)
    grids = list(session.scalars(select(Grid).where(Grid.site_id.in_([s.id for s in sites])).order_by(Grid.name)))
    membership: dict[int, set[int]] = {}
    for user_id, grid_id in session.execute(select(UserGrid.user_id, UserGrid.grid_id)):
        membership.setdefault(user_id, set()).add(grid_id)
    books = rosters(session, (u.id for u in users), now=utcnow())
    return render(request, "admin_users.html", user, users=users, sites=sites, grids=grids, membership=membership,
                  roles=ROLES, site_names={s.id: s.name for s in sites},
                  roster_text={u.id: format_roster(books[u.id].shifts) for u in users}, rostered=ROSTERED_ROLES)


@router.post("/admin/users", dependencies=CSRF)
def add_user(request: Request, user: AdminUser, session: SessionDep, state: StateDep, username: Text,
             display_name: Text, role: Text, password: Text, site_id: Annotated[int, Form()], phone: Text = "",
             roster: Text = "每天 全天") -> Response:
    """Create a volunteer, grid worker or admin account; a volunteer or grid worker is on call at once."""
    return attempt(request, session, lambda: admin_service.add_user(
        session=session, hasher=state.hasher, admin=user, username=username, display_name=display_name, role=role,
        password=password, site_id=site_id, phone=phone, roster=roster),
        done=f"已创建账号 {username}", then="/admin/users")


@router.post("/admin/users/{user_id}/grids", dependencies=CSRF)
async def set_grids(request: Request, user_id: int, user: AdminUser, session: SessionDep) -> Response:
    """Set which grids a user works in (none: the whole site)."""
    form = await request.form()
    grid_ids = [int(value) for value in form.getlist("grid_id") if isinstance(value, str) and value.isdigit()]
    return attempt(request, session, lambda: admin_service.set_user_grids(
        session=session, user=admin_service.managed_user(session, admin=user, user_id=user_id), grid_ids=grid_ids),
        done="网格已保存", then="/admin/users")


@router.get("/admin/users/{user_id}/active")
def confirm_deactivate(request: Request, user_id: int, user: AdminUser, session: SessionDep) -> Response:
    """Ask before disabling an account."""
    target = admin_service.managed_user(session, admin=user, user_id=user_id)
    return render(request, "confirm.html", user, title="停用账号",
                  question=f"确定要停用 {target.display_name}（{target.username}）的账号吗？",
                  consequence="停用后不能再登录，报警也不会再通知这个人；以后可以重新启用。",
                  action=f"/admin/users/{user_id}/active", button="停用账号", back="/admin/users")


@router.post("/admin/users/{user_id}/active", dependencies=CSRF)
def toggle_active(request: Request, user_id: int, user: AdminUser, session: SessionDep) -> Response:
    """Disable an account (it can no longer sign in; after the confirmation page) or enable it again."""
    return attempt(request, session, lambda: admin_service.toggle_active(session=session, admin=user, user_id=user_id),
                   done="已更新账号状态", then="/admin/users")


@router.post("/admin/users/{user_id}/password", dependencies=CSRF)
def set_password(request: Request, user_id: int, user: AdminUser, session: SessionDep, state: StateDep,
                 password: Text) -> Response:
    """Give a user a new password; every session of that user ends."""
    return attempt(request, session, lambda: admin_service.reset_password(
        session=session, hasher=state.hasher, user=admin_service.managed_user(session, admin=user, user_id=user_id),
        password=password), done="密码已重置", then="/admin/users")


@router.post("/admin/users/{user_id}/sign-out", dependencies=CSRF)
def sign_out_everywhere(request: Request, user_id: int, user: AdminUser, session: SessionDep) -> Response:
    """End every session of a user at once (a lost phone, a shared computer)."""
    ended: list[int] = []

    def action() -> None:
        target = admin_service.managed_user(session, admin=user, user_id=user_id)
        ended.append(end_all_sessions(session=session, user_id=target.id))

    return attempt(request, session, action, done=lambda: f"已让该账号在所有设备上退出（{ended[0]} 处登录）",
                   then="/login" if user_id == user.id else "/admin/users")


DEVICE_TOKEN = "device_token"  # session key: a new device's token, shown by the next GET only


@router.get("/admin/devices")
def devices_page(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Kiosks and bridges, with when they were last seen; a device just created shows its token this once."""
    sites = admin_service.managed_sites(session, admin=user)
    devices = list(session.scalars(select(Device).where(Device.site_id.in_([s.id for s in sites]))
                                   .order_by(Device.revoked_at.is_not(None), Device.kind, Device.name)))
    created = request.session.pop(DEVICE_TOKEN, None)
    device = next((d for d in devices if created and d.id == created.get("device_id")), None)
    response = render(request, "admin_devices.html", user, devices=devices, sites=sites,
                      token=created.get("token") if device else None, created=device)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/admin/devices", dependencies=CSRF)
def add_device(request: Request, user: AdminUser, session: SessionDep, kind: Text, name: Text,
               site_id: Annotated[int, Form()]) -> Response:
    """Create a kiosk or bridge, then show its token once on the page redirected to (the portal keeps a hash;
    reloading that page shows the token no more and creates nothing)."""
    def action() -> None:
        device, token = admin_service.add_device(session=session, admin=user, kind=kind, name=name, site_id=site_id)
        request.session[DEVICE_TOKEN] = {"device_id": device.id, "token": token}

    return attempt(request, session, action, done=f"已添加“{name.strip()}”：请现在复制它的令牌",
                   then="/admin/devices#device-token")


def _device(session: SessionDep, user: User, device_id: int) -> Device:
    return admin_service.managed(session, Device, device_id, admin=user, missing="找不到这台设备")


@router.get("/admin/devices/{device_id}/revoke")
def confirm_revoke(request: Request, device_id: int, user: AdminUser, session: SessionDep) -> Response:
    """Ask before revoking a device's token."""
    device = _device(session, user, device_id)
    kind, calls = ("自助机", "居民在上面的呼叫") if device.kind == "kiosk" else ("手环网关", "它收到的手环呼叫")
    return render(request, "confirm.html", user, title="吊销设备令牌",
                  question=f"确定要吊销{kind}“{device.name}”的令牌吗？",
                  consequence=f"吊销后这台{kind}立刻无法连接门户，{calls}都传不过来；"
                              "要再用它，只能添加一台新设备并换上新令牌。",
                  action=f"/admin/devices/{device_id}/revoke", button="吊销令牌", back="/admin/devices")


@router.post("/admin/devices/{device_id}/revoke", dependencies=CSRF)
def revoke(request: Request, device_id: int, user: AdminUser, session: SessionDep) -> Response:
    """Revoke a device's token at once (a lost or stolen kiosk; after the confirmation page)."""
    return attempt(request, session, lambda: revoke_device(
        session=session, device_id=_device(session, user, device_id).id, now=utcnow()),
        done="设备令牌已吊销", then="/admin/devices")
