"""Activities and sign-ups as the kiosk shows and says them (pure; ``now`` passed in)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kiosk.state.when import number_words, parse_time, spoken_when, when_and_place

REMIND_WITHIN = timedelta(hours=48)
"""Sign-ups starting within this window are reminded aloud when the person is greeted."""


@dataclass(frozen=True, slots=True)
class Activity:
    """An upcoming activity (from ``GET /api/v1/activities``)."""

    id: int
    title: str
    place: str
    starts_at: datetime
    description: str = ""
    capacity: int = 0
    spots_left: int = 0
    waitlisted: int = 0
    cancelled: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Activity:
        """Build from the portal's JSON."""
        return cls(id=int(data["id"]), title=str(data["title"]), place=str(data.get("place") or ""),
                   starts_at=parse_time(data["starts_at"]), description=str(data.get("description") or ""),
                   capacity=int(data.get("capacity") or 0), spots_left=int(data.get("spots_left") or 0),
                   waitlisted=int(data.get("waitlisted") or 0), cancelled=bool(data.get("cancelled")))

    def for_dialog(self) -> dict[str, Any]:
        """What the voice dialog and parser need: ``id``, ``title``, ``starts_at`` (ISO)."""
        return {"id": self.id, "title": self.title, "starts_at": self.starts_at.isoformat()}

    @property
    def spots_text(self) -> str:
        """``还有 5 个名额`` / ``名额已满，可以候补`` / ``活动已取消``."""
        if self.cancelled:
            return "活动已取消"
        if self.spots_left > 0:
            return f"还有 {self.spots_left} 个名额"
        return "名额已满，可以候补"


@dataclass(frozen=True, slots=True)
class Signup:
    """A resident's sign-up (from ``GET /api/v1/residents/{id}/activities`` or a sign-up answer)."""

    activity_id: int
    title: str
    place: str
    starts_at: datetime
    state: str
    waitlist_position: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Signup:
        """Build from the portal's JSON."""
        return cls(activity_id=int(data["activity_id"]), title=str(data.get("activity_title") or ""),
                   place=str(data.get("place") or ""), starts_at=parse_time(data["starts_at"]),
                   state=str(data.get("state") or ""), waitlist_position=data.get("waitlist_position"))

    @property
    def active(self) -> bool:
        """Confirmed or waitlisted."""
        return self.state in ("confirmed", "waitlisted")


def parse_rows(rows: Iterable[Mapping[str, Any]], cls: type[Activity] | type[Signup]) -> list[Any]:
    """Portal rows as activities or sign-ups; unreadable rows are skipped."""
    parsed = []
    for row in rows:
        try:
            parsed.append(cls.from_json(row))
        except (KeyError, TypeError, ValueError):
            continue
    return parsed


def signup_state_text(signup: Signup | None) -> str:
    """``您已报名`` / ``您在候补第 2 位`` / empty when not signed up."""
    if signup is None or not signup.active:
        return ""
    if signup.state == "waitlisted":
        position = signup.waitlist_position
        return f"您在候补第 {position} 位" if position else "您在候补名单上"
    return "您已报名"


def card_lines(activity: Activity, signup: Signup | None, now: datetime) -> tuple[str, str, str]:
    """The three lines of an activity card: title, when and where, places or the person's state."""
    return (activity.title, when_and_place(activity.starts_at, activity.place, now),
            signup_state_text(signup) or activity.spots_text)


def card_speech(activity: Activity, signup: Signup | None, now: datetime) -> str:
    """A card read aloud."""
    title, when, state = card_lines(activity, signup, now)
    return f"{title}，{when}，{state}。"


def signup_card_lines(signup: Signup, now: datetime) -> tuple[str, str, str]:
    """A card of "我的活动"."""
    return signup.title, when_and_place(signup.starts_at, signup.place, now), signup_state_text(signup)


def reminders(signups: Sequence[Signup], now: datetime, within: timedelta = REMIND_WITHIN) -> str:
    """``提醒您：明天上午九点，社区义诊，在社区服务中心一楼大厅。`` for sign-ups starting soon."""
    soon = sorted((s for s in signups if s.state == "confirmed" and now <= s.starts_at <= now + within),
                  key=lambda s: s.starts_at)
    parts = [f"{spoken_when(s.starts_at, now)}，{s.title}，在{s.place}" for s in soon]
    return f"提醒您：{'；'.join(parts)}。" if parts else ""


def signup_result(state: str, answer: Mapping[str, Any] | None, *, cancelling: bool) -> str:
    """What the detail screen says after 报名 / 取消报名: ``state`` is the outbox state, or ``saved``
    (still pending while the portal is out of reach)."""
    if state == "rejected":
        return "没有办成：活动可能已经开始或已取消。请问工作人员。"
    if state != "delivered" or answer is None:
        return "正在办理，请稍等。" if state == "pending" else "已经保存，联网后会自动发出。"
    if cancelling:
        return "已取消报名。"
    if answer.get("state") == "waitlisted":
        position = answer.get("waitlist_position")
        where = f"第{number_words(int(position))}位" if isinstance(position, int) and position < 100 else ""
        return f"名额已满，您在候补{where}。有人取消时会自动补上。"
    return "报名成功！到时候请准时参加。"
