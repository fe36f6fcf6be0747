""""我的请求": what a resident asked for at this kiosk and where each request is (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from kiosk.state.when import clock_words, day_words, parse_time

KIND_LABELS = {"help": "呼叫帮助", "order": "买菜代购", "signup": "活动报名"}
HELP_STATES = {"pending": "正在发送", "open": "正在通知志愿者", "accepted": "志愿者已接单", "resolved": "已处理",
               "cancelled": "已取消"}
ORDER_STATES = {"pending": "正在发送", "submitted": "已下单，等志愿者认领", "claimed": "志愿者已认领，正在采购",
                "bought": "已买好，正在送来", "delivered": "已送到", "received": "已收到", "cancelled": "已取消"}
SIGNUP_STATES = {"pending": "正在报名", "confirmed": "已报名", "waitlisted": "候补", "cancelled": "已取消",
                 "rejected": "没有报上"}


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request made at this kiosk by an identified resident (kept in a local file)."""

    kind: str
    """``help``, ``order`` or ``signup``."""
    event_id: str
    resident_id: int
    created_at: str
    """ISO time the request was made."""
    summary: str
    """``两斤西红柿，一袋大米`` / ``社区义诊`` / empty for a help call."""
    activity_id: int | None = None
    target_id: int | None = None
    """The order or alert id once the portal has it (what a rating refers to)."""
    state: str = "pending"
    """Last known state on the portal."""
    detail: str = ""
    """E.g. the volunteer's name, or the waitlist position."""
    rated: bool = False
    via_phone: bool = False
    """Recorded by the duty worker for a call or a visit to the desk (电话代录), not made at this kiosk."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RequestRecord:
        """From the local file."""
        fields = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in fields})

    @classmethod
    def recorded_by_desk(cls, row: Mapping[str, Any], resident_id: int) -> RequestRecord:
        """A request the desk recorded for the resident (电话代录, ``RecordedRequest`` JSON) as a card."""
        created = row.get("created_at")
        detail = row.get("detail") if row.get("kind") == "help" else row.get("state_label")
        return cls(kind=str(row.get("kind") or "help"), event_id=str(row.get("event_id") or ""),
                   resident_id=resident_id,
                   created_at=created.isoformat() if isinstance(created, datetime) else str(created or ""),
                   summary=str(row.get("summary") or ""), activity_id=row.get("activity_id"),
                   target_id=row.get("target_id"), state=str(row.get("state") or "pending"),
                   detail=str(detail or ""), via_phone=True)

    def to_json(self) -> dict[str, Any]:
        """For the local file."""
        return asdict(self)

    def with_state(self, state: str, *, detail: str = "", target_id: int | None = None) -> RequestRecord:
        """The same record with a newer state from the portal."""
        return replace(self, state=state, detail=detail or self.detail,
                       target_id=target_id if target_id is not None else self.target_id)

    @property
    def rateable(self) -> bool:
        """A finished help call or a delivered order not yet rated."""
        if self.rated or self.target_id is None:
            return False
        return (self.kind == "help" and self.state == "resolved") or (
            self.kind == "order" and self.state in ("delivered", "received"))

    @property
    def state_text(self) -> str:
        """``志愿者已接单：李志愿`` / ``已买好，配送中`` / ``候补第 2 位``."""
        if self.kind == "help":
            text = HELP_STATES.get(self.state, self.state)
            return f"{text}：{self.detail}" if self.state == "accepted" and self.detail else text
        if self.kind == "signup":
            text = SIGNUP_STATES.get(self.state, self.state)
            return f"{text}第 {self.detail} 位" if self.state == "waitlisted" and self.detail else text
        return ORDER_STATES.get(self.state, self.state)


def row_lines(record: RequestRecord, now: datetime) -> tuple[str, str, str]:
    """A 我的请求 card: what (and when asked), the summary, the state (plus 可以评价)."""
    asked = parse_time(record.created_at)
    when = f"{day_words(asked, now)}{clock_words(asked.astimezone(now.tzinfo) if now.tzinfo else asked)}"
    label = KIND_LABELS.get(record.kind, record.kind)
    label += "（电话代录）" if record.via_phone else ""
    title = f"{label} · {when}" if record.kind != "signup" else label
    state = record.state_text + ("，可以评价" if record.rateable else "")
    return title, record.summary or "请志愿者来帮忙", state


def row_speech(record: RequestRecord, now: datetime) -> str:
    """A card read aloud."""
    return "，".join(row_lines(record, now)) + "。"
