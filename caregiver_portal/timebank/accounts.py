"""Every holder of a site's points with their balance, hours earned and star level (the office's list)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import User
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.residents.models import Resident
from caregiver_portal.timebank import rules
from caregiver_portal.timebank.ledger import Holder, scheme_for
from caregiver_portal.timebank.models import PointsEntry


@dataclass(frozen=True)
class Account:
    """One holder's line on the office page."""

    holder: Holder
    name: str
    balance: int
    earned: int
    hours: float
    badge: str


def holder_name(session: Session, holder: Holder, *, site_id: int) -> str:
    """The holder's name if they belong to ``site_id``; InvalidTransition otherwise."""
    if holder.kind == "user":
        user = session.get(User, holder.id)
        if user is not None and user.site_id == site_id and user.active:
            return user.display_name
    else:
        resident = session.get(Resident, holder.id)
        if resident is not None and resident.site_id == site_id:
            return resident.name
    raise InvalidTransition("找不到受赠人")


def site_accounts(session: Session, *, site_id: int, limit: int = 300) -> list[Account]:
    """Holders with lines at the site, most earned first."""
    scheme = scheme_for(session, site_id=site_id)
    earning = case((PointsEntry.service.in_(rules.EARNING_SERVICES) & (PointsEntry.points > 0), PointsEntry.points),
                   else_=0)
    query = (select(PointsEntry.user_id, PointsEntry.resident_id, User.display_name, Resident.name,
                    func.sum(PointsEntry.points), func.sum(earning))
             .outerjoin(User, User.id == PointsEntry.user_id)
             .outerjoin(Resident, Resident.id == PointsEntry.resident_id)
             .where(PointsEntry.site_id == site_id)
             .group_by(PointsEntry.user_id, PointsEntry.resident_id, User.display_name, Resident.name)
             .order_by(func.sum(earning).desc()).limit(limit))
    accounts = []
    for user_id, resident_id, user_name, resident_name, total, earned in session.execute(query):
        holder = Holder("user", user_id) if user_id is not None else Holder("resident", resident_id)
        level = rules.star_level(earned_points=int(earned or 0), scheme=scheme)
        accounts.append(Account(holder, user_name or resident_name or "", int(total or 0), int(earned or 0),
                                rules.hours_of(int(earned or 0), scheme), rules.star_badge(level)))
    return accounts
