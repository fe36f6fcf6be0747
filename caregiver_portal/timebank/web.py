"""The time bank (时间银行) in the browser: my points and ledger, redeeming rewards, the leaderboard
for the centre's wall, and (admins) points per service and the rewards on offer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from caregiver_portal.accounts.access import site_for_new_rows
from caregiver_portal.accounts.deps import AdminUser, CurrentUser, visible_site_id
from caregiver_portal.core.clock import CHINA_TIME, utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.pagination import list_query, paginate
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import attempt, render
from caregiver_portal.timebank import service as timebank

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]


def _month_start_utc() -> tuple[str, datetime]:
    """This month's name and its first moment (China time)."""
    local = utcnow().astimezone(CHINA_TIME)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return f"{local.month} 月", start


@router.get("/timebank")
def my_points(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """My balance, my ledger a page at a time (``page``), the rewards I can redeem; this month's leaders."""
    timebank.award_resolved_alerts(session=session, site_id=user.site_id, now=utcnow())
    month, since = _month_start_utc()
    site_id = user.site_id
    rewards = timebank.list_rewards(session, site_id=site_id, include_inactive=user.role == "admin") if site_id else []
    return render(request, "timebank.html", user, balance=timebank.balance(session, user_id=user.id),
                  page=paginate(session, timebank.ledger_query(user_id=user.id), list_query(request.query_params)),
                  path="/timebank", rewards=rewards,
                  leaders=timebank.leaderboard(session, site_id=visible_site_id(user), since=since, limit=5),
                  month=month, rules=timebank.rules_for_site(session, site_id=site_id) if site_id else {},
                  SERVICE_LABELS=timebank.SERVICE_LABELS)


@router.get("/timebank/leaderboard")
def leaderboard(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Big-type leaderboard for the centre's wall screen (refreshes itself every 5 minutes)."""
    timebank.award_resolved_alerts(session=session, site_id=user.site_id, now=utcnow())
    month, since = _month_start_utc()
    site_id = visible_site_id(user)
    return render(request, "leaderboard.html", user, month=month,
                  this_month=timebank.leaderboard(session, site_id=site_id, since=since, limit=10),
                  all_time=timebank.leaderboard(session, site_id=site_id, limit=10))


@router.post("/timebank/redeem/{reward_id}", dependencies=CSRF)
def redeem(request: Request, reward_id: int, user: CurrentUser, session: SessionDep) -> Response:
    """Spend points on a reward; the centre hands it over."""
    entry: list[str] = []

    def action() -> None:
        entry.append(timebank.redeem(session=session, user=user, reward_id=reward_id, now=utcnow()).note)

    return attempt(request, session, action, done=lambda: f"{entry[0]}，请到站点领取", then="/timebank")


@router.post("/timebank/rules", dependencies=CSRF)
async def save_rules(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Admins set the points each service earns at their site."""
    form = await request.form()

    def action() -> None:
        site_id = site_for_new_rows(user)
        for service in timebank.DEFAULT_POINTS:
            raw = str(form.get(f"points-{service}") or "").strip()
            if not raw.isdigit():
                raise InvalidTransition("积分请填整数")
            timebank.set_rule(session=session, site_id=site_id, service=service, points=int(raw))

    return attempt(request, session, action, done="积分规则已保存", then="/timebank#rules")


@router.post("/timebank/rewards", dependencies=CSRF)
def add_reward(request: Request, user: AdminUser, session: SessionDep, name: Annotated[PlainText, Form(max_length=100)],
               points: Annotated[int, Form(ge=1, le=100000)]) -> Response:
    """Admins add a reward."""
    return attempt(request, session, lambda: timebank.add_reward(
        session=session, site_id=site_for_new_rows(user), name=name, points=points),
        done="已添加兑换项目", then="/timebank#rewards")


@router.post("/timebank/rewards/{reward_id}/toggle", dependencies=CSRF)
def toggle_reward(request: Request, reward_id: int, user: AdminUser, session: SessionDep) -> Response:
    """Admins withdraw a reward or offer it again."""
    return attempt(request, session, lambda: timebank.toggle_reward(session=session, reward_id=reward_id,
                                                                    site_id=user.site_id),
                   done="已更新", then="/timebank#rewards")
