"""Activities in the browser: list, create/edit, sign residents up or off (the waitlist moves up),
a printable roster, and a check-in list for the day."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from caregiver_portal.accounts.access import site_for_new_rows
from caregiver_portal.accounts.deps import CurrentUser, StaffUser
from caregiver_portal.activities import listing, reminder_delivery
from caregiver_portal.activities import service as activity_service
from caregiver_portal.activities.models import Activity
from caregiver_portal.core.clock import CHINA_TIME, utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.pagination import list_query
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import attempt, parse_local_datetime, redirect, render
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.scope import Scope, ScopeDep, resident_in_scope

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]


def _activity(session: SessionDep, scope: Scope, activity_id: int) -> Activity:
    return activity_service.get_activity(session, activity_id, site_id=scope.site_id)


def _spec(title: str, category: str, description: str, place: str, starts: str, ends: str,
          capacity: str) -> activity_service.ActivitySpec:
    try:
        starts_at = parse_local_datetime(starts)
        ends_at = parse_local_datetime(ends) if "T" in ends else parse_local_datetime(f"{starts[:10]}T{ends}")
        places = int(capacity)
    except ValueError as exc:
        raise InvalidTransition("时间或名额填写不正确") from exc
    if category not in activity_service.CATEGORIES:
        raise InvalidTransition("请选择活动类别")
    return activity_service.ActivitySpec(title=title, category=category, description=description, place=place,
                                         starts_at=starts_at, ends_at=ends_at, capacity=places)


@router.get("/activities")
def activity_list(request: Request, user: CurrentUser, session: SessionDep, scope: ScopeDep) -> Response:
    """Activities with their places and waitlists, a page at a time: upcoming by default, or past or cancelled
    ones (``state``), between two dates (``from``, ``to``)."""
    now = utcnow()
    lq = list_query(request.query_params, states=tuple(listing.STATES))
    page = listing.activity_page(session, site_id=scope.site_id, lq=lq, now=now)
    return render(request, "activities_list.html", user, page=page, lq=lq, path="/activities",
                  counts=listing.signup_counts(session, (a.id for a in page.items)), now=now,
                  state_choices=list(listing.STATES.items()), grids=[])


@router.get("/activities/new")
def new_activity(request: Request, user: StaffUser) -> Response:
    """The form for a new activity (suggested: tomorrow 09:00–10:30)."""
    tomorrow = (utcnow().astimezone(CHINA_TIME) + timedelta(days=1)).strftime("%Y-%m-%d")
    return render(request, "activity_form.html", user, activity=None, categories=activity_service.CATEGORIES,
                  default_start=f"{tomorrow}T09:00", default_end=f"{tomorrow}T10:30")


FormText = Annotated[PlainText, Form(max_length=2000)]


@router.post("/activities/new", dependencies=CSRF)
def create_activity(request: Request, user: StaffUser, session: SessionDep, title: FormText, category: FormText,
                    place: FormText, starts_at: FormText, ends_at: FormText, capacity: FormText,
                    description: FormText = "") -> Response:
    """Publish a new activity."""
    created: list[int] = []

    def action() -> None:
        spec = _spec(title, category, description, place, starts_at, ends_at, capacity)
        activity = activity_service.create_activity(session=session, site_id=site_for_new_rows(user), spec=spec,
                                                    user=user, now=utcnow())
        created.append(activity.id)

    response = attempt(request, session, action, done="活动已发布，自助机上可以报名了", then="/activities",
                       failed="/activities/new")
    return redirect(f"/activities/{created[0]}") if created else response


@router.get("/activities/{activity_id}")
def activity_detail(request: Request, activity_id: int, user: CurrentUser, session: SessionDep,
                    scope: ScopeDep) -> Response:
    """An activity with its confirmed list and waitlist, whether the volunteers were reminded, and a form
    to sign a resident up."""
    now = utcnow()
    activity = _activity(session, scope, activity_id)
    live = [s for s in activity.signups if s.state != "cancelled"]
    confirmed = [s for s in live if s.state == "confirmed"]
    waitlist = [s for s in live if s.state == "waitlisted"]
    taken = {s.resident_id for s in live}
    residents = [r for r in session.scalars(scope.filter_residents(select(Resident)).order_by(Resident.room))
                 if r.id not in taken and r.site_id == activity.site_id]
    return render(request, "activity_detail.html", user, activity=activity, confirmed=confirmed, waitlist=waitlist,
                  residents=residents, now=now, SIGNUP_LABELS=activity_service.SIGNUP_LABELS,
                  reminder_states=reminder_delivery.reminder_states(session, activity, now))


@router.get("/activities/{activity_id}/edit")
def edit_activity_form(request: Request, activity_id: int, user: StaffUser, session: SessionDep,
                       scope: ScopeDep) -> Response:
    """The edit form of an activity."""
    activity = _activity(session, scope, activity_id)
    return render(request, "activity_form.html", user, activity=activity, categories=activity_service.CATEGORIES)


@router.post("/activities/{activity_id}/edit", dependencies=CSRF)
def edit_activity(request: Request, activity_id: int, user: StaffUser, session: SessionDep, scope: ScopeDep,
                  title: FormText, category: FormText, place: FormText, starts_at: FormText, ends_at: FormText,
                  capacity: FormText, description: FormText = "") -> Response:
    """Save an activity; more places move the waitlist up at once."""
    def action() -> None:
        _activity(session, scope, activity_id)
        activity_service.update_activity(session=session, activity_id=activity_id, site_id=scope.site_id,
                                         spec=_spec(title, category, description, place, starts_at, ends_at, capacity),
                                         now=utcnow())

    return attempt(request, session, action, done="已保存", then=f"/activities/{activity_id}",
                   failed=f"/activities/{activity_id}/edit")


@router.get("/activities/{activity_id}/cancel")
def confirm_cancel_activity(request: Request, activity_id: int, user: StaffUser, session: SessionDep,
                            scope: ScopeDep) -> Response:
    """Ask before calling an activity off."""
    activity = _activity(session, scope, activity_id)
    return render(request, "confirm.html", user, title="取消活动", question=f"确定要取消活动“{activity.title}”吗？",
                  consequence="取消后不再提醒已报名的居民，也不能再报名；请另外电话通知已报名的人。",
                  action=f"/activities/{activity_id}/cancel", button="取消这个活动", back=f"/activities/{activity_id}")


@router.post("/activities/{activity_id}/cancel", dependencies=CSRF)
def cancel_activity(request: Request, activity_id: int, user: StaffUser, session: SessionDep,
                    scope: ScopeDep) -> Response:
    """Call the activity off (reminders are cancelled)."""
    return attempt(request, session, lambda: activity_service.cancel_activity(
        session=session, activity_id=_activity(session, scope, activity_id).id, site_id=scope.site_id, now=utcnow()),
        done="活动已取消", then=f"/activities/{activity_id}")


@router.post("/activities/{activity_id}/signups", dependencies=CSRF)
def sign_up(request: Request, activity_id: int, user: CurrentUser, session: SessionDep, scope: ScopeDep,
            resident_id: Annotated[int, Form()]) -> Response:
    """Sign a resident up on their behalf (a phone call, a visit)."""
    done: list[str] = []

    def action() -> None:
        resident = resident_in_scope(session, scope, resident_id)
        result = activity_service.sign_up(session=session, activity_id=_activity(session, scope, activity_id).id,
                                          resident_id=resident.id, now=utcnow(), site_id=scope.site_id, user=user)
        label = activity_service.SIGNUP_LABELS[result.signup.state]
        done.append(f"{resident.name}：{label}" + ("（之前已报名）" if result.duplicate else ""))

    return attempt(request, session, action, done=lambda: done[0], then=f"/activities/{activity_id}")


@router.get("/activities/{activity_id}/signups/{resident_id}/cancel")
def confirm_cancel_signup(request: Request, activity_id: int, resident_id: int, user: CurrentUser,
                          session: SessionDep, scope: ScopeDep) -> Response:
    """Ask before taking a resident off an activity."""
    activity = _activity(session, scope, activity_id)
    resident = resident_in_scope(session, scope, resident_id)
    return render(request, "confirm.html", user, title="取消报名",
                  question=f"确定要取消 {resident.name} 的“{activity.title}”报名吗？",
                  consequence="取消后名额给候补的第一位；要再去，需要重新报名（可能要候补）。",
                  action=f"/activities/{activity_id}/signups/{resident_id}/cancel", button="取消报名",
                  back=f"/activities/{activity_id}")


@router.post("/activities/{activity_id}/signups/{resident_id}/cancel", dependencies=CSRF)
def cancel_signup(request: Request, activity_id: int, resident_id: int, user: CurrentUser, session: SessionDep,
                  scope: ScopeDep) -> Response:
    """Take a resident off the activity; the first on the waitlist gets the place."""
    def action() -> None:
        resident_in_scope(session, scope, resident_id)
        activity_service.cancel_signup(session=session, activity_id=_activity(session, scope, activity_id).id,
                                       resident_id=resident_id, now=utcnow(), site_id=scope.site_id)

    return attempt(request, session, action, done="已取消报名；候补的第一位已自动补上",
                   then=f"/activities/{activity_id}")


@router.get("/activities/{activity_id}/roster")
def roster(request: Request, activity_id: int, user: CurrentUser, session: SessionDep, scope: ScopeDep) -> Response:
    """A printable roster: confirmed residents with room and a signature column, then the waitlist."""
    activity = _activity(session, scope, activity_id)
    confirmed = [s for s in activity.signups if s.state == "confirmed"]
    waitlist = [s for s in activity.signups if s.state == "waitlisted"]
    return render(request, "activity_roster.html", user, activity=activity, confirmed=confirmed, waitlist=waitlist,
                  printed_at=utcnow())


@router.get("/activities/{activity_id}/checkin")
def checkin_list(request: Request, activity_id: int, user: CurrentUser, session: SessionDep,
                 scope: ScopeDep) -> Response:
    """The check-in list for the day: one big button per confirmed resident."""
    activity = _activity(session, scope, activity_id)
    confirmed = [s for s in activity.signups if s.state == "confirmed"]
    present = sum(1 for s in confirmed if s.checked_in_at)
    return render(request, "activity_checkin.html", user, activity=activity, confirmed=confirmed, present=present)


@router.post("/activities/{activity_id}/checkin/{signup_id}", dependencies=CSRF)
def check_in(request: Request, activity_id: int, signup_id: int, user: CurrentUser, session: SessionDep,
             scope: ScopeDep, undo: Annotated[PlainText, Form()] = "") -> Response:
    """Tick a resident as present (or undo)."""
    def action() -> None:
        activity = _activity(session, scope, activity_id)
        signup = activity_service.check_in(session=session, signup_id=signup_id, site_id=activity.site_id,
                                           now=utcnow(), undo=bool(undo))
        if signup.activity_id != activity.id:
            raise NotFound("找不到这条报名")

    return attempt(request, session, action, done="已撤销签到" if undo else "已签到",
                   then=f"/activities/{activity_id}/checkin#signup-{signup_id}")
