"""活动报名: upcoming activities (cached for offline use), sign up / waitlist / cancel, 我的活动.

Activities come from ``GET /api/v1/activities`` on a worker thread and are kept in
``<outbox>.activities.json``. Sign-ups and cancellations go through the durable outbox; the
detail screen follows the request until the portal answers (confirmed, or the waitlist place).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kiosk.community import Outcome
from kiosk.portal import is_unreachable
from kiosk.state.activities import Activity, Signup, parse_rows, signup_result
from kiosk.state.when import when_and_place
from kiosk.store import JsonStore
from kiosk.workers import PollingWorker, kivy_ui_call, run_in_background

if TYPE_CHECKING:
    from kiosk.app import KioskApp

logger = logging.getLogger(__name__)


class ActivityDesk:
    """The activities service of the kiosk."""

    def __init__(self, app: KioskApp) -> None:
        """Load the cached activities."""
        self.app = app
        self.store = JsonStore(app.config_obj.data_path("activities.json"))
        self.activities: list[Activity] = parse_rows(self.store.data or [], Activity)
        self.reachable: bool | None = None
        self.selected: int | None = None
        self.pending: dict[int, tuple[str, bool, float]] = {}
        """activity id -> (event id, cancelling, sent at) of the request the detail screen follows."""
        self._watch: PollingWorker[Outcome] | None = None

    # ---- the list --------------------------------------------------------------------------------
    def upcoming(self) -> list[Activity]:
        """Activities not started yet and not cancelled."""
        now = self.app.now_local()
        return [a for a in self.activities if a.starts_at > now and not a.cancelled]

    def activity(self, activity_id: int) -> Activity | None:
        """An activity by id."""
        return next((a for a in self.activities if a.id == activity_id), None)

    def refresh(self) -> None:
        """Fetch the activities (and the visitor's sign-ups) in the background."""
        visitor = self.app.visitors.visitor

        def fetch() -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
            try:
                rows = self.app.community.activities()
            except Exception as exc:
                if not is_unreachable(exc):
                    logger.exception("activities")
                return None, None
            signups = self.app.visitors.fetch_signups(visitor.resident_id) if visitor else None
            return rows, signups

        run_in_background("kiosk-activities", fetch, self._fetched, ui_call=kivy_ui_call)

    def _fetched(self, result: tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None] | None) -> None:
        rows, signups = result or (None, None)
        self.reachable = rows is not None
        if rows is not None:
            self.store.save(rows, datetime.now(UTC))
            self.activities = parse_rows(rows, Activity)
            self.app.activities_changed()
        visitor = self.app.visitors.visitor
        if visitor is not None and signups is not None:
            self.app.visitors.remember(visitor, signups)
        if self.app.screens.current in ("activities", "activity_detail", "my_activities"):
            self.app.current_screen.refresh()

    def open(self) -> None:
        """活动报名 from the home screen (browsing needs no name; signing up does)."""
        self.refresh()
        self.app.go("activities")

    def open_mine(self) -> None:
        """我的活动: who is there first."""
        self.app.visitors.require("我的活动", self._show_mine)

    def _show_mine(self) -> None:
        self.app.task_done()
        self.refresh()
        self.app.go("my_activities")

    def my_signup(self, activity_id: int) -> Signup | None:
        """The visitor's live sign-up of an activity, if any."""
        visitor = self.app.visitors.visitor
        if visitor is None:
            return None
        return next((s for s in self.app.visitors.signups(visitor.resident_id)
                     if s.activity_id == activity_id and s.active), None)

    def my_signups(self) -> list[Signup]:
        """The visitor's live sign-ups, soonest first."""
        visitor = self.app.visitors.visitor
        if visitor is None:
            return []
        return sorted((s for s in self.app.visitors.signups(visitor.resident_id) if s.active),
                      key=lambda s: s.starts_at)

    def forget(self) -> None:
        """The visit ended: no activity selected, no sign-up answer shown."""
        self.selected = None
        self.pending.clear()

    # ---- one activity ------------------------------------------------------------------------------
    def open_detail(self, activity_id: int) -> None:
        """Show one activity with 报名 / 取消报名."""
        self.selected = activity_id
        self.app.go("activity_detail")

    def result_text(self, activity_id: int) -> str:
        """The answer to the last 报名 / 取消报名 of this activity on this visit (or empty)."""
        if activity_id not in self.pending:
            return ""
        event_id, cancelling, sent_at = self.pending[activity_id]
        outcome = self.app.community.outcome(event_id)
        offline = (getattr(self.app.client, "online", None) is False
                   or time.monotonic() - sent_at >= self.app.config_obj.offline_after_s)
        state = "saved" if outcome.state == "pending" and offline else outcome.state
        return signup_result(state, outcome.answer, cancelling=cancelling)

    def ask_sign_up(self, activity_id: int) -> None:
        """报名 / 候补报名: who is there, then "确定要报名…吗？"."""
        self.app.visitors.require("活动报名", lambda: self._confirm(activity_id, cancelling=False))

    def ask_cancel(self, activity_id: int) -> None:
        """取消报名: confirmed first (the place may go to someone else)."""
        self.app.visitors.require("活动报名", lambda: self._confirm(activity_id, cancelling=True))

    def _confirm(self, activity_id: int, *, cancelling: bool) -> None:
        activity = self.activity(activity_id)
        if activity is None:
            return
        when = when_and_place(activity.starts_at, activity.place, self.app.now_local())
        if cancelling:
            self.app.confirm(question="确定要取消报名吗？",
                             detail=f"{activity.title}，{when}。取消以后，名额会让给别人。",
                             yes="是，取消报名", no="不，保留", yes_style="neutral",
                             on_yes=lambda: self.send(activity_id, cancelling=True),
                             on_no=lambda: self.open_detail(activity_id))
            return
        self.app.confirm(question=f"确定要报名“{activity.title}”吗？", detail=f"{when}。{activity.spots_text}。",
                         yes="是，报名", no="不，返回", on_yes=lambda: self.send(activity_id, cancelling=False),
                         on_no=lambda: self.open_detail(activity_id))

    def spoken(self, activity_id: Any, *, cancelling: bool) -> bool:
        """A sign-up / cancel confirmed by voice; returns True when sent at once."""
        if not isinstance(activity_id, int) or self.activity(activity_id) is None:
            return False
        if self.app.visitors.visitor is not None:
            self.send(activity_id, cancelling=cancelling)
            return True
        self.app.visitors.require("活动报名", lambda: self.send(activity_id, cancelling=cancelling))
        return False

    def send(self, activity_id: int, *, cancelling: bool) -> None:
        """Store the sign-up or cancellation durably and follow it on the detail screen."""
        visitor = self.app.visitors.visitor
        activity = self.activity(activity_id)
        if visitor is None or activity is None:
            return
        community = self.app.community
        if cancelling:
            event_id = community.cancel_sign_up(activity_id=activity_id, resident_id=visitor.resident_id)
        else:
            event_id = community.sign_up(activity_id=activity_id, resident_id=visitor.resident_id)
            self.app.my_requests.note("signup", event_id, activity.title, activity_id=activity_id)
        self.pending[activity_id] = (event_id, cancelling, time.monotonic())
        self.app.task_done()
        self._follow(event_id)
        self.open_detail(activity_id)

    def _follow(self, event_id: str) -> None:
        if self._watch is not None:
            self._watch.stop()
        self._watch = PollingWorker(name="kiosk-signup", fetch=lambda: self.app.community.outcome(event_id),
                                    deliver=self._outcome, interval_s=self.app.config_obj.poll_interval_s,
                                    done=lambda o: o.state in ("delivered", "rejected"))
        self._watch.start()

    def _outcome(self, outcome: Outcome) -> None:
        if outcome.state == "delivered":
            self.refresh()  # the visitor's sign-ups and the places left
        if self.app.screens.current == "activity_detail":
            screen = self.app.current_screen
            if screen.refresh_changed():
                self.app.speak(screen.speech_text())

    def stop(self) -> None:
        """Stop following a request (the app stops)."""
        if self._watch is not None:
            self._watch.stop()
