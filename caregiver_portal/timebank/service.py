"""The volunteers' time bank (时间银行): a ledger of points earned per completed service and redeemed.

Points for a service are written once (``UNIQUE(user, service, ref)``), so awarding is safe to
repeat: help calls resolved on the alert board are picked up by :func:`award_resolved_alerts`,
which the pages call before they read balances and which a ticker may call too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import User
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.uow import insert_once, transactional
from caregiver_portal.timebank.models import PointsEntry, PointsRule, Reward

# Points per completed service unless a site sets its own (the 积分 examples of many community schemes).
DEFAULT_POINTS = {"help": 10, "emergency": 15, "delivery": 10}
SERVICE_LABELS = {"help": "处理求助", "emergency": "处理紧急呼叫", "delivery": "代购送达", "redeem": "兑换"}
DEMO_REWARDS = (("一袋大米（5 公斤）", 100), ("一桶食用油", 150), ("免费理发一次", 60), ("家政服务 1 小时", 200))


@dataclass(frozen=True)
class LeaderRow:
    """One line of the leaderboard."""

    user_id: int
    display_name: str
    points: int
    services: int


def points_for(session: Session, *, site_id: int, service: str) -> int:
    """How many points ``service`` earns at ``site_id``."""
    rule = session.scalar(select(PointsRule).where(PointsRule.site_id == site_id, PointsRule.service == service))
    return rule.points if rule is not None else DEFAULT_POINTS.get(service, 0)


def rules_for_site(session: Session, *, site_id: int) -> dict[str, int]:
    """Every service's points at a site (defaults filled in)."""
    rules = dict(DEFAULT_POINTS)
    for rule in session.scalars(select(PointsRule).where(PointsRule.site_id == site_id)):
        rules[rule.service] = rule.points
    return rules


@transactional
def set_rule(*, session: Session, site_id: int, service: str, points: int) -> None:
    """Set the points a service earns at a site."""
    if service not in DEFAULT_POINTS:
        raise InvalidTransition(f"未知的服务类型 {service}")
    if not 0 <= points <= 1000:
        raise InvalidTransition("积分应在 0 到 1000 之间")
    rule = session.scalar(select(PointsRule).where(PointsRule.site_id == site_id, PointsRule.service == service))
    if rule is None:
        session.add(PointsRule(site_id=site_id, service=service, points=points))
    else:
        rule.points = points


@transactional
def award(*, session: Session, user_id: int, site_id: int, service: str, ref_id: int, now: datetime,
          note: str = "") -> PointsEntry | None:
    """Credit ``service`` number ``ref_id`` to a user once; None when it was credited before or earns nothing."""
    def credited() -> PointsEntry | None:
        return session.scalar(select(PointsEntry).where(PointsEntry.user_id == user_id, PointsEntry.service == service,
                                                        PointsEntry.ref_id == ref_id))

    if credited() is not None:
        return None
    points = points_for(session, site_id=site_id, service=service)
    if points <= 0:
        return None
    entry = PointsEntry(user_id=user_id, site_id=site_id, points=points, service=service, ref_id=ref_id,
                        note=note[:200], created_at=now)
    entry, created = insert_once(session, entry, credited)
    return entry if created else None  # not created: a concurrent award of the same service won


@transactional
def award_resolved_alerts(*, session: Session, site_id: int | None, now: datetime) -> int:
    """Credit every resolved alert to the volunteer who accepted it (once); returns how many were new."""
    credited = select(PointsEntry.ref_id).where(PointsEntry.service.in_(("help", "emergency")))
    query = select(Alert).where(Alert.state == "resolved", Alert.accepted_by_id.is_not(None),
                                Alert.id.not_in(credited.scalar_subquery()))
    if site_id is not None:
        query = query.where(Alert.site_id == site_id)
    count = 0
    for alert in session.scalars(query.order_by(Alert.id).limit(500)):
        service = "emergency" if alert.emergency else "help"
        assert alert.accepted_by_id is not None
        if award(session=session, user_id=alert.accepted_by_id, site_id=alert.site_id, service=service,
                 ref_id=alert.id, now=alert.resolved_at or now, note=f"报警 #{alert.id} {alert.place}"):
            count += 1
    return count


def balance(session: Session, *, user_id: int) -> int:
    """A user's current points."""
    return int(session.scalar(select(func.coalesce(func.sum(PointsEntry.points), 0))
                              .where(PointsEntry.user_id == user_id)) or 0)


def ledger_query(*, user_id: int) -> Select[tuple[PointsEntry]]:
    """A user's ledger lines, newest first (on ``ix_points_user_time``), for a page or the latest few."""
    return (select(PointsEntry).where(PointsEntry.user_id == user_id)
            .order_by(PointsEntry.created_at.desc(), PointsEntry.id.desc()))


def ledger(session: Session, *, user_id: int, limit: int = 50) -> list[PointsEntry]:
    """A user's latest ledger lines, newest first."""
    return list(session.scalars(ledger_query(user_id=user_id).limit(limit)))


def leaderboard(session: Session, *, site_id: int | None, since: datetime | None = None,
                limit: int = 20) -> list[LeaderRow]:
    """Volunteers by points earned (redemptions do not lower a rank), best first."""
    earned = func.sum(PointsEntry.points)
    query = (select(User.id, User.display_name, earned, func.count(PointsEntry.id))
             .join(PointsEntry, PointsEntry.user_id == User.id)
             .where(PointsEntry.points > 0)
             .group_by(User.id, User.display_name)
             .order_by(earned.desc(), User.display_name)
             .limit(limit))
    if site_id is not None:
        query = query.where(PointsEntry.site_id == site_id)
    if since is not None:
        query = query.where(PointsEntry.created_at >= since)
    return [LeaderRow(uid, name, int(points), int(count)) for uid, name, points, count in session.execute(query)]


def list_rewards(session: Session, *, site_id: int, include_inactive: bool = False) -> list[Reward]:
    """The rewards a site offers, cheapest first."""
    query = select(Reward).where(Reward.site_id == site_id)
    if not include_inactive:
        query = query.where(Reward.active.is_(True))
    return list(session.scalars(query.order_by(Reward.points, Reward.id)))


@transactional
def add_reward(*, session: Session, site_id: int, name: str, points: int) -> Reward:
    """A reward a site's admins offer for points."""
    if not name.strip():
        raise InvalidTransition("请填写兑换项目名称")
    reward = Reward(site_id=site_id, name=name.strip(), points=points, active=True)
    session.add(reward)
    return reward


@transactional
def toggle_reward(*, session: Session, reward_id: int, site_id: int | None) -> Reward:
    """Withdraw a reward of the site, or offer it again."""
    reward = session.get(Reward, reward_id)
    if reward is None or reward.site_id != site_id:
        raise InvalidTransition("找不到这个兑换项目")
    reward.active = not reward.active
    return reward


@transactional
def redeem(*, session: Session, user: User, reward_id: int, now: datetime) -> PointsEntry:
    """Spend a user's points on a reward; refused when the balance is too low."""
    reward = session.get(Reward, reward_id)
    if reward is None or not reward.active or reward.site_id != user.site_id:
        raise NotFound("找不到这个兑换项目")
    # Lock the user's row so two redemptions at once cannot both spend the same points.
    session.scalar(select(User.id).where(User.id == user.id).with_for_update())
    have = balance(session, user_id=user.id)
    if have < reward.points:
        raise InvalidTransition(f"积分不足：需要 {reward.points} 分，现有 {have} 分")
    entry = PointsEntry(user_id=user.id, site_id=reward.site_id, points=-reward.points, service="redeem",
                        ref_id=None, note=f"兑换：{reward.name}", created_at=now, created_by_id=user.id)
    session.add(entry)
    session.flush()
    return entry


def seed_demo_rewards(*, session: Session, site_id: int) -> int:
    """Put the demo rewards into a site (idempotent); returns how many were added."""
    have = set(session.scalars(select(Reward.name).where(Reward.site_id == site_id)))
    added = 0
    for name, points in DEMO_REWARDS:
        if name not in have:
            session.add(Reward(site_id=site_id, name=name, points=points, active=True))
            added += 1
    session.flush()
    return added
