"""The community paths of the device API as typed calls (kiosks): the catalog and orders, activities and
sign-ups, residents, roll calls, ratings, residents' voice (反映问题) and the time bank.

Request bodies are the API's own models (``orders.schemas``, ``activities.schemas``, ``roll_calls.schemas``,
``ratings.schemas``, ``feedback.schemas``, ``timebank.schemas``);
answers are the JSON of the response model each method names. Reads raise PortalUnavailable when the portal
cannot be reached; writes go to the durable outbox first and return their event id at once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from caregiver_portal.activities.schemas import SignupCancel, SignupCreate
from caregiver_portal.client.calls import DeviceCalls
from caregiver_portal.feedback.schemas import FeedbackCreate, ReplyHeard
from caregiver_portal.orders.schemas import OrderCreate, ReceiptConfirm, SubstituteAnswer
from caregiver_portal.ratings.schemas import RatingCreate
from caregiver_portal.roll_calls.schemas import RollCallAnswer
from caregiver_portal.timebank.schemas import RedemptionCreate

ORDERS = "/api/v1/orders"
ACTIVITIES = "/api/v1/activities"
RESIDENTS = "/api/v1/residents"


class CommunityCalls(DeviceCalls):
    """Typed calls for the kiosk's community screens, on top of :class:`DeviceCalls`' primitives."""

    # ----- groceries -----------------------------------------------------------------------

    def catalog(self) -> list[Any]:
        """``GET /api/v1/catalog``: the site's grocery items, by category (``CatalogItemPublic``)."""
        return list(self.get_json("/api/v1/catalog") or [])

    def place_order(self, order: OrderCreate) -> str:
        """``POST /api/v1/orders`` through the outbox; returns its event id. Answer: ``OrderPublic``."""
        return self.submit(ORDERS, order.model_dump(mode="json", exclude_none=True), event_id=order.event_id)

    def order_for_event(self, event_id: str) -> dict[str, Any] | None:
        """``GET /api/v1/orders/by-event/{event_id}``: the order placed with ``event_id`` (``OrderPublic``);
        None until it is delivered."""
        answer = self.get_json(f"{ORDERS}/by-event/{event_id}")
        return dict(answer) if isinstance(answer, dict) else None

    def confirm_received(self, order_event_id: str, confirm: ReceiptConfirm | None = None) -> str:
        """``POST /api/v1/orders/by-event/{event_id}/confirm-received`` through the outbox: the goods arrived
        (safe to repeat), with ``confirm`` the resident's yes or no to the bill shown; returns its event id."""
        body = confirm.model_dump(mode="json", exclude_none=True) if confirm is not None else {}
        return self.submit(f"{ORDERS}/by-event/{order_event_id}/confirm-received", body,
                           event_id=f"received-{order_event_id}"[:100])

    def answer_substitute(self, order_event_id: str, answer: SubstituteAnswer) -> str:
        """``POST /api/v1/orders/by-event/{event_id}/substitutes`` through the outbox: the resident keeps or
        declines a substitute (the first answer stands); returns its event id. Answer: ``OrderPublic``."""
        return self.submit(f"{ORDERS}/by-event/{order_event_id}/substitutes", answer.model_dump(mode="json"),
                           event_id=f"sub{answer.line_id}-{order_event_id}"[:100])

    # ----- activities ----------------------------------------------------------------------

    def activities(self) -> list[Any]:
        """``GET /api/v1/activities``: upcoming activities of the site, soonest first (``ActivityPublic``)."""
        return list(self.get_json(ACTIVITIES) or [])

    def sign_up(self, activity_id: int, signup: SignupCreate) -> str:
        """``POST /api/v1/activities/{id}/signups`` through the outbox (confirmed while there is room, else
        waitlisted); returns its event id. Answer: ``SignupResultPublic``."""
        return self.submit(f"{ACTIVITIES}/{int(activity_id)}/signups", signup.model_dump(mode="json"),
                           event_id=signup.event_id)

    def cancel_sign_up(self, activity_id: int, cancel: SignupCancel) -> str:
        """``POST /api/v1/activities/{id}/signups/cancel`` through the outbox; returns its event id (a new one
        when ``cancel`` has none). Answer: ``SignupPublic``."""
        return self.submit(f"{ACTIVITIES}/{int(activity_id)}/signups/cancel",
                           cancel.model_dump(mode="json", exclude_none=True), event_id=cancel.event_id)

    # ----- residents -----------------------------------------------------------------------

    def lookup_resident(self, code: str) -> dict[str, Any] | None:
        """``GET /api/v1/residents/lookup?code=``: the resident with this kiosk code (``ResidentGreeting``),
        None when unknown."""
        answer = self.get_json(f"{RESIDENTS}/lookup?code={quote(code)}")
        return dict(answer) if isinstance(answer, dict) else None

    def resident_greeting(self, resident_id: int) -> dict[str, Any] | None:
        """``GET /api/v1/residents/{id}``: a resident's greeting by id (``ResidentGreeting``), None when the
        portal does not know them (or does not offer the route)."""
        answer = self.get_json(f"{RESIDENTS}/{int(resident_id)}")
        return dict(answer) if isinstance(answer, dict) else None

    def phone_requests(self, resident_id: int) -> list[Any]:
        """``GET /api/v1/residents/{id}/phone-requests``: what the desk recorded for the resident lately, with
        states (``RecordedRequest`` rows; empty when the portal does not offer the route)."""
        answer = self.get_json(f"{RESIDENTS}/{int(resident_id)}/phone-requests")
        return list(answer.get("requests") or []) if isinstance(answer, dict) else []

    def resident_activities(self, resident_id: int) -> list[Any]:
        """``GET /api/v1/residents/{id}/activities``: the resident's live sign-ups (``SignupPublic``)."""
        return list(self.get_json(f"{RESIDENTS}/{int(resident_id)}/activities") or [])

    # ----- roll calls (点名) -----------------------------------------------------------------

    def open_roll_calls(self, resident_id: int) -> dict[str, Any] | None:
        """``GET /api/v1/roll-calls/open?resident_id=``: the open roll calls that list the resident
        (``OpenRollCalls``)."""
        answer = self.get_json(f"/api/v1/roll-calls/open?resident_id={int(resident_id)}")
        return dict(answer) if isinstance(answer, dict) else None

    def answer_roll_call(self, answer: RollCallAnswer) -> str:
        """``POST /api/v1/roll-calls/answers`` through the outbox: 我平安 or 我需要帮助; returns its event id.
        Answer: ``RollCallAnswered``."""
        return self.submit("/api/v1/roll-calls/answers", answer.model_dump(mode="json"), event_id=answer.event_id)

    # ----- ratings -------------------------------------------------------------------------

    def rate(self, rating: RatingCreate) -> str:
        """``POST /api/v1/ratings`` through the outbox: 1–5 stars for an order, alert or activity; returns its
        event id. Answer: ``RatingStored``."""
        return self.submit("/api/v1/ratings", rating.model_dump(mode="json", exclude_none=True),
                           event_id=rating.event_id)

    # ----- residents' voice (反映问题) ---------------------------------------------------------

    def report_feedback(self, report: FeedbackCreate) -> str:
        """``POST /api/v1/feedback`` through the outbox: a problem or suggestion; returns its event id.
        Answer: ``FeedbackStored``."""
        return self.submit("/api/v1/feedback", report.model_dump(mode="json"), event_id=report.event_id)

    def feedback_replies(self, resident_id: int) -> list[Any]:
        """``GET /api/v1/feedback/replies?resident_id=``: replies the resident has not heard (``FeedbackReply``)."""
        return list(self.get_json(f"/api/v1/feedback/replies?resident_id={int(resident_id)}") or [])

    def reply_heard(self, feedback_id: int) -> str:
        """``POST /api/v1/feedback/{id}/heard`` through the outbox (safe to repeat); returns its event id."""
        heard = ReplyHeard(event_id=f"heard-{int(feedback_id)}")
        return self.submit(f"/api/v1/feedback/{int(feedback_id)}/heard", heard.model_dump(mode="json"),
                           event_id=heard.event_id)

    # ----- time bank (时间银行) -----------------------------------------------------------------

    def resident_points(self, resident_id: int) -> dict[str, Any] | None:
        """``GET /api/v1/timebank/residents/{id}``: balance, rewards, rewards waiting (``ResidentPoints``)."""
        answer = self.get_json(f"/api/v1/timebank/residents/{int(resident_id)}")
        return dict(answer) if isinstance(answer, dict) else None

    def redeem(self, redemption: RedemptionCreate) -> str:
        """``POST /api/v1/timebank/redemptions`` through the outbox; returns its event id. Answer:
        ``RedemptionStored``."""
        return self.submit("/api/v1/timebank/redemptions", redemption.model_dump(mode="json"),
                           event_id=redemption.event_id)
