"""Activity reminders as timer rows: one the day before and one an hour before, per confirmed sign-up.

The rows are the durable state; the ticker's :mod:`.reminder_delivery` asks :func:`due_reminders`
what is due at ``now``, tells the volunteers' bots and calls :func:`mark_sent` in the same
transaction. (The kiosk reminds a resident of their sign-ups when it greets them.)
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from caregiver_portal.activities.models import REMINDER_OUTCOMES, Activity, ActivityReminder, ActivitySignup
from caregiver_portal.core.clock import CHINA_TIME
from caregiver_portal.core.db import rows_changed
from caregiver_portal.residents.models import Resident

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
    grid_id: int | None = None
    """The resident's grid (a grid's bot hears about its own residents)."""


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
    """After an activity moved: schedule its reminders anew for confirmed sign-ups.

    Unsent reminders are dropped; so is a reminder already sent for the old time when the new
    time brings its kind back into the future (moved from tomorrow to next week: the volunteers
    hear about it again the day before the new date).
    """
    future_kinds = [kind for kind, offset in REMINDER_OFFSETS.items() if activity.starts_at - offset > now]
    stale = session.scalars(select(ActivityReminder).where(
        ActivityReminder.activity_id == activity.id,
        or_(ActivityReminder.sent_at.is_(None), ActivityReminder.kind.in_(future_kinds))))
    for reminder in stale:
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


def due_conditions(now: datetime) -> list[ColumnElement[bool]]:
    """A reminder due at ``now`` (over ``ActivityReminder`` joined with its ``Activity``): its time
    has come, it is neither handled nor cancelled, and its activity is neither cancelled nor started."""
    return [ActivityReminder.due_at <= now, ActivityReminder.sent_at.is_(None), ActivityReminder.cancelled_at.is_(None),
            Activity.cancelled_at.is_(None), Activity.starts_at > now]


def due_reminders(session: Session, now: datetime, *, limit: int | None = 200,
                  activity_ids: Collection[int] | None = None) -> list[DueReminder]:
    """Reminders due at ``now``: not sent, not cancelled, and their activity not started or cancelled.

    Reads only; the caller delivers each one and calls :func:`mark_sent`. ``activity_ids``
    narrows it to some activities (those the caller has locked); ``limit=None`` returns all.
    """
    query = (select(ActivityReminder, Activity, Resident)
             .join(Activity, ActivityReminder.activity_id == Activity.id)
             .join(Resident, ActivityReminder.resident_id == Resident.id)
             .where(*due_conditions(now))
             .order_by(ActivityReminder.due_at, ActivityReminder.id).limit(limit))
    if activity_ids is not None:
        query = query.where(ActivityReminder.activity_id.in_(list(activity_ids)))
    return [DueReminder(reminder_id=r.id, kind=r.kind, due_at=r.due_at, activity_id=a.id, activity_title=a.title,
                        place=a.place, starts_at=a.starts_at, resident_id=p.id, resident_name=p.name, site_id=a.site_id,
                        text=reminder_text(r.kind, title=a.title, place=a.place, starts_at=a.starts_at),
                        grid_id=p.grid_id)
            for r, a, p in session.execute(query)]


def mark_sent(session: Session, reminder_id: int, now: datetime, *, outcome: str = "sent") -> bool:
    """Record that a reminder was handled (``outcome``: see ``REMINDER_OUTCOMES``); False when it
    was handled (or cancelled) already."""
    if outcome not in REMINDER_OUTCOMES:
        raise ValueError(f"outcome must be one of {REMINDER_OUTCOMES}")
    return bool(rows_changed(session, update(ActivityReminder)
                             .where(ActivityReminder.id == reminder_id, ActivityReminder.sent_at.is_(None),
                                    ActivityReminder.cancelled_at.is_(None))
                             .values(sent_at=now, outcome=outcome).execution_options(synchronize_session=False)))
