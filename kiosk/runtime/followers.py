"""Following what the senior asked for, on worker threads: an order, a sign-up."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from kiosk.runtime.portal import CommunityApi, Outcome, is_unreachable
from kiosk.runtime.workers import PollingWorker, UiCall, kivy_ui_call
from kiosk.state.orders import OrderSnapshot

logger = logging.getLogger(__name__)
FINAL_ORDER_STATES = ("received", "cancelled")


class OrderTracker:
    """Polls one order (its outbox state and ``GET /orders/by-event``)."""

    def __init__(self, *, api: CommunityApi, event_id: str, summary: str, interval_s: float,
                 on_update: Callable[[OrderSnapshot], None], ui_call: UiCall = kivy_ui_call,
                 now: Callable[[], float] = time.monotonic) -> None:
        """``on_update`` runs on the UI thread with each new snapshot."""
        self.event_id = event_id
        self._api = api
        self._now = now
        self._started = now()
        self._lock = threading.Lock()
        self._snap = OrderSnapshot(event_id=event_id, summary=summary)
        self._worker: PollingWorker[OrderSnapshot] = PollingWorker(
            name="kiosk-order", fetch=self._step, deliver=lambda _s: on_update(self.snapshot),
            interval_s=interval_s, ui_call=ui_call,
            done=lambda s: str((s.order or {}).get("state")) in FINAL_ORDER_STATES)

    @property
    def snapshot(self) -> OrderSnapshot:
        """Latest facts, with the time since the order was placed."""
        with self._lock:
            return replace(self._snap, elapsed_s=self._now() - self._started)

    def start(self) -> None:
        """Start polling."""
        self._worker.start()

    def stop(self) -> None:
        """Stop polling."""
        self._worker.stop()

    def wake(self) -> None:
        """Poll now (我收到了 was stored)."""
        self._worker.wake()

    def _step(self) -> OrderSnapshot:
        outcome = self._api.outcome(self.event_id)
        order: Mapping[str, Any] | None = None
        try:
            order = self._api.order(self.event_id)
            reachable = True
        except Exception as exc:
            if not is_unreachable(exc):
                logger.exception("order %s", self.event_id)
            reachable = False
        with self._lock:
            self._snap = replace(self._snap, outbox=outcome.state, order=order or self._snap.order,
                                 reachable=reachable)
            return self._snap


class SignupFollower:
    """Polls the outbox for one sign-up (or cancellation) until the portal answered."""

    def __init__(self, *, api: CommunityApi, event_id: str, interval_s: float, offline_after_s: float,
                 online: Callable[[], bool], on_update: Callable[[str, Mapping[str, Any] | None], None],
                 ui_call: UiCall = kivy_ui_call, now: Callable[[], float] = time.monotonic) -> None:
        """``on_update(state, answer)``: ``pending`` / ``saved`` (offline) / ``delivered`` / ``rejected``."""
        self._api = api
        self._event_id = event_id
        self._offline_after_s = offline_after_s
        self._online = online
        self._now = now
        self._started = now()
        self._on_update = on_update
        self._worker: PollingWorker[Outcome] = PollingWorker(
            name="kiosk-signup", fetch=lambda: api.outcome(event_id), deliver=self._deliver,
            interval_s=interval_s, ui_call=ui_call, done=lambda o: o.state in ("delivered", "rejected"))

    def start(self) -> None:
        """Start polling."""
        self._worker.start()

    def stop(self) -> None:
        """Stop polling."""
        self._worker.stop()

    def _deliver(self, outcome: Outcome) -> None:
        late = self._now() - self._started >= self._offline_after_s
        state = "saved" if outcome.state == "pending" and (late or not self._online()) else outcome.state
        self._on_update(state, outcome.answer)
