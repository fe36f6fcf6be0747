"""Administration services behind the admin pages: sites, grids, users and their grids, devices.
Accounts and device tokens are made by :mod:`caregiver_portal.accounts.service`; bots by
:mod:`caregiver_portal.notifications.service`.

The site scope is one rule (:func:`manages`): an admin of every site (no site of their own) manages
every site, any other admin only their own; rows outside it are "not found" (:func:`managed`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from argon2 import PasswordHasher
from sqlalchemy import Select, delete, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from caregiver_portal.accounts.models import ROLES, Device, Grid, Site, User, UserGrid
from caregiver_portal.accounts.service import create_device, create_user
from caregiver_portal.accounts.sessions import end_all_sessions
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.phones import PhoneError, normalise_phone
from caregiver_portal.core.security import hash_password
from caregiver_portal.core.uow import transactional
from caregiver_portal.roster.service import ROSTERED_ROLES, set_roster

T = TypeVar("T")


@transactional
def create_site(*, session: Session, admin: User, name: str, address: str, duty_phone: str) -> Site:
    """A new community centre (names are unique), added by an admin of every site."""
    if admin.site_id is not None:
        raise InvalidTransition("只有不属于某个站点的总管理员可以新建站点")
    if not name.strip():
        raise InvalidTransition("请填写站点名称")
    if session.scalar(select(Site).where(Site.name == name.strip())) is not None:
        raise InvalidTransition(f"已经有站点“{name}”")
    site = Site(name=name.strip()[:100], address=address.strip()[:200], duty_phone=duty_phone.strip()[:40])
    session.add(site)
    session.flush()
    return site


@transactional
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


def manages(admin: User, site_id: int | None) -> bool:
    """The site scope: whether ``admin`` manages the site ``site_id``."""
    return admin.site_id is None or site_id == admin.site_id


def in_scope(query: Select[tuple[T]], column: InstrumentedAttribute[Any], *, admin: User) -> Select[tuple[T]]:
    """``query`` narrowed to the rows whose ``column`` (a site id) the admin manages."""
    return query if admin.site_id is None else query.where(column == admin.site_id)


def managed(session: Session, model: type[T], row_id: int, *, admin: User, missing: str) -> T:
    """The ``model`` row ``row_id`` if the admin manages its site (a site: itself), else :class:`NotFound`."""
    row = session.get(model, row_id)
    if row is None or not manages(admin, row.id if isinstance(row, Site) else getattr(row, "site_id", None)):
        raise NotFound(missing)
    return row


def managed_sites(session: Session, *, admin: User) -> list[Site]:
    """The sites an admin manages: their own, or every site for an admin of every site."""
    return list(session.scalars(in_scope(select(Site), Site.id, admin=admin).order_by(Site.name)))


def managed_site(session: Session, *, admin: User, site_id: int) -> Site:
    """A site the admin manages, or :class:`NotFound`."""
    return managed(session, Site, site_id, admin=admin, missing="找不到这个站点")


def managed_user(session: Session, *, admin: User, user_id: int) -> User:
    """A user the admin may manage: same site, or any for an admin of every site."""
    return managed(session, User, user_id, admin=admin, missing="找不到这个用户")


def managed_users(session: Session, *, admin: User) -> list[User]:
    """Every user the admin manages, by role and name."""
    return list(session.scalars(in_scope(select(User), User.site_id, admin=admin).order_by(User.role, User.username)))


@transactional
def add_user(*, session: Session, hasher: PasswordHasher, admin: User, username: str, display_name: str, role: str,
             password: str, site_id: int, phone: str, roster: str) -> User:
    """Create a volunteer, grid worker or admin account at a site the admin manages; a volunteer or grid
    worker is on call at once, by ``roster``."""
    if not username.strip() or not display_name.strip():
        raise InvalidTransition("请填写用户名和显示名")
    if len(password) < 8:
        raise InvalidTransition("密码至少 8 个字符")
    created = create_user(session=session, hasher=hasher, username=username.strip()[:64], password=password,
                          role=check_role(role), display_name=display_name.strip()[:100],
                          site=managed_site(session, admin=admin, site_id=site_id))
    set_phone(session=session, user=created, phone=phone)
    if created.role in ROSTERED_ROLES:
        set_roster(session=session, user=created, text=roster)
    return created


@transactional
def toggle_active(*, session: Session, admin: User, user_id: int) -> User:
    """Disable a user the admin manages (never the admin themself), or enable them again."""
    target = managed_user(session, admin=admin, user_id=user_id)
    if target.id == admin.id:
        raise InvalidTransition("不能停用自己的账号")
    target.active = not target.active
    return target


@transactional
def add_device(*, session: Session, admin: User, kind: str, name: str, site_id: int) -> tuple[Device, str]:
    """A new kiosk or bridge at a site the admin manages, with its token (shown once)."""
    if kind not in ("kiosk", "bridge") or not name.strip():
        raise InvalidTransition("请选择设备类型并填写名称")
    return create_device(session=session, site=managed_site(session, admin=admin, site_id=site_id), kind=kind,
                         name=name.strip()[:100])


@transactional
def set_user_grids(*, session: Session, user: User, grid_ids: Iterable[int]) -> None:
    """Replace the grids a user belongs to (none: the whole site)."""
    wanted = set(grid_ids)
    grids = list(session.scalars(select(Grid).where(Grid.id.in_(wanted)))) if wanted else []
    if len(grids) != len(wanted) or any(g.site_id != user.site_id for g in grids):
        raise InvalidTransition("只能选择用户所在站点的网格")
    session.execute(delete(UserGrid).where(UserGrid.user_id == user.id))
    for grid in grids:
        session.add(UserGrid(user_id=user.id, grid_id=grid.id))


def set_phone(*, session: Session, user: User, phone: str) -> None:
    """The phone bots @-mention and volunteers call, written one way (refused when impossible)."""
    try:
        user.phone = normalise_phone(phone)
    except PhoneError as exc:
        raise InvalidTransition(f"电话{exc}") from exc


@transactional
def reset_password(*, session: Session, hasher: PasswordHasher, user: User, password: str) -> None:
    """Give a user a new password (at least 8 characters)."""
    if len(password) < 8:
        raise InvalidTransition("密码至少 8 个字符")
    user.password_hash = hash_password(hasher, password)
    end_all_sessions(session=session, user_id=user.id)  # whoever knew the old password is signed out


def check_role(role: str) -> str:
    """The role if known, else :class:`InvalidTransition`."""
    if role not in ROLES:
        raise InvalidTransition("角色不正确")
    return role


