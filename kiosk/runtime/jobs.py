"""The portal reads the kiosk runs on worker threads, each turned into a core event.

Every job catches "the portal cannot be reached" and answers from the local caches instead;
anything else is logged (a bug) and answered the same way, so a screen never waits forever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from kiosk.core.events import (
    ActivitiesLoaded,
    CatalogLoaded,
    LookupAnswered,
    NearbyAnswered,
    PointsLoaded,
    RepliesLoaded,
    RequestsLoaded,
    RollCallsLoaded,
)
from kiosk.runtime.pictures import PictureCache
from kiosk.runtime.portal import CommunityApi, is_unreachable
from kiosk.runtime.records import Residents
from kiosk.runtime.store import JsonStore
from kiosk.state.activities import Activity, Signup, parse_rows
from kiosk.state.cart import parse_catalog
from kiosk.state.feedback import Points, parse_replies
from kiosk.state.requests import RequestRecord
from kiosk.state.visitor import Visitor, nearby_candidates
from kiosk.state.when import parse_time

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def _offline(exc: Exception, what: str) -> None:
    if not is_unreachable(exc):
        logger.exception("%s", what)


def catalog(api: CommunityApi, store: JsonStore, pictures: PictureCache, now: Clock) -> CatalogLoaded:
    """The catalog (and its missing pictures); the cached one when offline."""
    try:
        rows = [row for row in api.catalog() if isinstance(row, Mapping)]
    except Exception as exc:
        _offline(exc, "catalog")
        return CatalogLoaded(parse_catalog(store.data or []), False, now())
    pictures.fetch_missing([item.picture_url or "" for item in parse_catalog(rows)])
    store.save(rows, now())
    return CatalogLoaded(parse_catalog(rows), True, now())


def activities(api: CommunityApi, store: JsonStore, now: Clock) -> ActivitiesLoaded:
    """Upcoming activities; the cached ones when offline."""
    try:
        rows = api.activities()
    except Exception as exc:
        _offline(exc, "activities")
        return ActivitiesLoaded(tuple(parse_rows(store.data or [], Activity)), False, now())
    store.save(rows, now())
    return ActivitiesLoaded(tuple(parse_rows(rows, Activity)), True, now())


def signups(api: CommunityApi, residents: Residents, visitor: Visitor) -> tuple[Signup, ...]:
    """A resident's sign-ups from the portal (cached), or the cached ones when offline."""
    try:
        rows = api.resident_activities(visitor.resident_id)
    except Exception as exc:
        _offline(exc, f"sign-ups of resident {visitor.resident_id}")
        return residents.signups(visitor.resident_id)
    residents.remember(visitor, rows)
    return tuple(parse_rows(rows, Signup))


def nearby(api: CommunityApi, residents: Residents, attempt: int, declined: frozenset[int], *,
           within_s: int, now: Clock) -> NearbyAnswered:
    """The strongest nearby wristband's wearer whom the kiosk can greet by name."""
    try:
        bands = api.nearby(within_s=within_s, limit=5)
    except Exception as exc:
        _offline(exc, "nearby wristbands")
        return NearbyAnswered(attempt, None, (), now())
    for resident_id in nearby_candidates(bands, declined=declined):
        visitor = residents.known(resident_id) or _greeting(api, resident_id)
        if visitor is not None:
            return NearbyAnswered(attempt, visitor, signups(api, residents, visitor), now())
    return NearbyAnswered(attempt, None, (), now())


def _greeting(api: CommunityApi, resident_id: int) -> Visitor | None:
    try:
        answer = api.greeting_for(resident_id)
    except Exception as exc:
        logger.info("no greeting for resident %s: %r", resident_id, exc)
        return None
    return Visitor.from_json(answer) if answer else None


def lookup(api: CommunityApi, residents: Residents, code: str, now: Clock) -> LookupAnswered:
    """A typed code: found (with sign-ups), unknown, or offline (the cache may still know it)."""
    try:
        answer = api.lookup_resident(code)
    except Exception as exc:
        _offline(exc, "resident lookup")
        cached = residents.known_code(code)
        if cached is None:
            return LookupAnswered(code, "offline", now())
        return LookupAnswered(code, "found", now(), cached, residents.signups(cached.resident_id))
    if answer is None:
        return LookupAnswered(code, "unknown", now())
    visitor = Visitor.from_json(answer, code=code)
    residents.remember(visitor)
    return LookupAnswered(code, "found", now(), visitor, signups(api, residents, visitor))


def requests(api: CommunityApi, residents: Residents, visitor: Visitor, records: list[RequestRecord],
             now: Clock) -> RequestsLoaded:
    """The person's requests refreshed from the portal (the last known ones when offline)."""
    try:
        mine = signups(api, residents, visitor)
        fresh = [_refreshed(api, record, mine) for record in records]
        recorded = [RequestRecord.recorded_by_desk(row, visitor.resident_id)
                    for row in api.phone_requests(visitor.resident_id)]
    except Exception as exc:
        _offline(exc, "refreshing 我的请求")
        return RequestsLoaded(visitor.resident_id, tuple(records), now(), None, reachable=False)
    merged = sorted([*fresh, *recorded], key=lambda r: parse_time(r.created_at), reverse=True)
    return RequestsLoaded(visitor.resident_id, tuple(merged), now(), mine)



def _refreshed(api: CommunityApi, record: RequestRecord, mine: tuple[Signup, ...]) -> RequestRecord:
    if record.kind == "help":
        alert: dict[str, Any] | None = api.alert(record.event_id)
        if alert:
            return record.with_state(str(alert.get("state")), detail=str(alert.get("accepted_by") or ""),
                                     target_id=alert.get("id"))
    elif record.kind == "order":
        order = api.order(record.event_id)
        if order:
            return record.with_state(str(order.get("state")), detail=str(order.get("state_label", "")),
                                     target_id=order.get("id"))
    elif record.kind == "signup":
        signup = next((s for s in mine if s.activity_id == record.activity_id), None)
        if signup is not None:
            return record.with_state(signup.state, detail=str(signup.waitlist_position or ""))
        outbox = api.outcome(record.event_id).state
        if outbox in ("rejected", "delivered"):
            return record.with_state("rejected" if outbox == "rejected" else "cancelled")
    return record


def roll_calls(api: CommunityApi, resident_id: int, now: Clock) -> RollCallsLoaded:
    """The reasons of the open roll calls the resident has not answered (none when offline: ask next time)."""
    try:
        calls = api.open_roll_calls(resident_id)
    except Exception as exc:
        _offline(exc, "roll calls")
        return RollCallsLoaded(resident_id, (), now())
    return RollCallsLoaded(resident_id, tuple(str(c.get("reason_label", "")) for c in calls
                                              if c.get("state") == "waiting"), now())


def replies(api: CommunityApi, resident_id: int, now: Clock) -> RepliesLoaded:
    """Replies to the resident's reports not heard yet (none when offline: they hear them next time)."""
    try:
        rows = api.feedback_replies(resident_id)
    except Exception as exc:
        _offline(exc, "feedback replies")
        return RepliesLoaded(resident_id, (), now())
    return RepliesLoaded(resident_id, parse_replies(rows), now())


def points(api: CommunityApi, resident_id: int, now: Clock) -> PointsLoaded:
    """The resident's points and the rewards (None when offline: the screen says so)."""
    try:
        answer = api.resident_points(resident_id)
    except Exception as exc:
        _offline(exc, "points")
        return PointsLoaded(resident_id, None, now())
    return PointsLoaded(resident_id, Points.from_json(answer) if answer else None, now())
