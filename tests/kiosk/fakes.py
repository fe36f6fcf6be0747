"""A scriptable, thread-safe stand-in for caregiver_portal.client.PortalClient: the SDK's typed calls
(``CommunityCalls``) over in-memory primitives, so the kiosk's paths and bodies are the real ones."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from caregiver_portal.alerts.schemas import AlertCreate
from caregiver_portal.client.community import CommunityCalls
from tests.kiosk.fake_community import FakeCommunity


class PortalUnavailable(Exception):
    """Same name as the real client's error, so kiosk.runtime.portal.is_unreachable recognises it."""


class FakePortal(FakeCommunity, CommunityCalls):
    """Records raised alerts and community requests; tests move them on and toggle reachability."""

    def __init__(self, *, can_cancel: bool = True) -> None:
        """Start reachable with no alerts; ``can_cancel=False`` mimics a client without cancel_alert."""
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.reachable = True
        self.fail_raise = False
        self.reject_raise = False  # the portal refuses raised alerts for good (a dead letter)
        self.rejected: set[str] = set()
        self.raised: list[dict[str, Any]] = []
        self.alerts: dict[str, dict[str, Any]] = {}  # event id -> alert JSON (once delivered)
        self.pending: list[str] = []  # event ids waiting in the "outbox"
        self.others: list[dict[str, Any]] = []  # other alerts of the site (e.g. wristband SOS)
        self.started = False
        self.cancelled: list[str] = []
        self.wakes = 0  # how often the kiosk asked the sender to try now
        if not can_cancel:
            self.cancel_alert = None  # type: ignore[assignment]
        self.init_community()

    # --- PortalClient surface -----------------------------------------------------------
    def start(self) -> None:
        """Pretend to start the sender."""
        self.started = True

    def stop(self) -> None:
        """Pretend to stop the sender."""
        self.started = False

    @property
    def online(self) -> bool:
        """Result of the last attempt."""
        return self.reachable

    def raise_alert(self, alert: AlertCreate) -> str:
        """Store the alert in the 'outbox' (under an id of its own) and deliver it if reachable."""
        if self.fail_raise:
            raise OSError("disk full")
        extra = {key: value for key, value in (("resident_id", alert.resident_id), ("occurred_at", alert.occurred_at))
                 if value is not None}
        with self._lock:
            event_id = f"ev-{next(self._ids)}"
            self.raised.append({"event_id": event_id, "kind": alert.kind, "emergency": alert.emergency,
                                "details": dict(alert.details), **extra})
            (self.rejected.add if self.reject_raise else self.pending.append)(event_id)
        self.flush()
        return event_id

    def delivery(self, event_id: str) -> dict[str, Any] | None:
        """The 'portal answer' once delivered."""
        with self._lock:
            if event_id in self.answers:
                return dict(self.answers[event_id])
            alert = self.alerts.get(event_id)
            return {"alert_id": alert["id"]} if alert else None

    def outbox_state(self, event_id: str) -> str | None:
        """``rejected`` for a refused alert; otherwise as for the community requests."""
        with self._lock:
            if event_id in self.rejected:
                return "rejected"
        return super().outbox_state(event_id)

    def get_alert_for_event(self, event_id: str) -> dict[str, Any] | None:
        """Alert JSON or None; raises when unreachable."""
        self._check()
        with self._lock:
            alert = self.alerts.get(event_id)
            return dict(alert) if alert else None

    def site_alerts(self) -> list[dict[str, Any]]:
        """Site alerts, newest first; raises when unreachable."""
        self._check()
        with self._lock:
            return [dict(a) for a in reversed(self.others + list(self.alerts.values()))]

    def cancel_alert(self, event_id: str, *, reason: str = "") -> str:
        """Cancel an alert this device raised (delivered at once when reachable)."""
        with self._lock:
            self.cancelled.append(event_id)
            if self.reachable and event_id in self.alerts:
                self.alerts[event_id]["state"] = "cancelled"
        return f"cancel-{event_id}"

    def wake(self) -> None:
        """Try to deliver the 'outbox' now, as the real sender does when woken."""
        self.wakes += 1
        self.flush()

    # --- test controls ------------------------------------------------------------------
    def flush(self) -> None:
        """Deliver pending alerts when reachable (what the real outbox does in the background)."""
        with self._lock:
            if not self.reachable:
                return
            for event_id in self.pending:
                raised = next(r for r in self.raised if r["event_id"] == event_id)
                self.alerts[event_id] = {
                    "id": 100 + len(self.alerts), "kind": raised["kind"], "state": "open",
                    "emergency": raised["emergency"], "place": raised["details"].get("place"),
                    "created_at": "2026-11-25T14:00:00+00:00", "accepted_by": None,
                    "accepted_at": None, "resolved_at": None,
                }
            self.pending.clear()
            self.deliver_community()

    def set_reachable(self, reachable: bool) -> None:
        """Go offline or back online (delivering the outbox)."""
        self.reachable = reachable
        self.flush()

    def set_state(self, event_id: str, state: str, accepted_by: str | None = None) -> None:
        """Move a delivered alert to a new state."""
        with self._lock:
            alert = self.alerts[event_id]
            alert["state"] = state
            if accepted_by:
                alert["accepted_by"] = accepted_by

    def _check(self) -> None:
        if not self.reachable:
            raise PortalUnavailable("connection refused")
