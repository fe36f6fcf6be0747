"""Activity reminders to the volunteers' chat bots: the ticker turns due timer rows into outbox rows.

**To whom.** One message per activity and kind (the day before, an hour before) goes to every
enabled bot of the activity's site whose ``audience`` names volunteers or grid workers: a
whole-site bot hears about everyone signed up, a grid's bot only when residents of its grid
are among them. Family bots (empty audience) never get one. The rows go through the same
transactional outbox and sender as alerts (:func:`caregiver_portal.notifications.outbox.enqueue`).

**Exactly once.** Each batch is one transaction that locks the activities with due reminders
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so portal processes ticking at once take
disjoint activities; on SQLite ``BEGIN IMMEDIATE`` lets one writer in at a time), marks every
reminder handled (:func:`.reminders.mark_sent`, guarded by ``sent_at IS NULL``) and enqueues the
messages. A crash before commit leaves everything due; after commit nothing is due any more.
(From the outbox to the vendor the sender is at least once, see ``notifications/sender.py``.)

**Overdue rule** (the portal was down): a day-before reminder is skipped once the hour-before
time has come — the hour-before message says it better; an hour-before reminder is skipped when
fewer than 15 minutes are left. Skipped reminders are marked ``overdue`` so they do not pile up.
A late reminder that still goes out tells the real time ("今天 09:00", "40 分钟后开始").
A site without a suitable bot gets its reminders marked ``no_channel`` (shown on the activity page).

**PIPL.** A message carries the activity, its time and place and how many are signed up; the
residents' names only when the site turns on ``bot_personal_details`` (the rule alerts follow).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, sessionmaker

from caregiver_portal.accounts.models import Site
from caregiver_portal.activities import reminders
from caregiver_portal.activities.models import REMINDER_KINDS, Activity, ActivityReminder
from caregiver_portal.core.clock import CHINA_TIME
from caregiver_portal.core.db import transaction
from caregiver_portal.notifications.models import Notification, NotificationChannel
from caregiver_portal.notifications.outbox import enqueue

log = logging.getLogger(__name__)
EVENT = "activity_reminder"
STAFF_AUDIENCE = frozenset({"volunteer", "caregiver"})
LAST_CALL = timedelta(minutes=15)
"""An hour-before reminder later than this before the start is not sent."""
MAX_NAMES = 10
KIND_LABELS = {"day_before": "前一天提醒", "hour_before": "一小时前提醒"}
OVERDUE_TEXTS = {"day_before": "未发送：错过了时间，改由一小时前提醒",
                 "hour_before": "未发送：错过了时间（离开始不到 15 分钟）"}


def is_overdue(kind: str, *, starts_at: datetime, now: datetime) -> bool:
    """True when a reminder of ``kind`` for an activity at ``starts_at`` is too late to send at ``now``."""
    if kind == "day_before":
        return now >= starts_at - reminders.REMINDER_OFFSETS["hour_before"]
    return starts_at - now < LAST_CALL


def local_day_and_time(at: datetime, now: datetime) -> str:
    """"今天 09:00", "明天 09:00" or "11月27日 09:00", in China time."""
    local, today = at.astimezone(CHINA_TIME), now.astimezone(CHINA_TIME).date()
    days = (local.date() - today).days
    day = {0: "今天", 1: "明天"}.get(days, f"{local.month}月{local.day}日")
    return f"{day} {local:%H:%M}"


def notice_text(kind: str, *, title: str, place: str, starts_at: datetime, now: datetime, signed_up: int,
                in_grid: int | None = None, names: Sequence[str] = ()) -> str:
    """The bot message of one activity's reminder, e.g.
    "活动提醒：明天 09:00「社区义诊」（社区服务中心一楼），已报名 12 人，请提前提醒长者。"."""
    who = f"已报名 {signed_up} 人"
    if in_grid is not None:
        who += f"，其中本网格 {in_grid} 人"
    if names:
        who += "（" + "、".join(names[:MAX_NAMES]) + ("等" if len(names) > MAX_NAMES else "") + "）"
    head = f"活动提醒：{local_day_and_time(starts_at, now)}「{title}」（{place}）"
    if kind == "day_before":
        return f"{head}，{who}，请提前提醒长者。"
    minutes = math.ceil((starts_at - now).total_seconds() / 60)
    lead = "一小时后" if minutes >= 55 else f"{minutes} 分钟后"
    return f"{head}{lead}开始，{who}，请提醒长者准时出发。"


def due_query(now: datetime) -> Select[Any]:
    """A cheap read: any reminder due at ``now``? (The ticker asks before opening a write transaction.)"""
    return (select(ActivityReminder.id).join(Activity, ActivityReminder.activity_id == Activity.id)
            .where(*reminders.due_conditions(now)))


def deliver_due_reminders(*, factory: sessionmaker[Session], now: datetime, batch_size: int = 50) -> int:
    """Queue one bot message per activity and kind due at ``now``; returns how many reminders were handled.

    One transaction per batch of ``batch_size`` activities; an activity that fails is logged,
    rolled back alone and tried again on the next run.
    """
    handled, seen = 0, set[int]()
    while True:
        with transaction(factory) as session:
            claimed = _claim_activities(session, now, limit=batch_size, skip=seen)
            handled += _handle_batch(session, claimed, now)
        seen.update(claimed)
        if len(claimed) < batch_size:
            return handled


def _claim_activities(session: Session, now: datetime, *, limit: int, skip: Collection[int]) -> list[int]:
    """Lock up to ``limit`` activities with due reminders, soonest first (skipping those another process holds)."""
    has_due = exists().where(ActivityReminder.activity_id == Activity.id, *reminders.due_conditions(now))
    query = (select(Activity.id).where(has_due).order_by(Activity.starts_at, Activity.id).limit(limit)
             .with_for_update(skip_locked=True, of=Activity))
    if skip:
        query = query.where(Activity.id.not_in(list(skip)))
    return list(session.scalars(query))


def _handle_batch(session: Session, activity_ids: list[int], now: datetime) -> int:
    if not activity_ids:
        return 0
    due = reminders.due_reminders(session, now, limit=None, activity_ids=activity_ids)
    handled = 0
    for activity_id in activity_ids:
        items = [item for item in due if item.activity_id == activity_id]
        try:
            with session.begin_nested():
                handled += _handle_activity(session, items, now)
        except Exception:
            log.exception("reminders of activity %s failed; trying again on the next run", activity_id)
    return handled


def _handle_activity(session: Session, items: list[reminders.DueReminder], now: datetime) -> int:
    if not items:
        return 0
    site = session.get(Site, items[0].site_id)
    channels = list(session.scalars(
        select(NotificationChannel).where(NotificationChannel.site_id == items[0].site_id,
                                          NotificationChannel.enabled.is_(True)).order_by(NotificationChannel.id)))
    channels = [channel for channel in channels if STAFF_AUDIENCE & set(channel.audience or [])]
    personal = bool(site and site.bot_personal_details)
    handled = 0
    for kind in REMINDER_KINDS:
        group = [item for item in items if item.kind == kind]
        if group:
            handled += _handle_group(session, group, channels, personal=personal, now=now)
    return handled


def _members(channel: NotificationChannel, group: list[reminders.DueReminder]) -> list[reminders.DueReminder]:
    """The reminded residents a bot hears about: all for a whole-site bot, its grid's for a grid bot."""
    return group if channel.grid_id is None else [item for item in group if item.grid_id == channel.grid_id]


def _handle_group(session: Session, group: list[reminders.DueReminder], channels: list[NotificationChannel], *,
                  personal: bool, now: datetime) -> int:
    """Mark one activity's reminders of one kind and queue their message for each bot that carries it."""
    first = group[0]
    routes = [channel for channel in channels if _members(channel, group)]
    if is_overdue(first.kind, starts_at=first.starts_at, now=now):
        outcome = "overdue"
    else:
        outcome = "sent" if routes else "no_channel"
    marked = [item for item in group if reminders.mark_sent(session, item.reminder_id, now, outcome=outcome)]
    if outcome == "no_channel" and marked:
        log.info("activity %s: %s reminder not sent, site %s has no volunteers' bot", first.activity_id,
                 first.kind, first.site_id)
    if outcome != "sent":
        return len(marked)
    for channel in routes:
        members = _members(channel, marked)
        if not members:
            continue
        text = notice_text(first.kind, title=first.activity_title, place=first.place, starts_at=first.starts_at,
                           now=now, signed_up=len(marked), in_grid=None if channel.grid_id is None else len(members),
                           names=[item.resident_name for item in members] if personal else ())
        payload = {"text": text, "title": f"活动提醒 · {first.activity_title}",
                   "path": f"/activities/{first.activity_id}", "activity_id": first.activity_id, "kind": first.kind,
                   "starts_at": first.starts_at.isoformat(), "signed_up": len(marked)}
        enqueue(session, alert=None, channel_id=channel.id, event=EVENT, payload=payload, now=now)
    return len(marked)


def withdraw_notices(session: Session, *, activity_id: int, reason: str) -> int:
    """Skip the activity's reminder messages still waiting in the outbox (it was cancelled or moved).

    Pending notices are few, so they are filtered here rather than by a JSON query (portable).
    """
    pending = session.scalars(select(Notification).where(Notification.alert_id.is_(None), Notification.event == EVENT,
                                                         Notification.state == "pending"))
    withdrawn = 0
    for row in pending:
        if (row.payload or {}).get("activity_id") == activity_id:
            row.state, row.last_error = "skipped", reason
            withdrawn += 1
    return withdrawn


@dataclass(frozen=True)
class ReminderRow:
    """What the activity page needs of one reminder row."""

    due_at: datetime
    sent_at: datetime | None
    outcome: str
    cancelled: bool


@dataclass(frozen=True)
class ReminderState:
    """How one kind of reminder of an activity stands, for the activity page."""

    kind: str
    label: str
    """"前一天提醒" or "一小时前提醒"."""
    state: str
    """sent, no_channel, overdue, cancelled, missed, waiting, due or none."""
    text: str


def _when(at: datetime) -> str:
    local = at.astimezone(CHINA_TIME)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def describe(kind: str, rows: Sequence[ReminderRow], *, starts_at: datetime, cancelled: bool,
             now: datetime) -> ReminderState:
    """The state of one kind of reminder of an activity, from its rows (one per confirmed sign-up)."""
    live = [row for row in rows if not row.cancelled]
    sent = [row.sent_at for row in live if row.outcome == "sent" and row.sent_at is not None]
    pending = [row.due_at for row in live if row.sent_at is None]
    if sent:
        state, text = "sent", f"已发送 {_when(min(sent))}"
    elif any(row.outcome == "no_channel" for row in live):
        state, text = "no_channel", "未发送：没有配置通知渠道"
    elif any(row.outcome == "overdue" for row in live):
        state, text = "overdue", OVERDUE_TEXTS[kind]
    elif cancelled:
        state, text = "cancelled", "活动已取消，不再提醒"
    elif pending and starts_at <= now:
        state, text = "missed", "未发送：错过了时间"
    elif pending and min(pending) > now:
        state, text = "waiting", f"未到时间（{_when(min(pending))}）"
    elif pending:
        state, text = "due", "即将发送"
    else:
        state, text = "none", "没有要提醒的报名"
    return ReminderState(kind=kind, label=KIND_LABELS[kind], state=state, text=text)


def reminder_states(session: Session, activity: Activity, now: datetime) -> list[ReminderState]:
    """Per kind, whether the volunteers were reminded of ``activity`` and when."""
    rows = session.execute(select(ActivityReminder.kind, ActivityReminder.due_at, ActivityReminder.sent_at,
                                  ActivityReminder.outcome, ActivityReminder.cancelled_at)
                           .where(ActivityReminder.activity_id == activity.id)).all()
    return [describe(kind, [ReminderRow(due_at, sent_at, outcome, cancelled_at is not None)
                            for row_kind, due_at, sent_at, outcome, cancelled_at in rows if row_kind == kind],
                     starts_at=activity.starts_at, cancelled=activity.cancelled_at is not None, now=now)
            for kind in REMINDER_KINDS]
