"""Roles: who may do what, and the site a user's new rows belong to."""

from __future__ import annotations

from caregiver_portal.accounts.models import User
from caregiver_portal.core.errors import Forbidden

HEALTH_ROLES = frozenset({"caregiver", "admin"})
STAFF_ROLES = frozenset({"caregiver", "admin"})
ROLE_LABELS = {"volunteer": "志愿者", "caregiver": "网格员", "admin": "管理员"}


def require_role(user: User, roles: frozenset[str] | set[str], what: str = "这个页面") -> None:
    """Raise :class:`Forbidden` unless ``user`` has one of ``roles``."""
    if user.role not in roles:
        raise Forbidden(f"您的账号没有权限查看{what}")


def site_for_new_rows(user: User) -> int:
    """The site a user's new rows belong to; admins without a site must pick one first."""
    if user.site_id is None:
        raise Forbidden("请先为您的账号设置所属站点")
    return user.site_id
