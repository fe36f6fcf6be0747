"""Administration services behind the admin pages: sites, grids, users and their grids.
Device tokens use :mod:`caregiver_portal.accounts.service`; bots :mod:`caregiver_portal.notifications.service`."""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import ROLES, Grid, Site, User, UserGrid
from caregiver_portal.accounts.sessions import end_all_sessions
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.phones import PhoneError, normalise_phone
from caregiver_portal.core.security import hash_password


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


def managed_sites(session: Session, *, admin: User) -> list[Site]:
    """The sites an admin manages: their own, or every site for an admin of every site."""
    query = select(Site).order_by(Site.name)
    if admin.site_id is not None:
        query = query.where(Site.id == admin.site_id)
    return list(session.scalars(query))


def managed_site(session: Session, *, admin: User, site_id: int) -> Site:
    """A site the admin manages, or :class:`NotFound`."""
    site = session.get(Site, site_id)
    if site is None or (admin.site_id is not None and site.id != admin.site_id):
        raise NotFound("找不到这个站点")
    return site



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


def set_phone(*, session: Session, user: User, phone: str) -> None:
    """The phone bots @-mention and volunteers call, written one way (refused when impossible)."""
    try:
        user.phone = normalise_phone(phone)
    except PhoneError as exc:
        raise InvalidTransition(f"电话{exc}") from exc


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


