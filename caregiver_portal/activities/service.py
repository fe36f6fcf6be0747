"""Activities (活动): create and edit, sign-ups with a waitlist that moves up by itself, check-in.

A sign-up is ``confirmed`` while there is room and ``waitlisted`` after that. When a confirmed
resident cancels (or the capacity grows), the oldest waitlisted sign-ups are promoted. Every
change to an activity's sign-ups locks the activity row first (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers anyway), so two kiosks cannot both
take the last place. Confirmed sign-ups get reminder rows (see :mod:`.reminders`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from caregiver_portal.accounts.models import Device, Site, User
from caregiver_portal.activities import reminder_delivery, reminders
from caregiver_portal.activities.models import Activity, ActivitySignup
from caregiver_portal.activities.reminder_delivery import local_day_and_time
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.uow import insert_once, transactional
from caregiver_portal.queue import service as queue_service
from caregiver_portal.queue import texts as queue_texts
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.scope import Scope
from caregiver_portal.residents.service import resident_of_site

CATEGORIES = ("义诊", "讲座", "兴趣班", "文体", "志愿服务", "其他")
SIGNUP_LABELS = {"confirmed": "已报名", "waitlisted": "候补", "cancelled": "已取消"}


@dataclass(frozen=True)
class ActivitySpec:
    """What an organiser enters for an activity."""

    title: str
    category: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int


@dataclass(frozen=True)
class SignupResult:
    """Result of a sign-up: the sign-up, and whether it was stored before (re-send or already signed up)."""

    signup: ActivitySignup
    duplicate: bool


def _validate(spec: ActivitySpec) -> None:
    if not spec.title.strip() or len(spec.title) > 100:
        raise InvalidTransition("请填写活动名称（最多 100 个字）")
    if not spec.place.strip():
        raise InvalidTransition("请填写活动地点")
    if spec.ends_at <= spec.starts_at:
        raise InvalidTransition("结束时间要晚于开始时间")
    if not 1 <= spec.capacity <= 10_000:
        raise InvalidTransition("名额应在 1 到 10000 之间")


@transactional
def create_activity(*, session: Session, site_id: int, spec: ActivitySpec, user: User | None,
                    now: datetime) -> Activity:
    """Publish a new activity."""
    _validate(spec)
    activity = Activity(site_id=site_id, title=spec.title.strip(), category=spec.category,
                        description=spec.description.strip(), place=spec.place.strip(), starts_at=spec.starts_at,
                        ends_at=spec.ends_at, capacity=spec.capacity, created_by_id=user.id if user else None,
                        created_at=now)
    session.add(activity)
    session.flush()
    return activity


def get_activity(session: Session, activity_id: int, *, site_id: int | None, lock: bool = False) -> Activity:
    """An activity of ``site_id`` (None: any site), optionally locked for a sign-up change."""
    query = select(Activity).where(Activity.id == activity_id)
    if lock:
        query = query.with_for_update()
    activity = session.scalar(query)
    if activity is None or (site_id is not None and activity.site_id != site_id):
        raise NotFound("找不到这个活动")
    return activity


@transactional
def update_activity(*, session: Session, activity_id: int, site_id: int | None, spec: ActivitySpec,
                    now: datetime) -> Activity:
    """Change an activity; more places promote waitlisted residents, reminders follow a new time."""
    _validate(spec)
    activity = get_activity(session, activity_id, site_id=site_id, lock=True)
    confirmed = count_signups(session, activity.id)["confirmed"]
    if spec.capacity < confirmed:
        raise InvalidTransition(f"已有 {confirmed} 人报名，名额不能少于 {confirmed}")
    moved = spec.starts_at != activity.starts_at
    activity.title, activity.category, activity.description = spec.title.strip(), spec.category, spec.description
    activity.place, activity.starts_at, activity.ends_at = spec.place.strip(), spec.starts_at, spec.ends_at
    activity.capacity = spec.capacity
    session.flush()
    if moved:
        reminders.reschedule(session=session, activity=activity, now=now)
        reminder_delivery.withdraw_notices(session, activity_id=activity.id, reason="activity moved")
    _promote_waitlist(session, activity, now)
    return activity


@transactional
def cancel_activity(*, session: Session, activity_id: int, site_id: int | None, now: datetime) -> Activity:
    """Call an activity off; its pending reminders (and their unsent bot messages) are cancelled."""
    activity = get_activity(session, activity_id, site_id=site_id, lock=True)
    if activity.cancelled_at is None:
        activity.cancelled_at = now
        reminders.cancel_for_activity(session=session, activity_id=activity.id, now=now)
        reminder_delivery.withdraw_notices(session, activity_id=activity.id, reason="activity cancelled")
    return activity


def count_signups(session: Session, activity_id: int) -> dict[str, int]:
    """How many sign-ups of each state an activity has."""
    counts = dict.fromkeys(SIGNUP_LABELS, 0)
    rows = session.execute(select(ActivitySignup.state, func.count()).where(ActivitySignup.activity_id == activity_id)
                           .group_by(ActivitySignup.state))
    for state, count in rows:
        counts[state] = int(count)
    return counts


def active_signup(session: Session, activity_id: int, resident_id: int) -> ActivitySignup | None:
    """The resident's confirmed or waitlisted sign-up for the activity, if any."""
    return session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == activity_id,
                                                       ActivitySignup.resident_id == resident_id,
                                                       ActivitySignup.state != "cancelled"))


@transactional
def sign_up(*, session: Session, activity_id: int, resident_id: int, now: datetime, site_id: int | None,
            device: Device | None = None, client_event_id: str | None = None,
            user: User | None = None) -> SignupResult:
    """Sign a resident up (confirmed if there is room, else waitlisted); safe to repeat."""
    if device is not None and client_event_id is not None:
        stored = session.scalar(select(ActivitySignup).where(ActivitySignup.source_device_id == device.id,
                                                             ActivitySignup.client_event_id == client_event_id))
        if stored is not None:
            return SignupResult(stored, duplicate=True)
    activity = get_activity(session, activity_id, site_id=site_id, lock=True)
    resident = resident_of_site(session, resident_id, activity.site_id)
    if activity.cancelled_at is not None:
        raise InvalidTransition("活动已取消")
    if activity.starts_at <= now:
        raise InvalidTransition("活动已经开始，不能再报名")
    existing = active_signup(session, activity.id, resident.id)
    if existing is not None:
        return SignupResult(existing, duplicate=True)
    room = count_signups(session, activity.id)["confirmed"] < activity.capacity
    signup = ActivitySignup(activity_id=activity.id, resident_id=resident.id,
                            state="confirmed" if room else "waitlisted", created_at=now,
                            source_device_id=device.id if device else None, client_event_id=client_event_id,
                            created_by_id=user.id if user else None)
    signup, created = insert_once(session, signup, lambda: active_signup(session, activity.id, resident.id))
    if not created:
        return SignupResult(signup, duplicate=True)
    if signup.state == "confirmed":
        reminders.schedule(session=session, signup=signup, activity=activity, now=now)
    if device is not None:  # made at the kiosk: nobody on staff knows yet
        announce_signup(session, signup, activity=activity, resident=resident, now=now)
    return SignupResult(signup, duplicate=False)


def announce_signup(session: Session, signup: ActivitySignup, *, activity: Activity, resident: Resident,
                    now: datetime) -> None:
    """A kiosk sign-up reaches someone: the live queue, and the volunteers' bots when the site wants it."""
    queue_service.record(session, site_id=activity.site_id, subject="signup", subject_id=signup.id,
                         type="signed_up", now=now)
    site = session.get(Site, activity.site_id)
    if site is None:
        return
    text = queue_texts.signup_text(title=activity.title, when=local_day_and_time(activity.starts_at, now),
                                   room=resident.room, name=resident.name if site.bot_personal_details else None,
                                   waitlisted=signup.state == "waitlisted")
    queue_service.tell_volunteers(session, site=site, grid_id=resident.grid_id, text=text,
                                  title=f"活动报名 · {activity.title}", path=f"/activities/{activity.id}", now=now)


@transactional
def cancel_signup(*, session: Session, activity_id: int, resident_id: int, now: datetime,
                  site_id: int | None) -> ActivitySignup | None:
    """Cancel a resident's sign-up; a freed place goes to the first on the waitlist. None if none was active."""
    activity = get_activity(session, activity_id, site_id=site_id, lock=True)
    signup = active_signup(session, activity.id, resident_id)
    if signup is None:
        return None
    was_confirmed = signup.state == "confirmed"
    signup.state, signup.cancelled_at = "cancelled", now
    reminders.cancel_for_signup(session=session, signup_id=signup.id, now=now)
    session.flush()
    if was_confirmed:
        _promote_waitlist(session, activity, now)
    return signup


def _promote_waitlist(session: Session, activity: Activity, now: datetime) -> list[ActivitySignup]:
    free = activity.capacity - count_signups(session, activity.id)["confirmed"]
    if free <= 0:
        return []
    waiting = list(session.scalars(select(ActivitySignup)
                                   .where(ActivitySignup.activity_id == activity.id,
                                          ActivitySignup.state == "waitlisted")
                                   .order_by(ActivitySignup.created_at, ActivitySignup.id).limit(free)))
    for signup in waiting:
        signup.state, signup.promoted_at = "confirmed", now
        reminders.schedule(session=session, signup=signup, activity=activity, now=now)
    session.flush()
    return waiting


def waitlist_position(session: Session, signup: ActivitySignup) -> int | None:
    """1 for the first on the waitlist; None when the sign-up is not waitlisted."""
    if signup.state != "waitlisted":
        return None
    ahead = session.scalar(select(func.count()).where(
        ActivitySignup.activity_id == signup.activity_id, ActivitySignup.state == "waitlisted",
        (ActivitySignup.created_at < signup.created_at)
        | ((ActivitySignup.created_at == signup.created_at) & (ActivitySignup.id < signup.id))))
    return int(ahead or 0) + 1


@transactional
def check_in(*, session: Session, signup_id: int, site_id: int | None, now: datetime,
             undo: bool = False) -> ActivitySignup:
    """Mark a confirmed resident as present on the day (or undo a mistaken tick)."""
    signup = session.get(ActivitySignup, signup_id)
    if signup is None or (site_id is not None and signup.activity.site_id != site_id):
        raise NotFound("找不到这条报名")
    if signup.state != "confirmed":
        raise InvalidTransition("只有已报名（非候补）的居民可以签到")
    signup.checked_in_at = None if undo else (signup.checked_in_at or now)
    return signup


def upcoming(session: Session, *, site_id: int | None, now: datetime, include_past_hours: int = 0,
             limit: int = 100) -> list[Activity]:
    """Activities not yet over (or ended within ``include_past_hours``), soonest first."""
    query = (select(Activity).where(Activity.ends_at >= now - timedelta(hours=include_past_hours))
             .options(selectinload(Activity.signups)).order_by(Activity.starts_at, Activity.id).limit(limit))
    if site_id is not None:
        query = query.where(Activity.site_id == site_id)
    return list(session.scalars(query))


def signups_of_resident(session: Session, *, resident_id: int, now: datetime) -> list[ActivitySignup]:
    """A resident's live sign-ups of activities not yet over, soonest first."""
    return list(session.scalars(
        select(ActivitySignup).join(Activity)
        .where(ActivitySignup.resident_id == resident_id, ActivitySignup.state != "cancelled",
               Activity.ends_at >= now, Activity.cancelled_at.is_(None))
        .options(selectinload(ActivitySignup.activity))
        .order_by(Activity.starts_at)))


def recent_kiosk_signups(session: Session, *, scope: Scope, now: datetime,
                         within: timedelta = timedelta(hours=24)) -> list[ActivitySignup]:
    """Sign-ups made at a kiosk in the last ``within`` for activities still to come, inside ``scope``, newest first
    (the volunteers' queue shows them: nobody on staff made them)."""
    query = (select(ActivitySignup).join(Activity, ActivitySignup.activity_id == Activity.id)
             .join(Resident, ActivitySignup.resident_id == Resident.id)
             .where(ActivitySignup.source_device_id.is_not(None), ActivitySignup.state != "cancelled",
                    ActivitySignup.created_at >= now - within, Activity.starts_at > now,
                    Activity.cancelled_at.is_(None))
             .options(selectinload(ActivitySignup.activity), selectinload(ActivitySignup.resident)))
    if scope.site_id is not None:
        query = query.where(Activity.site_id == scope.site_id)
    if scope.grid_ids is not None:
        query = query.where(Resident.grid_id.in_(scope.grid_ids))
    return list(session.scalars(query.order_by(ActivitySignup.created_at.desc(), ActivitySignup.id.desc()).limit(50)))
