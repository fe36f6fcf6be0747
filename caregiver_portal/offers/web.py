"""Offer pages: a volunteer pauses offers, sets a daily limit and their building (made for a phone); an admin
sets the site's rule (how many nearest volunteers first, after how many minutes the whole site)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from caregiver_portal.accounts.deps import AdminUser, CurrentUser
from caregiver_portal.accounts.models import Site
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep
from caregiver_portal.core.errors import InvalidTransition
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.web import attempt, render
from caregiver_portal.offers import service
from caregiver_portal.offers.rules import building_of, can_take

router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]
Short = Annotated[PlainText, Form(max_length=20)]


def _whole_number(text: str, what: str) -> int | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    if not cleaned.isdigit():
        raise InvalidTransition(f"{what}请填数字")
    return int(cleaned)


@router.get("/me/offers")
def my_offers(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """My offer settings: pause, daily limit, building; how many I took today; the site's rule for admins."""
    now = utcnow()
    site = session.get(Site, user.site_id) if user.site_id else None
    me = None
    if site is not None and user.role == "volunteer":
        people, _ = service.candidates(session, site=site, now=now)
        me = next((c for c in people if c.user_id == user.id), None)
    settings = service.site_settings(session, site.id) if site else None
    prefs = service.prefs_of(session, user.id)
    paused_today = prefs is not None and not prefs.paused and service.is_paused(prefs, now)
    return render(request, "offer_settings.html", user, prefs=prefs, me=me, paused_today=paused_today,
                  offered=me is not None and can_take(me), settings=settings, site=site,
                  building_known=me is not None and me.building is not None)


@router.post("/me/offers", dependencies=CSRF)
def save_my_offers(request: Request, user: CurrentUser, session: SessionDep, daily_limit: Short = "",
                   building: Short = "", paused: Short = "") -> Response:
    """Store pause (``paused`` 1: until resumed, today: until midnight), daily limit and building."""

    home = f"{building.strip()}号楼" if building.strip().isdigit() else building.strip()

    def action() -> None:
        if home and building_of(home) is None:
            raise InvalidTransition("楼号请写成“3号楼”或“3”")
        now = utcnow()
        site = session.get(Site, user.site_id) if user.site_id else None
        until = service.local_midnight(site, now) + timedelta(days=1) if paused == "today" else None
        service.set_prefs(session=session, user=user, paused=paused == "1", paused_until=until,
                          daily_limit=_whole_number(daily_limit, "每天最多接单数"), building=home, now=now)

    done = {"1": "已暂停：新的代购和求助不再推送给您", "today": "今天已暂停：明天起会再推送给您"}.get(
        paused, "已保存：新的代购和求助会推送给您")
    return attempt(request, session, action, done=done, then="/me/offers")


@router.post("/me/offers/site", dependencies=CSRF)
def save_site_rule(request: Request, user: AdminUser, session: SessionDep, nearest_n: Short,
                   widen_minutes: Short) -> Response:
    """An admin of a site sets its offer rule."""

    def action() -> None:
        if user.site_id is None:
            raise InvalidTransition("请用站点管理员账号修改推送规则")
        service.set_site_settings(session=session, site_id=user.site_id,
                                  nearest_n=_whole_number(nearest_n, "优先推送人数") or 0,
                                  widen_minutes=_whole_number(widen_minutes, "扩大到全站的时间") or 0)

    return attempt(request, session, action, done="推送规则已保存", then="/me/offers")
