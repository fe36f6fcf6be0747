"""``PortalClient``: the outbox and its senders, direct requests, and (from :mod:`.calls` and :mod:`.community`)
every device path as a typed call.

Errors (:mod:`caregiver_portal.client.errors`):

    PortalUnavailable   the portal could not be reached or answered 5xx, 408, 425, 429 (try later); for a
                        direct call also 401/403, since only the outbox confirms the token before giving up
    RequestRejected     the portal refused a request for good (other 4xx); in the outbox it becomes a dead letter

Sending is :mod:`caregiver_portal.client.delivery`; storing is :mod:`caregiver_portal.client.outbox`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from caregiver_portal.client.community import CommunityCalls
from caregiver_portal.client.delivery import Backoff, DeliveredCallback, Sender
from caregiver_portal.client.errors import PortalUnavailable, RequestRejected
from caregiver_portal.client.outbox import DeadLetter, Outbox, Priority
from caregiver_portal.client.verdict import Verdict, judge

log = logging.getLogger(__name__)

EMERGENCY_KINDS = frozenset({"sos", "fall"})
BY_EVENT = re.compile(r"/by-event/([^/]+)/")
ACTIVITY_SIGNUPS = re.compile(r"^/api/v1/activities/(\d+)/signups")


class PortalClient(CommunityCalls):
    """Device-side client of the portal's ``/api/v1`` (see docs/team-contracts.md): the outbox and its senders,
    direct reads, and every device path as a typed call (:class:`CommunityCalls`)."""

    def __init__(self, base_url: str, token: str, outbox_path: Path, *, timeout_s: float = 5.0,
                 min_backoff_s: float = 0.25, max_backoff_s: float = 30.0,
                 on_delivered: DeliveredCallback | None = None, clock: Callable[[], float] = time.time) -> None:
        """A failing item (or the whole loop, while the portal is out of reach) first waits about
        ``min_backoff_s``, doubling up to ``max_backoff_s``."""
        self.base_url = base_url.rstrip("/")
        self.outbox = Outbox(outbox_path, clock=clock)
        self.timeout_s = timeout_s
        self._token = token
        self._http = self._session()
        self._delivered = threading.Condition()
        backoff = Backoff(min_s=min_backoff_s, max_s=max_backoff_s)
        bands = {"emergency": range(Priority.EMERGENCY, Priority.EMERGENCY + 1),
                 "others": range(Priority.URGENT, Priority.BULK + 1)}
        self._senders = {name: Sender(outbox=self.outbox, http=self._session(), base_url=self.base_url,
                                      priorities=priorities, timeout_s=timeout_s, backoff=backoff, clock=clock,
                                      on_delivered=on_delivered, on_change=self._notify_waiters,
                                      reports_dead_letters=name == "others")
                         for name, priorities in bands.items()}
        self._wakes = {name: threading.Event() for name in self._senders}
        self._stop = threading.Event()
        self._threads: dict[str, threading.Thread] = {}
        self.online: bool | None = None
        """Whether the portal answered the last request (None before the first one)."""
        for sender in self._senders.values():
            sender.on_reach = self._note_reach

    def _session(self) -> requests.Session:
        http = requests.Session()
        http.headers.update({"Authorization": f"Bearer {self._token}", "User-Agent": "anxin-device/0.1"})
        return http

    def _note_reach(self, online: bool) -> None:
        self.online = online

    # ----- durable calls -------------------------------------------------------------------

    def submit(self, path: str, body: dict[str, Any], *, event_id: str | None = None, urgent: bool = True,
               priority: Priority | None = None, lane: str | None = None) -> str:
        """Store a device-API write in the outbox and wake the senders: the primitive under every typed write.

        ``event_id`` names the request in the outbox; endpoints that are idempotent on an id
        (orders, sign-ups, ratings) should get the same id inside ``body``. ``priority`` defaults to
        :func:`priority_of` (``urgent=False``: bulk), ``lane`` to :func:`lane_of`: requests of one lane
        go out in the order they were stored. Returns the event id.
        """
        event_id = event_id or uuid.uuid4().hex
        if priority is None:
            priority = priority_of(path, body) if urgent else Priority.BULK
        self.outbox.put(event_id=event_id, method="POST", path=path, body=body, priority=priority,
                        lane=lane or lane_of(path, event_id))
        self._nudge()
        return event_id

    def delivery(self, event_id: str) -> dict[str, Any] | None:
        """The portal's answer once the request was delivered, else None."""
        return self.outbox.response(event_id)

    def outbox_state(self, event_id: str) -> str | None:
        """``pending``, ``delivered``, ``rejected`` (a dead letter) or None when ``event_id`` is not in the outbox."""
        return self.outbox.state(event_id)

    def pending_count(self) -> int:
        """Requests still waiting in the outbox."""
        return self.outbox.pending_count()

    def dead_letters(self, *, limit: int = 100) -> list[DeadLetter]:
        """Requests the portal refused for good, newest first: what the person at the device should be told."""
        return self.outbox.dead_letters(limit=limit)

    def dead_letter(self, event_id: str) -> DeadLetter | None:
        """Why the portal refused ``event_id`` for good (None unless it is a dead letter)."""
        return self.outbox.dead_letter(event_id)

    def wait_delivered(self, event_id: str, timeout: float) -> dict[str, Any] | None:
        """Block until ``event_id`` is settled (delivered: its answer; a dead letter: None) or ``timeout`` passes."""
        with self._delivered:
            self._delivered.wait_for(lambda: self.outbox_state(event_id) != "pending", timeout=timeout)
        return self.delivery(event_id)

    def _notify_waiters(self) -> None:
        with self._delivered:
            self._delivered.notify_all()

    # ----- direct reads --------------------------------------------------------------------

    def get_json(self, path: str) -> Any:
        """GET a device-API path: the JSON answer, None for 404; raises PortalUnavailable when offline."""
        response = self._request_now("GET", path, missing_ok=True)
        return None if response.status_code == 404 else response.json()

    def fetch_static(self, path: str) -> bytes:
        """A public file of the portal (``/static/…``, e.g. a catalog picture), as bytes; errors as in
        :meth:`get_json`, and RequestRejected for a file that is not there."""
        return self._request_now("GET", path).content

    def post_now(self, path: str, body: Any) -> Any:
        """POST directly (no outbox); errors as in :meth:`get_json`."""
        response = self._request_now("POST", path, json=body)
        return response.json() if response.content else None

    def _request_now(self, method: str, path: str, *, missing_ok: bool = False, **kwargs: Any) -> requests.Response:
        """One direct request: PortalUnavailable when it cannot be served now, RequestRejected for good."""
        try:
            response = self._http.request(method, self.base_url + path, timeout=self.timeout_s, **kwargs)
        except requests.RequestException as exc:
            self.online = False
            raise PortalUnavailable(f"portal unreachable: {exc}") from exc
        if missing_ok and response.status_code == 404:
            return response
        verdict = judge(response.status_code, None)
        if verdict in (Verdict.RETRY, Verdict.CHECK_TOKEN):  # no outbox item to dead-letter: the caller tries later
            raise PortalUnavailable(f"portal answered {response.status_code}")
        if verdict is not Verdict.DELIVERED:
            raise RequestRejected(f"portal refused {method} {path}: {response.status_code} {response.text[:200]}")
        self.online = True
        return response

    # ----- sending -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the senders (daemon threads): one for emergencies, one for everything else."""
        self._stop.clear()
        for name, sender in self._senders.items():
            thread = self._threads.get(name)
            if thread is None or not thread.is_alive():
                self._threads[name] = threading.Thread(target=sender.run, args=(self._stop, self._wakes[name]),
                                                       name=f"portal-outbox-{name}", daemon=True)
                self._threads[name].start()

    def wake(self) -> None:
        """Try every pending request now instead of sleeping out its backoff (e.g. the portal is back)."""
        self.outbox.retry_now()
        self._nudge()

    def _nudge(self) -> None:
        """A request was stored: the senders look for due work now (no item's backoff is cut short)."""
        for event in self._wakes.values():
            event.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the senders; pending requests stay on disk for the next start."""
        self._stop.set()
        self._nudge()
        for thread in self._threads.values():
            thread.join(timeout)
        for sender in self._senders.values():
            sender.close()
        self._http.close()

    def close(self) -> None:
        """Stop the senders and close the outbox file."""
        self.stop()
        self.outbox.close()

    def flush(self) -> None:
        """Try everything pending once, now (backoffs ignored), emergencies first; raises PortalUnavailable when
        the portal is out of reach."""
        for sender in self._senders.values():
            sender.deliver_due(ignore_backoff=True)


def priority_of(path: str, body: dict[str, Any]) -> Priority:
    """An SOS, a fall or an emergency help call goes before anything else; other writes before readings."""
    if path == "/api/v1/alerts" and (body.get("kind") in EMERGENCY_KINDS or body.get("emergency") is True):
        return Priority.EMERGENCY
    return Priority.BULK if path == "/api/v1/readings" else Priority.URGENT


def lane_of(path: str, event_id: str) -> str:
    """Requests that must keep their order share a lane: an alert and its cancellation, an order and its
    receipt, the sign-ups and withdrawals of one activity. Anything else has a lane of its own."""
    if match := BY_EVENT.search(path):
        return match.group(1)
    if match := ACTIVITY_SIGNUPS.match(path):
        return f"activity-{match.group(1)}"
    return event_id

