"""我的请求 and ratings: what the person at the kiosk asked for, where it is, and five stars.

Every request an identified resident makes here (help call, order, sign-up) is noted in
``<outbox>.requests.json`` with its event id. The list refreshes each request from the portal
(``…/by-event/{event_id}``, the resident's sign-ups) on a worker thread and shows the last known
state when the portal is out of reach. The portal has no "requests of a resident" endpoint
yet, so requests made elsewhere (by a grid worker, on another kiosk) are not listed, except
sign-ups.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kiosk.portal import is_unreachable
from kiosk.state.requests import RequestRecord
from kiosk.store import JsonStore
from kiosk.workers import kivy_ui_call, run_in_background

if TYPE_CHECKING:
    from kiosk.app import KioskApp

logger = logging.getLogger(__name__)
MAX_RECORDS = 200
SHOWN = 12
RATING_LABELS = {"order": "这次代购", "alert": "这次帮忙", "activity": "这次活动"}


class RequestDesk:
    """The local request log, the 我的请求 list and the rating flow."""

    def __init__(self, app: KioskApp) -> None:
        """Load the log."""
        self.app = app
        self.store = JsonStore(app.config_obj.data_path("requests.json"))
        rows = self.store.data if isinstance(self.store.data, list) else []
        self.records: list[RequestRecord] = [RequestRecord.from_json(r) for r in rows if isinstance(r, dict)]
        self.reachable: bool | None = None
        self.rating: dict[str, Any] | None = None
        """What the rating screen rates: kind, target id, label, record event id."""
        self.rated_keys: set[tuple[str, int]] = set()
        """(kind, id) rated on this kiosk since it started (also anonymous help calls)."""

    # ---- the log ------------------------------------------------------------------------------
    def note(self, kind: str, event_id: str, summary: str, *, activity_id: int | None = None) -> None:
        """Remember a request of the identified person (anonymous ones are not listed)."""
        visitor = self.app.visitors.visitor
        if visitor is None:
            return
        record = RequestRecord(kind=kind, event_id=event_id, resident_id=visitor.resident_id,
                               created_at=self.app.now_local().isoformat(), summary=summary, activity_id=activity_id)
        self.records = [record, *self.records][:MAX_RECORDS]
        self._save()

    def update(self, event_id: str, **changes: Any) -> None:
        """Change a record (state, detail, target id, rated)."""
        self.records = [replace(r, **changes) if r.event_id == event_id else r for r in self.records]
        self._save()

    def find(self, event_id: str) -> RequestRecord | None:
        """The record of ``event_id``."""
        return next((r for r in self.records if r.event_id == event_id), None)

    def mine(self) -> list[RequestRecord]:
        """The identified person's latest requests, newest first."""
        visitor = self.app.visitors.visitor
        if visitor is None:
            return []
        return [r for r in self.records if r.resident_id == visitor.resident_id][:SHOWN]

    def is_rated(self, kind: str, target_id: int | None) -> bool:
        """True when this order / alert was rated here already."""
        return target_id is not None and (kind, int(target_id)) in self.rated_keys

    def _save(self) -> None:
        self.store.save([r.to_json() for r in self.records])

    # ---- the list -------------------------------------------------------------------------------
    def open(self) -> None:
        """我的请求: who is there first, then the list (refreshed in the background)."""
        self.app.visitors.require("我的请求", self._show)

    def _show(self) -> None:
        self.app.task_done()
        self.app.go("my_requests")
        mine = self.mine()
        run_in_background("kiosk-my-requests", lambda: self._fetch(mine), self._fetched, ui_call=kivy_ui_call)

    def _fetch(self, records: list[RequestRecord]) -> list[RequestRecord] | None:
        community = self.app.community
        try:
            fresh = []
            signups = None
            for record in records:
                if record.kind == "help":
                    alert = community.alert(record.event_id)
                    if alert:
                        record = record.with_state(str(alert.get("state")), detail=str(alert.get("accepted_by") or ""),
                                                   target_id=alert.get("id"))
                elif record.kind == "order":
                    order = community.order(record.event_id)
                    if order:
                        record = record.with_state(str(order.get("state")), detail=str(order.get("state_label", "")),
                                                   target_id=order.get("id"))
                elif record.kind == "signup" and record.activity_id is not None:
                    if signups is None:
                        signups = community.resident_activities(record.resident_id)
                    record = _signup_state(record, signups, community.outcome(record.event_id).state)
                fresh.append(record)
            return fresh
        except Exception as exc:
            if not is_unreachable(exc):
                logger.exception("refreshing 我的请求")
            return None

    def _fetched(self, fresh: list[RequestRecord] | None) -> None:
        self.reachable = fresh is not None
        for record in fresh or []:
            old = self.find(record.event_id)
            if old is not None:
                self.update(record.event_id, state=record.state, detail=record.detail, target_id=record.target_id)
        if self.app.screens.current == "my_requests":
            self.app.current_screen.refresh()

    def select(self, event_id: str) -> None:
        """A card was tapped: the order's status, a help call's rating, an activity's page."""
        record = self.find(event_id)
        if record is None:
            return
        if record.kind == "order":
            self.app.groceries.track(record.event_id, record.summary)
        elif record.kind == "signup" and record.activity_id is not None:
            self.app.activities.open_detail(record.activity_id)
        elif record.rateable and record.target_id is not None:
            self.start_rating("alert", record.target_id, record_event_id=record.event_id)
        else:
            self.app.notice("呼叫帮助", f"这次呼叫：{record.state_text}。")

    # ---- rating ---------------------------------------------------------------------------------
    def start_rating(self, kind: str, target_id: int, *, record_event_id: str | None = None) -> None:
        """Show the five stars for an order, alert or activity."""
        self.rating = {"kind": kind, "target_id": target_id, "label": RATING_LABELS.get(kind, "这次服务"),
                       "record": record_event_id}
        self.app.screen("rating").start(self.rating["label"])
        self.app.go("rating")

    def submit_rating(self, stars: int, comment: str) -> None:
        """Store the rating durably (one per rated thing and kiosk) and thank the person."""
        rating = self.rating
        if rating is None or not 1 <= stars <= 5:
            return
        visitor = self.app.visitors.visitor
        event_id = f"rating-{rating['kind']}-{rating['target_id']}"
        self.app.community.rate(target_kind=rating["kind"], target_id=rating["target_id"], stars=stars,
                                comment=comment, resident_id=visitor.resident_id if visitor else None,
                                event_id=event_id)
        if rating["record"]:
            self.update(rating["record"], rated=True)
        self.rated_keys.add((rating["kind"], int(rating["target_id"])))
        self.app.task_done()
        self.rating = None
        self.app.notice("谢谢您的评价", f"您给{rating['label']}打了 {stars} 颗星。我们会转告志愿者。")


def _signup_state(record: RequestRecord, signups: list[dict[str, Any]], outbox: str) -> RequestRecord:
    for row in signups:
        if row.get("activity_id") == record.activity_id:
            return record.with_state(str(row.get("state")), detail=str(row.get("waitlist_position") or ""))
    if outbox == "rejected":
        return record.with_state("rejected")
    return record.with_state("cancelled" if outbox == "delivered" else "pending")

