"""The help-call part of :class:`kiosk.app.KioskApp`: raise, follow, cancel, rate.

A help call never waits for anything: no identification, no network. It is committed to
the durable outbox on a worker thread and followed by a :class:`kiosk.help_call.HelpCallTracker`;
when the person at the kiosk is known, their resident id goes with it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiosk.help_call import HelpCallTracker
from kiosk.state.help_call import HelpCallSnapshot, HelpCallView, HelpStage, help_call_view

if TYPE_CHECKING:
    from kiosk.app import KioskApp

logger = logging.getLogger(__name__)


class HelpCallMixin:
    """Help-call methods the screens and the voice dialog call on the app."""

    help_tracker: HelpCallTracker | None

    def open_help(self: KioskApp) -> None:
        """呼叫帮助: ask for confirmation, unless a call is already running (then show it)."""
        running = self.help_tracker is not None and not self.help_tracker.finished
        self.go("help_status" if running else "confirm_help")

    def raise_help_call(self: KioskApp, *, emergency: bool = True) -> None:
        """Raise a help call, unless one is still running (then just show it)."""
        if self.help_tracker is None or self.help_tracker.finished:
            self._start_tracker(emergency=emergency)
            self.task_done()
        self.go("help_status")

    def _start_tracker(self: KioskApp, resume_event_id: str | None = None, emergency: bool = True) -> None:
        if self.help_tracker is not None:
            self.help_tracker.stop()
        assert self.client is not None
        visitor = self.visitors.visitor
        self.help_tracker = HelpCallTracker(
            client=self.client, place=self.config_obj.place, on_update=self._on_help_update,
            interval_s=self.config_obj.poll_interval_s, now=self._now,
            state_path=self.config_obj.active_call_path, resume_event_id=resume_event_id,
            emergency=emergency, resident_id=visitor.resident_id if visitor and not resume_event_id else None,
            on_raised=self._note_help_call if visitor and not resume_event_id else None,
        )
        self.help_tracker.start()

    def _note_help_call(self: KioskApp, event_id: str) -> None:
        self.my_requests.note("help", event_id, "")

    def request_help_cancel(self: KioskApp) -> None:
        """Pass the confirmed cancel to the tracker and go back to the status screen."""
        if self.help_tracker is not None:
            self.help_tracker.request_cancel()
        self.go("help_status")

    def help_call_view(self: KioskApp) -> HelpCallView | None:
        """View model of the current help call (None if none was made)."""
        if self.help_tracker is None:
            return None
        return help_call_view(self.help_tracker.snapshot, duty_phone=self.config_obj.duty_phone,
                              offline_after_s=self.config_obj.offline_after_s)

    def _help_alert_id(self: KioskApp) -> int | None:
        alert = self.help_tracker.snapshot.alert if self.help_tracker is not None else None
        alert_id = (alert or {}).get("id")
        return int(alert_id) if alert_id is not None else None

    def help_call_rateable(self: KioskApp) -> bool:
        """The call was handled (resolved) and not rated yet on this kiosk."""
        view = self.help_call_view()
        alert_id = self._help_alert_id()
        return (view is not None and view.stage is HelpStage.RESOLVED and alert_id is not None
                and not self.my_requests.is_rated("alert", alert_id))

    def rate_help_call(self: KioskApp) -> None:
        """评价这次帮忙."""
        alert_id = self._help_alert_id()
        if alert_id is not None and self.help_tracker is not None:
            event_id = self.help_tracker.snapshot.event_id
            self.my_requests.start_rating("alert", alert_id, record_event_id=event_id)

    def _on_help_update(self: KioskApp, _snapshot: HelpCallSnapshot) -> None:
        self._show_help_status()
        if self.site_feed is not None:
            self.site_feed.refresh()

    def _show_help_status(self: KioskApp) -> None:
        screen = self.screen("help_status")
        changed = screen.show(self.help_call_view())
        if changed and self.screens.current == "help_status":
            self.speak(screen.speech_text())
            self._update_nav()
