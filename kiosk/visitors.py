"""Who is at the kiosk: greet the nearest wristband's wearer, else ask for a room number / code.

Services that act for a person (ordering, signing up, "我的请求") call
:meth:`VisitorDesk.require` with what to do next. A help call never does: it goes out at once.

1. ``GET /api/v1/site/nearby``: the strongest wristband paired with a resident whose greeting
   is known (met at this kiosk before, or from the portal) -> "王阿姨，您好！是您吗？" 是 / 不是.
   No answer within ``greeting_wait_s`` (or nobody known) -> the keypad at once.
2. Keypad -> ``GET /api/v1/residents/lookup?code=``; offline, the local residents cache.

The residents met here (id, polite name, room, code) and their sign-ups are cached in
``<outbox>.residents.json`` so greetings and reminders work offline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.portal import is_unreachable
from kiosk.state.activities import Signup, parse_rows, reminders
from kiosk.state.visitor import Visitor, nearby_candidates
from kiosk.store import JsonStore
from kiosk.workers import kivy_ui_call, run_in_background

if TYPE_CHECKING:
    from kiosk.app import KioskApp

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LookupResult:
    """Answer of a keypad lookup: ``found`` (with the visitor), ``unknown`` or ``offline``."""

    outcome: str
    visitor: Visitor | None = None
    signups: list[dict[str, Any]] | None = None
    """The visitor's sign-ups when they could be fetched (for reminders)."""


class VisitorDesk:
    """Knows who is at the kiosk and finds out when a service needs it."""

    def __init__(self, app: KioskApp) -> None:
        """Load the residents cache."""
        self.app = app
        self.store = JsonStore(app.config_obj.data_path("residents.json"))
        data = self.store.data if isinstance(self.store.data, dict) else {}
        self._residents: dict[str, dict[str, Any]] = dict(data.get("residents", {}))
        self._signups: dict[str, list[dict[str, Any]]] = dict(data.get("signups", {}))
        self.visitor: Visitor | None = None
        self.candidate: Visitor | None = None
        self.purpose = ""
        self._declined: set[int] = set()
        self._then: Callable[[], None] | None = None
        self._attempt = 0

    # ---- the local cache -------------------------------------------------------------------
    def known(self, resident_id: int) -> Visitor | None:
        """A resident met at this kiosk before."""
        data = self._residents.get(str(resident_id))
        return Visitor.from_json(data) if data else None

    def known_code(self, code: str) -> Visitor | None:
        """The cached resident with this code (offline keypad)."""
        return next((Visitor.from_json(d) for d in self._residents.values() if d.get("code") == code), None)

    def signups(self, resident_id: int) -> list[Signup]:
        """The resident's last known sign-ups."""
        return parse_rows(self._signups.get(str(resident_id), []), Signup)

    def remember(self, visitor: Visitor, signups: list[dict[str, Any]] | None = None) -> None:
        """Cache a resident (and their sign-ups, when fetched)."""
        old = self._residents.get(str(visitor.resident_id), {})
        entry = visitor.to_json()
        if not entry["code"]:
            entry["code"] = old.get("code", "")
        self._residents[str(visitor.resident_id)] = entry
        if signups is not None:
            self._signups[str(visitor.resident_id)] = signups
        self.store.save({"residents": self._residents, "signups": self._signups})

    def fetch_signups(self, resident_id: int) -> list[dict[str, Any]] | None:
        """The resident's sign-ups from the portal (worker thread); None when offline."""
        try:
            return self.app.community.resident_activities(resident_id)
        except Exception as exc:
            if not is_unreachable(exc):
                logger.exception("sign-ups of resident %s", resident_id)
            return None

    # ---- finding out -------------------------------------------------------------------------
    def require(self, purpose: str, then: Callable[[], None]) -> None:
        """Run ``then`` for the person at the kiosk, finding out who it is first if needed."""
        if self.visitor is not None:
            then()
            return
        self.purpose, self._then = purpose, then
        self._attempt += 1
        attempt = self._attempt
        wait_s = self.app.config_obj.greeting_wait_s
        if wait_s <= 0:
            self.show_keypad()
            return
        run_in_background("kiosk-nearby", self._find_nearby, lambda found: self._greet(attempt, found),
                          ui_call=kivy_ui_call)
        from kivy.clock import Clock

        Clock.schedule_once(lambda _dt: self._greet(attempt, None), wait_s)

    def _find_nearby(self) -> LookupResult | None:
        config = self.app.config_obj
        try:
            bands = self.app.community.nearby(within_s=config.nearby_within_s, limit=5)
        except Exception as exc:
            if not is_unreachable(exc):
                logger.exception("nearby wristbands")
            return None
        for resident_id in nearby_candidates(bands, declined=self._declined):
            visitor = self.known(resident_id) or self._greeting_from_portal(resident_id)
            if visitor is not None:
                return LookupResult("found", visitor, self.fetch_signups(resident_id))
        return None

    def _greeting_from_portal(self, resident_id: int) -> Visitor | None:
        try:
            answer = self.app.community.greeting_for(resident_id)
        except Exception as exc:
            if not is_unreachable(exc):
                logger.info("no greeting for resident %s: %r", resident_id, exc)
            return None
        return Visitor.from_json(answer) if answer else None

    def _greet(self, attempt: int, found: LookupResult | None) -> None:
        if attempt != self._attempt or self._then is None:
            return  # answered already (the other of result / timeout came first), or gone home
        self._attempt += 1
        if found is None or found.visitor is None:
            self.show_keypad()
            return
        self.remember(found.visitor, found.signups)
        self.candidate = found.visitor
        self.app.go("greet")

    def answer_greeting(self, yes: bool) -> None:
        """是 / 不是 on the greeting screen."""
        candidate = self.candidate
        self.candidate = None
        if yes and candidate is not None:
            self.identified(candidate)
            return
        if candidate is not None:
            self._declined.add(candidate.resident_id)
        self.show_keypad()

    def show_keypad(self) -> None:
        """Ask for a room number or resident code."""
        keypad = self.app.screen("resident")
        keypad.start(self.purpose)
        self.app.go("resident")

    def submit_code(self, code: str) -> None:
        """Look the typed code up on a worker thread; the keypad shows the answer."""
        run_in_background("kiosk-resident-lookup", lambda: self._lookup(code),
                          lambda result: self._after_lookup(code, result), ui_call=kivy_ui_call)

    def _lookup(self, code: str) -> LookupResult:
        try:
            answer = self.app.community.lookup_resident(code)
        except Exception as exc:
            if not is_unreachable(exc):
                logger.exception("resident lookup")
            cached = self.known_code(code)
            return LookupResult("found", cached) if cached else LookupResult("offline")
        if answer is None:
            return LookupResult("unknown")
        visitor = Visitor.from_json(answer, code=code)
        return LookupResult("found", visitor, self.fetch_signups(visitor.resident_id))

    def _after_lookup(self, code: str, result: LookupResult | None) -> None:
        if self._then is None:
            return  # the person went home meanwhile
        if result is not None and result.visitor is not None:
            self.remember(result.visitor, result.signups)
            self.identified(result.visitor)
            return
        keypad = self.app.screen("resident")
        keypad.show_problem(code, offline=result is None or result.outcome == "offline")

    @property
    def waiting(self) -> bool:
        """A service is waiting to know who is at the kiosk."""
        return self._then is not None

    def identified(self, visitor: Visitor) -> None:
        """The person is known: greet them (with reminders) and carry on with what they wanted.

        Another resident than the one known so far starts a new visit (the last one's cart and
        settings are not theirs).
        """
        then, self._then = self._then, None
        if self.visitor is not None and self.visitor.resident_id != visitor.resident_id:
            self.app.end_visit()
        self.visitor = visitor
        self.remember(visitor)
        reminder = reminders(self.signups(visitor.resident_id), self.app.now_local())
        self.app.announce(f"{visitor.hello}{reminder}")
        if then is not None:
            then()

    def forget(self) -> None:
        """The visit is over (返回首页, idle): nobody is at the kiosk."""
        self.visitor = None
        self.candidate = None
        self._then = None
        self._declined.clear()
        self._attempt += 1
