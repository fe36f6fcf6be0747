"""The outbox's delivery loop: send what is due, one item at a time, and never let one item hold back another.

A :class:`Sender` serves a band of priorities. :class:`~caregiver_portal.client.client.PortalClient`
runs two: one for emergencies (an SOS, a fall and their cancellations) and one for everything else,
each in its own thread with its own HTTP connection, so an SOS never waits behind a reading batch or
behind a request that hangs the portal.

One *pass* takes the next due item (:meth:`Outbox.next_due`) until none is left:

- a 2xx marks it delivered;
- a transient failure (5xx, 408, 425, 429, a read timeout) schedules *that item* again on its own
  backoff; the others go on;
- 401/403: the sender checks its token once per pass with a cheap authenticated call
  (``GET /api/v1/device``); if the token is valid the refusal is about the request and the item
  becomes a dead letter (``forbidden``), else every item waits for an admin to fix the token;
- 409 naming a conflict: a dead letter (``conflict``), never delivered; any other 4xx: a dead
  letter (``refused``);
- the portal out of reach (connection refused, token invalid, a timeout) ends the pass with
  :class:`PortalUnavailable`; the loop backs off as a whole (tenacity) and wakes early when a new
  request is stored.

After a pass, dead letters the portal has not heard of are reported to it
(``POST /api/v1/device/dead-letters``, where an admin sees them).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential_jitter

from caregiver_portal.client.errors import PortalUnavailable
from caregiver_portal.client.outbox import DeadLetter, Outbox, OutboxItem
from caregiver_portal.client.verdict import Verdict, detail_text, item_backoff, judge
from caregiver_portal.dead_letters.schemas import DeadLetterReport

log = logging.getLogger(__name__)

WHOAMI_PATH = "/api/v1/device"
DEAD_LETTERS_PATH = "/api/v1/device/dead-letters"
REPORT_RETRY_S = 60.0
IDLE_WAKE_S = 5.0
DeliveredCallback = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class Backoff:
    """How long to wait: an item after a transient failure, the whole loop while the portal is out of reach."""

    min_s: float = 0.25
    max_s: float = 30.0


class Sender:
    """Delivers the outbox items of priorities ``priorities`` (see the module docstring)."""

    def __init__(self, *, outbox: Outbox, http: requests.Session, base_url: str, priorities: range,
                 timeout_s: float, backoff: Backoff, clock: Callable[[], float] = time.time,
                 on_delivered: DeliveredCallback | None = None, on_change: Callable[[], None] = lambda: None,
                 reports_dead_letters: bool = False) -> None:
        self.outbox, self.base_url, self.priorities = outbox, base_url, priorities
        self.timeout_s, self.backoff, self.clock = timeout_s, backoff, clock
        self.on_delivered, self.on_change = on_delivered, on_change
        self.reports_dead_letters = reports_dead_letters
        self.on_reach: Callable[[bool], None] = lambda _online: None
        """Told whether the portal answered (True) or could not be reached (False), after every try."""
        self._http = http
        self._token_valid: bool | None = None
        self._next_report_at = 0.0

    # ----- one pass ------------------------------------------------------------------------

    def deliver_due(self, *, ignore_backoff: bool = False) -> int:
        """Send every item that is due (each at most once); returns how many were settled (delivered or dead).

        Raises :class:`PortalUnavailable` when the portal is out of reach or refuses the device's token.
        """
        started, settled = self.clock(), 0
        self._token_valid = None
        while (item := self.outbox.next_due(now=self.clock(), pass_started=started, ignore_backoff=ignore_backoff,
                                            priorities=self.priorities)) is not None:
            settled += self.send(item)
        if self.reports_dead_letters:
            self.report_dead_letters()
        return settled

    def send(self, item: OutboxItem) -> int:
        """Send one item and settle it; 1 when it is delivered or dead, 0 when it waits for a retry."""
        try:
            response = self._http.request(item.method, self.base_url + item.path, json=item.body,
                                          timeout=self.timeout_s)
        except requests.Timeout as exc:  # this item may be what hangs the portal: back it off, end the pass
            self._retry_later(item, f"timeout: {exc.__class__.__name__}")
            raise PortalUnavailable(str(exc)) from exc
        except requests.RequestException as exc:  # the portal is out of reach: no item is to blame
            self._offline(item, f"unreachable: {exc.__class__.__name__}")
            raise PortalUnavailable(str(exc)) from exc
        answer = _json(response)
        verdict = judge(response.status_code, answer)
        reason = detail_text(response.status_code, answer, response.text[:300])
        if verdict is Verdict.CHECK_TOKEN and not self._token_is_valid():
            self._offline(item, reason)
            log.error("portal refused this device's token (HTTP %s); an admin must fix it", response.status_code)
            raise PortalUnavailable(reason)
        self.on_reach(True)
        return self._settle(item, verdict, response.status_code, answer, reason)

    def _settle(self, item: OutboxItem, verdict: Verdict, status: int, answer: Any, reason: str) -> int:
        if verdict is Verdict.RETRY:
            self._retry_later(item, reason)
            return 0
        if verdict is Verdict.DELIVERED:
            self.outbox.mark_delivered(item.event_id, answer if isinstance(answer, dict) else {})
            if self.on_delivered is not None:
                self.on_delivered(item.event_id, answer if isinstance(answer, dict) else {})
        else:
            problem = {Verdict.CONFLICT: "conflict", Verdict.CHECK_TOKEN: "forbidden"}.get(verdict, "refused")
            log.error("portal refused %s %s for good (%s); kept as a dead letter (%s)", item.method, item.path,
                      reason, problem)
            self.outbox.mark_rejected(item.event_id, reason, problem=problem, status_code=status,
                                      answer=answer if isinstance(answer, dict) else None)
        self.on_change()
        return 1

    def _retry_later(self, item: OutboxItem, reason: str) -> None:
        delay = item_backoff(item.attempts + 1, min_s=self.backoff.min_s, max_s=self.backoff.max_s)
        log.warning("%s %s failed (%s); this item retries in %.1f s", item.method, item.path, reason, delay)
        self.outbox.record_attempt(item.event_id, reason, retry_at=self.clock() + delay)

    def _offline(self, item: OutboxItem, reason: str) -> None:
        self.on_reach(False)
        self.outbox.record_attempt(item.event_id, reason)

    def _token_is_valid(self) -> bool:
        """Whether the portal accepts this device's token (asked at most once per pass)."""
        if self._token_valid is None:
            try:
                status = self._http.get(self.base_url + WHOAMI_PATH, timeout=self.timeout_s).status_code
            except requests.RequestException as exc:
                raise PortalUnavailable(f"token check failed: {exc}") from exc
            if status >= 500:
                raise PortalUnavailable(f"token check answered {status}")
            self._token_valid = status == 200
        return self._token_valid

    def close(self) -> None:
        """Close the sender's HTTP connections."""
        self._http.close()

    # ----- dead letters --------------------------------------------------------------------

    def report_dead_letters(self) -> int:
        """Tell the portal about dead letters it has not heard of; returns how many it took (0 on failure)."""
        if self.clock() < self._next_report_at:
            return 0
        letters = self.outbox.dead_letters(unreported_only=True, limit=50)
        if not letters:
            return 0
        try:
            response = self._http.post(self.base_url + DEAD_LETTERS_PATH, json=[report_of(x) for x in letters],
                                       timeout=self.timeout_s)
        except requests.RequestException:
            response = None
        if response is None or response.status_code >= 300:
            self._next_report_at = self.clock() + REPORT_RETRY_S
            return 0
        self.outbox.mark_reported([letter.event_id for letter in letters])
        return len(letters)

    # ----- the loop ------------------------------------------------------------------------

    def run(self, stop: threading.Event, wake: threading.Event) -> None:
        """Deliver until ``stop`` is set: back off as a whole while the portal is out of reach, sleep until the
        next item is due otherwise; ``wake`` cuts any wait short (a new request was stored)."""
        while not stop.is_set():
            try:
                for attempt in Retrying(retry=retry_if_exception_type(PortalUnavailable), reraise=True,
                                        wait=wait_exponential_jitter(multiplier=self.backoff.min_s,
                                                                     max=self.backoff.max_s, jitter=0.25),
                                        sleep=lambda s: _wait(wake, s), stop=lambda _s: stop.is_set(),
                                        before_sleep=_log_retry):
                    with attempt:
                        self.deliver_due()
            except PortalUnavailable:
                continue  # stop was requested while the portal was out of reach
            except Exception:
                log.exception("outbox sender failed; restarting it")
                _wait(wake, 1.0)
                continue
            due_in = self.outbox.next_attempt_in(now=self.clock(), priorities=self.priorities)
            _wait(wake, IDLE_WAKE_S if due_in is None else min(IDLE_WAKE_S, due_in))


def report_of(letter: DeadLetter) -> dict[str, Any]:
    """The dead letter as the portal's ``/api/v1/device/dead-letters`` takes it (``DeadLetterReport``; no request
    body: only what an admin needs to find it). Not checked here: a device with an unset clock must still send
    its reports, and the portal judges them."""
    report = DeadLetterReport.model_construct(
        event_id=letter.event_id, method=letter.method, path=letter.path[:200], status_code=letter.status_code,
        problem=letter.problem, detail=letter.detail[:500], failed_at=datetime.fromtimestamp(letter.failed_at, UTC),
        summary=summary_of(letter.path, letter.body))
    return report.model_dump(mode="json")


def summary_of(path: str, body: dict[str, Any]) -> str:
    """A few words on what the request was: the alert kind and band, the size of a reading batch."""
    if path == "/api/v1/alerts":
        parts = [str(body.get(key)) for key in ("kind", "wristband", "resident_id") if body.get(key) is not None]
        return " ".join(parts)[:200]
    if path == "/api/v1/readings":
        return f"readings x{len(body.get('readings') or [])}"
    return ""


def _json(response: requests.Response) -> Any:
    try:
        return response.json() if response.content else {}
    except ValueError:
        return None


def _wait(wake: threading.Event, seconds: float) -> None:
    """Sleep ``seconds``, or less when woken."""
    wake.wait(timeout=max(0.0, seconds))
    wake.clear()


def _log_retry(state: RetryCallState) -> None:
    delay = state.next_action.sleep if state.next_action else 0.0
    log.warning("portal unavailable (pass %d); retrying in %.1f s", state.attempt_number, delay)
