"""首页: four very large choices, the 社区动态 strip; in the bottom bar 我今天很好 (the daily check-in, where
返回首页 is on other screens) and 声音设置."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from kiosk.core.events import SiteAlertsLoaded
from kiosk.core.flows.common import Outcome, bar, caption
from kiosk.core.state import KioskState, with_data
from kiosk.core.view import Choice, Piece, View
from kiosk.state.site_alerts import site_alerts_view

GREETING = "您好，这里是安心服务。请选择：呼叫帮助，买菜代购，活动报名，我的请求。"
MAX_STRIP_LINES = 2


def alerts_loaded(state: KioskState, event: SiteAlertsLoaded) -> Outcome:
    """The site's active alerts for the strip."""
    lines = 4 if state.site.portrait else MAX_STRIP_LINES
    alerts = site_alerts_view(list(event.alerts) if event.reachable or event.alerts else None,
                              reachable=event.reachable, fetched_at=event.fetched_at, max_lines=lines,
                              zone=ZoneInfo(state.site.timezone))
    return with_data(state, alerts=alerts), ()


def view(state: KioskState) -> View:
    """The greeting, the four choices and the strip."""
    strip = state.data.alerts
    pieces = (*caption(state), Piece("home.greeting", GREETING, style="spoken"),
              Piece("home.strip.heading", strip.heading, style="strip-heading"),
              *(Piece(f"home.strip.{i}", line, style="strip") for i, line in enumerate(strip.lines)),
              Piece("home.strip.note", strip.note, style="strip"))
    choices = (Choice("home.help", "呼叫帮助", style="emergency", kind="tile"),
               Choice("home.groceries", "买菜代购", kind="tile"),
               Choice("home.activities", "活动报名", kind="tile"),
               Choice("home.requests", "我的请求", kind="tile"))
    tool = Choice("settings.open", "声音设置", style="neutral")
    checkin = Choice("home.checkin", "我今天很好", style="confirm")
    return View("home", pieces, choices, bar=replace(bar(state, home=False, tool=tool), left=checkin),
                hint="要帮忙请按左边的“呼叫帮助”")


VIEWS = {"home": view}
