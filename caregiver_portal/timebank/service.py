"""The time bank (时间银行): points earned per completed service, rewards redeemed and handed over, the leaderboard.

Lines are written by :mod:`caregiver_portal.timebank.ledger` under the site's scheme (the cap, expiry);
volunteers hold points for their services, residents for useful suggestions and donations.

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
from caregiver_portal.timebank import rules as scheme_rules
from caregiver_portal.timebank.ledger import Holder, balance_of, credit, debit, earned_by, scheme_for
from caregiver_portal.timebank.models import PointsEntry, PointsRule, Redemption, Reward

# Points per completed service unless a site sets its own (the 积分 examples of many community schemes).
DEFAULT_POINTS = {"help": 10, "emergency": 15, "delivery": 10, "suggestion": 5, "volunteer": 10}
SERVICE_LABELS = {"help": "处理求助", "emergency": "处理紧急呼叫", "delivery": "代购送达", "redeem": "兑换",
                  "suggestion": "建议被采纳", "volunteer": "志愿服务", "paper": "纸质凭证", "donate_out": "捐出",
                  "donate_in": "受赠", "expire": "过期", "import": "转入"}
DEMO_REWARDS = (("一袋大米（5 公斤）", 100), ("一桶食用油", 150), ("免费理发一次", 60), ("家政服务 1 小时", 200))


@dataclass(frozen=True)
class LeaderRow:
    """One line of the leaderboard."""

    user_id: int
    display_name: str
    points: int
    services: int
    badge: str = ""
    """Star level by all hours earned (★★ 二星), empty below the first level."""


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
    """Credit ``service`` number ``ref_id`` to a user once (cut at the cap); None when credited before or worth 0."""
    points = points_for(session, site_id=site_id, service=service)
    if points <= 0:
        return None
    return credit(session=session, holder=Holder("user", user_id), site_id=site_id, points=points, service=service,
                  ref_id=ref_id, now=now, note=note)


@transactional
def award_resident(*, session: Session, resident_id: int, site_id: int, service: str, ref_id: int, now: datetime,
                   note: str = "", by: User | None = None) -> PointsEntry | None:
    """Credit a resident once for ``service`` number ``ref_id`` (a useful suggestion: 5 points by default)."""
    points = points_for(session, site_id=site_id, service=service)
    if points <= 0:
        return None
    return credit(session=session, holder=Holder("resident", resident_id), site_id=site_id, points=points,
                  service=service, ref_id=ref_id, now=now, note=note, created_by_id=by.id if by else None)


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
    return balance_of(session, Holder("user", user_id))


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
    rows = session.execute(query).all()
    badges: dict[int, str] = {}
    for uid, *_ in rows:
        user = session.get(User, uid)
        scheme = scheme_for(session, site_id=user.site_id) if user and user.site_id else scheme_rules.Scheme()
        level = scheme_rules.star_level(earned_points=earned_by(session, Holder("user", uid)), scheme=scheme)
        badges[uid] = scheme_rules.star_badge(level)
    return [LeaderRow(uid, name, int(points), int(count), badges[uid]) for uid, name, points, count in rows]


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
    """Spend a user's points on a reward; refused when the balance is too low. The centre hands it over."""
    reward = session.get(Reward, reward_id)
    if reward is None or not reward.active or reward.site_id != user.site_id:
        raise NotFound("找不到这个兑换项目")
    entry = debit(session=session, holder=Holder("user", user.id), site_id=reward.site_id, points=reward.points,
                  service="redeem", now=now, note=f"兑换：{reward.name}", created_by_id=user.id)
    session.add(Redemption(site_id=reward.site_id, entry_id=entry.id, reward_name=reward.name, points=reward.points,
                           user_id=user.id, created_at=now))
    session.flush()
    return entry


@dataclass(frozen=True)
class RedemptionResult:
    """A resident's redemption and whether its device event was stored before."""

    redemption: Redemption
    duplicate: bool


@transactional
def redeem_for_resident(*, session: Session, site_id: int, resident_id: int, reward_id: int, device_id: int,
                        client_event_id: str, now: datetime) -> RedemptionResult:
    """A resident spends points on a reward at the kiosk, once per (device, event id)."""
    def stored() -> Redemption | None:
        return session.scalar(select(Redemption).where(Redemption.source_device_id == device_id,
                                                       Redemption.client_event_id == client_event_id))

    earlier = stored()
    if earlier is not None:
        return RedemptionResult(earlier, duplicate=True)
    reward = session.get(Reward, reward_id)
    if reward is None or not reward.active or reward.site_id != site_id:
        raise NotFound("找不到这个兑换项目")
    entry = debit(session=session, holder=Holder("resident", resident_id), site_id=site_id, points=reward.points,
                  service="redeem", now=now, note=f"兑换：{reward.name}（自助机）")
    row = Redemption(site_id=site_id, entry_id=entry.id, reward_name=reward.name, points=reward.points,
                     resident_id=resident_id, source_device_id=device_id, client_event_id=client_event_id,
                     created_at=now)
    row, created = insert_once(session, row, stored)
    return RedemptionResult(row, duplicate=not created)


def waiting_redemptions(session: Session, *, site_id: int | None, limit: int = 100) -> list[Redemption]:
    """Rewards redeemed but not handed over yet, oldest first."""
    query = select(Redemption).where(Redemption.given_at.is_(None))
    if site_id is not None:
        query = query.where(Redemption.site_id == site_id)
    return list(session.scalars(query.order_by(Redemption.created_at, Redemption.id).limit(limit)))


@transactional
def hand_over(*, session: Session, redemption_id: int, site_id: int | None, by: User, now: datetime) -> Redemption:
    """Staff hand the reward over and mark it given (once)."""
    row = session.get(Redemption, redemption_id)
    if row is None or (site_id is not None and row.site_id != site_id):
        raise NotFound("找不到这条兑换记录")
    if row.given_at is not None:
        raise InvalidTransition("这份奖品已经发放过了")
    row.given_at, row.given_by_id = now, by.id
    return row


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
