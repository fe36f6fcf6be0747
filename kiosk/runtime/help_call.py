"""Raises one help call and follows it on a worker thread (no Kivy, no network on the UI thread).

The first step on the worker is ``raise_alert`` (a commit to the durable outbox); then
the worker polls ``delivery`` and ``get_alert_for_event`` until the alert is resolved or
cancelled. Each poll produces a :class:`~kiosk.state.help_call.HelpCallSnapshot` that is
handed to ``on_update`` on the UI thread.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from caregiver_portal.alerts.schemas import AlertCreate
from kiosk.errors import CancelNotAvailable
from kiosk.runtime.portal import KioskPortal, cancel_help_call, is_unreachable, new_event_id
from kiosk.runtime.workers import PollingWorker, UiCall, kivy_ui_call
from kiosk.state.help_call import HelpCallSnapshot

logger = logging.getLogger(__name__)
FINAL_STATES = ("resolved", "cancelled")
RESUME_WINDOW = timedelta(hours=12)
"""A call remembered across a restart is followed again only if it is younger than this."""


class HelpCallTracker:
    """One help call from the senior's confirmation until it is handled."""

    def __init__(
        self,
        *,
        client: KioskPortal,
        place: str,
        on_update: Callable[[HelpCallSnapshot], None],
        interval_s: float = 2.0,
        ui_call: UiCall = kivy_ui_call,
        now: Callable[[], float] = time.monotonic,
        state_path: Path | None = None,
        resume_event_id: str | None = None,
        emergency: bool = True,
        resident_id: int | None = None,
        occurred_at: datetime | None = None,
        on_raised: Callable[[str], None] | None = None,
    ) -> None:
        """``on_update`` runs on the UI thread with every new snapshot; ``occurred_at``: when the
        senior pressed or said it (stored in the outbox and sent as the alert's ``occurred_at``).

        ``state_path`` remembers the running call's event id across kiosk restarts;
        ``resume_event_id`` follows such a remembered call instead of raising a new one.
        ``resident_id``: the person at the kiosk, when known (never waited for).
        ``on_raised(event_id)`` runs on the UI thread once the call is in the outbox.
        """
        self._client = client
        self._state_path = state_path
        self._emergency = emergency
        self._resident_id = resident_id
        self._occurred_at = occurred_at
        self._on_raised = on_raised
        self._ui_call = ui_call
        self._place = place
        self._on_update = on_update
        self._now = now
        self.started_at = now()
        self._lock = threading.Lock()
        self._snapshot = HelpCallSnapshot(event_id=resume_event_id)
        self._worker: PollingWorker[HelpCallSnapshot] = PollingWorker(
            name="kiosk-help-call",
            fetch=self._step,
            deliver=self._deliver,
            interval_s=interval_s,
            ui_call=ui_call,
            done=lambda snap: snap.save_failed or snap.rejected or _is_final(snap.alert),
        )

    @property
    def snapshot(self) -> HelpCallSnapshot:
        """Latest facts, with ``elapsed_s`` brought up to now (the UI ticks it every second)."""
        with self._lock:
            snap = self._snapshot
        return replace(snap, elapsed_s=self._now() - self.started_at)

    @property
    def finished(self) -> bool:
        """True once the call is resolved, cancelled, refused for good or could not be saved."""
        snap = self.snapshot
        return snap.save_failed or snap.rejected or _is_final(snap.alert)

    def start(self) -> None:
        """Raise the alert and start following it."""
        self._worker.start()

    def stop(self) -> None:
        """Stop following (the alert itself stays raised)."""
        self._worker.stop()

    def request_cancel(self) -> None:
        """The senior confirmed "我没事，取消呼叫"; the worker tries the cancel hook next."""
        with self._lock:
            self._snapshot = replace(self._snapshot, cancel="requested")
        self._worker.wake()

    def _deliver(self, snap: HelpCallSnapshot) -> None:
        self._on_update(self.snapshot)

    def _step(self) -> HelpCallSnapshot:
        with self._lock:
            snap = self._snapshot
        if snap.event_id is None:
            snap = self._raise()
        elif not snap.save_failed:
            snap = self._poll(snap)
        if _is_final(snap.alert) or snap.rejected:
            forget_active_call(self._state_path)
        with self._lock:
            cancel = self._snapshot.cancel  # request_cancel may have run meanwhile
            self._snapshot = replace(snap, cancel=cancel if snap.cancel == "none" else snap.cancel)
            return self._snapshot

    def _raise(self) -> HelpCallSnapshot:
        try:
            event_id = self._client.raise_alert(AlertCreate(
                event_id=new_event_id("help"), kind="help", emergency=self._emergency,
                resident_id=self._resident_id, occurred_at=self._occurred_at, details={"place": self._place}))
        except Exception:
            logger.exception("help call could not be saved to the outbox")
            return HelpCallSnapshot(save_failed=True)
        logger.info("help call saved as event %s", event_id)
        remember_active_call(self._state_path, event_id)
        if self._on_raised is not None:
            on_raised = self._on_raised
            self._ui_call(lambda: on_raised(event_id))
        return HelpCallSnapshot(event_id=event_id)

    def _poll(self, snap: HelpCallSnapshot) -> HelpCallSnapshot:
        assert snap.event_id is not None
        outbox = self._outbox_state(snap.event_id)
        delivered = snap.delivered or outbox == "delivered" or self._delivered(snap.event_id)
        alert: Mapping[str, Any] | None = snap.alert
        reachable: bool | None
        try:
            alert = self._client.get_alert_for_event(snap.event_id) or alert
            reachable = True
        except Exception as exc:
            if not is_unreachable(exc):
                logger.exception("help call %s: unexpected error while polling", snap.event_id)
            reachable = False
        if reachable and alert is None:
            # The read worked but the outbox may still be retrying with backoff.
            reachable = getattr(self._client, "online", None) is not False
        snap = replace(snap, delivered=delivered or alert is not None, alert=alert, reachable=reachable,
                       rejected=outbox == "rejected")
        if snap.cancel == "requested":
            snap = self._try_cancel(snap)
        return snap

    def _outbox_state(self, event_id: str) -> str | None:
        try:
            return self._client.outbox_state(event_id)
        except Exception:
            logger.exception("help call %s: cannot read the outbox", event_id)
            return None

    def _delivered(self, event_id: str) -> bool:
        try:
            return self._client.delivery(event_id) is not None
        except Exception:
            logger.exception("help call %s: cannot read the outbox", event_id)
            return False

    def _try_cancel(self, snap: HelpCallSnapshot) -> HelpCallSnapshot:
        assert snap.event_id is not None
        try:
            cancel_help_call(self._client, event_id=snap.event_id)
        except CancelNotAvailable:
            return replace(snap, cancel="unavailable")
        except Exception:
            logger.exception("help call %s: cancel failed", snap.event_id)
            return replace(snap, cancel="failed")
        return replace(snap, cancel="sent")


def _is_final(alert: Mapping[str, Any] | None) -> bool:
    return (alert or {}).get("state") in FINAL_STATES


def remember_active_call(path: Path | None, event_id: str, now: datetime | None = None) -> None:
    """Write the running call's event id so a restarted kiosk can follow it (never raises)."""
    if path is None:
        return
    payload = {"event_id": event_id, "raised_at": (now or datetime.now(UTC)).isoformat()}
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(payload), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        logger.warning("cannot remember help call %s in %s", event_id, path, exc_info=True)


def forget_active_call(path: Path | None) -> None:
    """Remove the remembered call once it is resolved or cancelled."""
    if path is None:
        return
    try:
        path.unlink(missing_ok=True)
    except OSError:
        logger.warning("cannot remove %s", path, exc_info=True)


def remembered_active_call(path: Path | None, now: datetime | None = None) -> str | None:
    """Event id of a call raised before a restart and still worth following, else None."""
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        event_id = str(data["event_id"])
        raised_at = datetime.fromisoformat(data["raised_at"])
    except (OSError, ValueError, KeyError, TypeError):
        logger.warning("ignoring unreadable %s", path)
        return None
    if (now or datetime.now(UTC)) - raised_at > RESUME_WINDOW:
        forget_active_call(path)
        return None
    return event_id
