"""Activity reminders as timer rows: one the day before and one an hour before, per confirmed sign-up.

The rows are the durable state; a ticker asks :func:`due_reminders` what is due at ``now``,
delivers each one (kiosk, phone, notification channel) and calls :func:`mark_sent`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from caregiver_portal.community import CHINA_TIME
from caregiver_portal.community.models import Activity, ActivityReminder, ActivitySignup
from caregiver_portal.models import Resident

REMINDER_OFFSETS = {"day_before": timedelta(days=1), "hour_before": timedelta(hours=1)}


@dataclass(frozen=True)
class DueReminder:
    """A reminder to deliver now."""

    reminder_id: int
    kind: str
    """``day_before`` or ``hour_before``."""
    due_at: datetime
    activity_id: int
    activity_title: str
    place: str
    starts_at: datetime
    resident_id: int
    resident_name: str
    site_id: int
    text: str
    """What to say or show to the resident (Chinese)."""


def schedule(*, session: Session, signup: ActivitySignup, activity: Activity, now: datetime) -> None:
    """Create the reminder rows of a confirmed sign-up; reminders already past are not created."""
    have = set(session.scalars(select(ActivityReminder.kind).where(ActivityReminder.signup_id == signup.id)))
    for kind, offset in REMINDER_OFFSETS.items():
        due_at = activity.starts_at - offset
        if kind in have or due_at <= now:
            continue
        session.add(ActivityReminder(signup_id=signup.id, activity_id=activity.id, resident_id=signup.resident_id,
                                     kind=kind, due_at=due_at))
    session.flush()


def cancel_for_signup(*, session: Session, signup_id: int, now: datetime) -> None:
    """Cancel a sign-up's unsent reminders."""
    session.execute(update(ActivityReminder)
                    .where(ActivityReminder.signup_id == signup_id, ActivityReminder.sent_at.is_(None),
                           ActivityReminder.cancelled_at.is_(None))
                    .values(cancelled_at=now).execution_options(synchronize_session=False))


def cancel_for_activity(*, session: Session, activity_id: int, now: datetime) -> None:
    """Cancel every unsent reminder of an activity."""
    session.execute(update(ActivityReminder)
                    .where(ActivityReminder.activity_id == activity_id, ActivityReminder.sent_at.is_(None),
                           ActivityReminder.cancelled_at.is_(None))
                    .values(cancelled_at=now).execution_options(synchronize_session=False))


def reschedule(*, session: Session, activity: Activity, now: datetime) -> None:
    """After an activity moved: drop its unsent reminders and schedule them anew for confirmed sign-ups."""
    pending = session.scalars(select(ActivityReminder).where(ActivityReminder.activity_id == activity.id,
                                                             ActivityReminder.sent_at.is_(None)))
    for reminder in pending:
        session.delete(reminder)
    session.flush()
    confirmed = session.scalars(select(ActivitySignup).where(ActivitySignup.activity_id == activity.id,
                                                             ActivitySignup.state == "confirmed"))
    for signup in confirmed:
        schedule(session=session, signup=signup, activity=activity, now=now)


def reminder_text(kind: str, *, title: str, place: str, starts_at: datetime) -> str:
    """The reminder as a resident hears it, e.g. "明天 09:00 在社区活动室有义诊，别忘了参加。"."""
    local = starts_at.astimezone(CHINA_TIME)
    when = f"{local:%H:%M}"
    if kind == "day_before":
        return f"提醒您：明天 {when} 在{place}有{title}，别忘了参加。"
    return f"提醒您：{when} 在{place}有{title}，一小时后开始，请准备出发。"


def due_reminders(session: Session, now: datetime, *, limit: int = 200) -> list[DueReminder]:
    """Reminders due at ``now``: not sent, not cancelled, and their activity not started or cancelled.

    Reads only; the caller delivers each one and calls :func:`mark_sent`.
    """
    rows = session.execute(
        select(ActivityReminder, Activity, Resident)
        .join(Activity, ActivityReminder.activity_id == Activity.id)
        .join(Resident, ActivityReminder.resident_id == Resident.id)
        .where(ActivityReminder.due_at <= now, ActivityReminder.sent_at.is_(None),
               ActivityReminder.cancelled_at.is_(None), Activity.cancelled_at.is_(None), Activity.starts_at > now)
        .order_by(ActivityReminder.due_at, ActivityReminder.id).limit(limit))
    return [DueReminder(reminder_id=r.id, kind=r.kind, due_at=r.due_at, activity_id=a.id, activity_title=a.title,
                        place=a.place, starts_at=a.starts_at, resident_id=p.id, resident_name=p.name, site_id=a.site_id,
                        text=reminder_text(r.kind, title=a.title, place=a.place, starts_at=a.starts_at))
            for r, a, p in rows]


def mark_sent(session: Session, reminder_id: int, now: datetime) -> bool:
    """Record that a reminder went out; False when it was sent (or cancelled) already."""
    result = session.execute(update(ActivityReminder)
                             .where(ActivityReminder.id == reminder_id, ActivityReminder.sent_at.is_(None),
                                    ActivityReminder.cancelled_at.is_(None))
                             .values(sent_at=now).execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]
