"""Residents' voice (反映问题) and time-bank points at the kiosk: the values the core keeps and their texts.

Parsed from the portal's answers (``FeedbackReply``, ``ResidentPoints``); no I/O here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

KIND_LABELS = {"problem": "问题", "suggestion": "建议"}
CATEGORY_LABELS = {"facilities": "设施维修", "environment": "环境卫生", "safety": "安全隐患", "service": "服务和活动",
                   "neighbours": "邻里关系", "other": "其他"}
# At most four big buttons a screen: the kiosk offers the four most asked-about categories per kind.
KIOSK_CATEGORIES = {"problem": ("facilities", "environment", "safety", "other"),
                    "suggestion": ("service", "facilities", "environment", "other")}


@dataclass(frozen=True, slots=True)
class Report:
    """A problem or suggestion being made at the kiosk."""

    kind: str
    category: str = ""
    text: str = ""
    """What the person said (voice), empty for touch: the grid worker comes to ask."""

    @property
    def label(self) -> str:
        """设施维修方面的问题."""
        what = KIND_LABELS.get(self.kind, "问题")
        return f"{CATEGORY_LABELS.get(self.category, '其他')}方面的{what}" if self.category else what


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply to the person's report, not heard yet."""

    feedback_id: int
    kind: str
    category_label: str
    reply: str
    reported_at: datetime

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Reply:
        """From ``GET /api/v1/feedback/replies`` (``FeedbackReply``)."""
        return cls(feedback_id=int(row["id"]), kind=str(row.get("kind") or "problem"),
                   category_label=str(row.get("category_label") or "其他"), reply=str(row.get("reply") or ""),
                   reported_at=datetime.fromisoformat(str(row["reported_at"])))

    def heading(self, zone: ZoneInfo) -> str:
        """您在12月5日反映的设施维修问题."""
        day = self.reported_at.astimezone(zone)
        return f"您在{day.month}月{day.day}日反映的{self.category_label}{KIND_LABELS.get(self.kind, '问题')}"


Replies = tuple[Reply, ...]


def parse_replies(rows: Iterable[Any]) -> Replies:
    """The replies of an answer, skipping rows that do not parse."""
    replies = []
    for row in rows:
        try:
            replies.append(Reply.from_json(row))
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(replies)


@dataclass(frozen=True, slots=True)
class RewardOffer:
    """A reward on offer at the site."""

    id: int
    name: str
    points: int


@dataclass(frozen=True, slots=True)
class Points:
    """A resident's time-bank points as the portal last said them."""

    balance: int
    rewards: tuple[RewardOffer, ...] = ()
    waiting: tuple[str, ...] = ()
    """Rewards redeemed and not handed over yet."""

    @classmethod
    def from_json(cls, answer: Mapping[str, Any]) -> Points:
        """From ``GET /api/v1/timebank/residents/{id}`` (``ResidentPoints``)."""
        rewards = tuple(RewardOffer(int(r["id"]), str(r["name"]), int(r["points"]))
                        for r in answer.get("rewards") or () if isinstance(r, Mapping))
        return cls(balance=int(answer.get("balance") or 0), rewards=rewards,
                   waiting=tuple(str(name) for name in answer.get("waiting") or ()))

    def reward(self, reward_id: int) -> RewardOffer | None:
        """A reward by id."""
        return next((r for r in self.rewards if r.id == reward_id), None)

    def spent(self, reward: RewardOffer) -> Points:
        """The points after redeeming ``reward`` here (until the portal says otherwise)."""
        return Points(self.balance - reward.points, self.rewards, (*self.waiting, reward.name))


def reward_lines(reward: RewardOffer, balance: int) -> tuple[str, ...]:
    """A reward card: its name, the points, and whether the person has enough."""
    enough = "可以兑换" if balance >= reward.points else f"还差 {reward.points - balance} 分"
    return reward.name, f"{reward.points} 分 · {enough}"
