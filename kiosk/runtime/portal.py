"""Every portal call the kiosk makes, in one module; the paths and bodies are the client SDK's.

:class:`KioskPortal` is the subset of ``caregiver_portal.client.PortalClient`` the kiosk uses
(tests pass a fake with the same calls). :class:`CommunityApi` puts the kiosk's values into the
API's request models (``caregiver_portal.<feature>.schemas``, imported here without the client,
which is built lazily) and calls the SDK: reads (catalog, activities, residents, orders) raise the
client's ``PortalUnavailable`` when it cannot be reached — callers run them on worker threads
and fall back to their caches; writes (orders, receipts, sign-ups, ratings) go to the durable
outbox first and return their event id at once. The kiosk builds no path and no JSON body itself.
Endpoints: docs/team-contracts.md ("Community device API") and docs/device-api.md.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, get_args

from caregiver_portal.activities.schemas import SignupCancel, SignupCreate
from caregiver_portal.alerts.schemas import AlertCreate
from caregiver_portal.feedback.schemas import FeedbackCreate, FeedbackKind
from caregiver_portal.orders.schemas import OrderCreate, OrderLineIn, ReceiptConfirm, SubstituteAnswer
from caregiver_portal.ratings.schemas import RatingCreate, RatingTarget
from caregiver_portal.roll_calls.schemas import RollCallAnswer, RollCallReply
from caregiver_portal.safety.schemas import CheckinCreate
from caregiver_portal.timebank.schemas import RedemptionCreate
from kiosk.errors import CancelNotAvailable

if TYPE_CHECKING:
    from kiosk.config import KioskConfig

logger = logging.getLogger(__name__)


class KioskPortal(Protocol):
    """What the kiosk calls on the portal client (``caregiver_portal.client.PortalClient``; tests pass a fake)."""

    def start(self) -> None:
        """Start the background outbox sender."""

    def stop(self) -> None:
        """Stop the sender; pending requests stay on disk."""

    def raise_alert(self, alert: AlertCreate) -> str:
        """Commit an alert to the durable outbox and return its event id at once."""

    def delivery(self, event_id: str) -> Mapping[str, Any] | None:
        """The portal's answer once the outbox delivered ``event_id``, else None."""

    def get_alert_for_event(self, event_id: str) -> Mapping[str, Any] | None:
        """Alert JSON for an event id, or None; raises PortalUnavailable when offline."""

    def site_alerts(self) -> list[dict[str, Any]]:
        """Alerts of the kiosk's site, newest first; raises PortalUnavailable when offline."""

    def outbox_state(self, event_id: str) -> str | None:
        """``pending``, ``delivered``, ``rejected`` or None when ``event_id`` is not in the outbox."""

    def wake(self) -> None:
        """Ask the outbox sender to try now instead of sleeping out its backoff."""

    def nearby_bands(self, *, within_s: int = ..., limit: int = ...) -> list[dict[str, Any]]:
        """Wristbands heard at the site lately, strongest signal first; PortalUnavailable when offline."""

    def fetch_static(self, path: str) -> bytes:
        """A public portal file (a catalog picture) as bytes; PortalUnavailable when offline."""

    def catalog(self) -> list[Any]:
        """The site's grocery catalog rows; PortalUnavailable when offline."""

    def activities(self) -> list[Any]:
        """Upcoming activity rows of the site; PortalUnavailable when offline."""

    def lookup_resident(self, code: str) -> dict[str, Any] | None:
        """The resident with a kiosk code, or None; PortalUnavailable when offline."""

    def resident_greeting(self, resident_id: int) -> dict[str, Any] | None:
        """A resident's greeting by id, or None; PortalUnavailable when offline."""

    def resident_activities(self, resident_id: int) -> list[Any]:
        """A resident's live sign-up rows; PortalUnavailable when offline."""

    def order_for_event(self, event_id: str) -> dict[str, Any] | None:
        """The order placed with ``event_id``, or None until delivered; PortalUnavailable when offline."""

    def place_order(self, order: OrderCreate) -> str:
        """Store a grocery order in the outbox; returns its event id."""

    def confirm_received(self, order_event_id: str, confirm: ReceiptConfirm | None = None) -> str:
        """Store "the goods arrived" for an order (with the senior's answer to the bill); returns its event id."""

    def answer_substitute(self, order_event_id: str, answer: SubstituteAnswer) -> str:
        """Store the senior's answer to a substitute; returns its event id."""

    def phone_requests(self, resident_id: int) -> list[Any]:
        """What the desk recorded for the resident lately, with states; PortalUnavailable when offline."""

    def sign_up(self, activity_id: int, signup: SignupCreate) -> str:
        """Store a sign-up in the outbox; returns its event id."""

    def cancel_sign_up(self, activity_id: int, cancel: SignupCancel) -> str:
        """Store the withdrawal of a sign-up; returns its event id."""

    def rate(self, rating: RatingCreate) -> str:
        """Store a rating in the outbox; returns its event id."""

    def check_in(self, checkin: CheckinCreate) -> str:
        """Store a daily check-in in the outbox; returns its event id."""

    def open_roll_calls(self, resident_id: int) -> dict[str, Any] | None:
        """The open roll calls that list the resident; PortalUnavailable when offline."""

    def answer_roll_call(self, answer: RollCallAnswer) -> str:
        """Store an answer to the open roll calls in the outbox; returns its event id."""

    def report_feedback(self, report: FeedbackCreate) -> str:
        """Store a problem or suggestion (反映问题) in the outbox; returns its event id."""

    def feedback_replies(self, resident_id: int) -> list[Any]:
        """Replies to the resident's reports not heard yet; PortalUnavailable when offline."""

    def reply_heard(self, feedback_id: int) -> str:
        """Store "the reply was heard" in the outbox; returns its event id."""

    def resident_points(self, resident_id: int) -> dict[str, Any] | None:
        """The resident's points and the rewards on offer; PortalUnavailable when offline."""

    def redeem(self, redemption: RedemptionCreate) -> str:
        """Store a redemption of points in the outbox; returns its event id."""


def make_portal_client(config: KioskConfig) -> KioskPortal:
    """Build the real PortalClient from the kiosk configuration (imported lazily)."""
    from caregiver_portal.client import PortalClient

    config.outbox_path.parent.mkdir(parents=True, exist_ok=True)
    client: KioskPortal = PortalClient(
        base_url=config.portal_url, token=config.token, outbox_path=config.outbox_path
    )
    return client


def is_unreachable(exc: BaseException) -> bool:
    """True when ``exc`` means "the portal cannot be reached" rather than a bug."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"PortalUnavailable", "ConnectionError", "Timeout", "TimeoutError", "OSError"})


CANCEL_REASON = "长者在自助机上确认没事，取消呼叫"


def cancel_help_call(client: KioskPortal, *, event_id: str) -> None:
    """Withdraw a help call the senior says was a mistake (durable, through the outbox).

    Uses ``PortalClient.cancel_alert(event_id, reason=...)`` (device endpoint
    ``POST /api/v1/alerts/by-event/{event_id}/cancel``). A client without that method raises
    :class:`CancelNotAvailable`, and the status screen tells the senior to say so to the
    volunteer instead.
    """
    cancel = getattr(client, "cancel_alert", None)
    if not callable(cancel):
        logger.warning("help call %s: cancel requested but the portal client cannot cancel", event_id)
        raise CancelNotAvailable("this portal client has no cancel_alert()")
    cancel(event_id, reason=CANCEL_REASON)


RATING_TARGETS: dict[str, RatingTarget] = {kind: kind for kind in get_args(RatingTarget)}
"""What a kiosk may rate, by the name its screens use (the API's own list)."""
ROLL_CALL_REPLIES: dict[str, RollCallReply] = {reply: reply for reply in get_args(RollCallReply)}
"""What a resident may answer to a roll call (the API's own list)."""
FEEDBACK_KINDS: dict[str, FeedbackKind] = {kind: kind for kind in get_args(FeedbackKind)}
"""What a resident may report: a problem or a suggestion (the API's own list)."""


def new_event_id(kind: str) -> str:
    """A fresh idempotency key such as ``order-3f2a…`` (1–100 of ``A-Za-z0-9._:-``)."""
    return f"{kind}-{uuid.uuid4().hex}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a durable request is: ``pending``, ``delivered``, ``rejected`` or ``unknown``."""

    state: str
    answer: Mapping[str, Any] | None = None
    """The portal's JSON answer once delivered."""


class CommunityApi:
    """Groceries, activities, residents and ratings through one portal client."""

    def __init__(self, client: KioskPortal) -> None:
        """``client``: a PortalClient (or a fake offering the same calls)."""
        self.client = client

    # ---- reads (raise PortalUnavailable when offline) ---------------------------------------
    def catalog(self) -> list[Any]:
        """The site's grocery catalog, by category."""
        return self.client.catalog()

    def activities(self) -> list[Any]:
        """Upcoming activities of the site, soonest first."""
        return self.client.activities()

    def lookup_resident(self, code: str) -> dict[str, Any] | None:
        """``{"id", "polite_name", "room"}`` for a resident code, or None when unknown."""
        return self.client.lookup_resident(code)

    def greeting_for(self, resident_id: int) -> dict[str, Any] | None:
        """A resident's greeting by id, where the portal offers it (None otherwise)."""
        answer = self.client.resident_greeting(resident_id)
        return answer if answer and answer.get("polite_name") else None

    def nearby(self, *, within_s: int = 30, limit: int = 5) -> list[dict[str, Any]]:
        """Wristbands heard lately at the site, strongest signal first."""
        return list(self.client.nearby_bands(within_s=within_s, limit=limit))

    def resident_activities(self, resident_id: int) -> list[Any]:
        """The resident's live sign-ups (confirmed or waitlisted)."""
        return self.client.resident_activities(resident_id)

    def order(self, event_id: str) -> dict[str, Any] | None:
        """The order placed with ``event_id`` (None until delivered)."""
        return self.client.order_for_event(event_id)

    def alert(self, event_id: str) -> dict[str, Any] | None:
        """The help call raised with ``event_id`` (None until delivered)."""
        answer = self.client.get_alert_for_event(event_id)
        return dict(answer) if isinstance(answer, Mapping) else None

    # ---- durable writes ------------------------------------------------------------------
    def place_order(self, *, resident_id: int | None, items: Sequence[Mapping[str, Any]], note: str = "",
                    event_id: str | None = None) -> str:
        """Store a grocery order (``items``: ``{"item_id"|"name", "quantity", "unit"}``)."""
        return self.client.place_order(OrderCreate(
            event_id=event_id or new_event_id("order"), resident_id=resident_id, note=note,
            items=[OrderLineIn.model_validate(item) for item in items]))

    def confirm_received(self, order_event_id: str, *, amount_fen: int | None = None,
                         amount_accepted: bool | None = None) -> str:
        """Store "the goods arrived" for an order (safe to repeat), with the senior's yes or no to the bill."""
        confirm = ReceiptConfirm(amount_fen=amount_fen, amount_accepted=amount_accepted) \
            if amount_accepted is not None else None
        return self.client.confirm_received(order_event_id, confirm)

    def answer_substitute(self, order_event_id: str, *, line_id: int, accept: bool) -> str:
        """Store the senior's 要 / 不要 for a substitute (the first answer stands)."""
        return self.client.answer_substitute(order_event_id, SubstituteAnswer(line_id=line_id, accept=accept))

    def phone_requests(self, resident_id: int) -> list[dict[str, Any]]:
        """The resident's requests recorded by the desk (电话代录) lately, with their states."""
        return [dict(row) for row in self.client.phone_requests(resident_id) if isinstance(row, Mapping)]

    def sign_up(self, *, activity_id: int, resident_id: int, event_id: str | None = None) -> str:
        """Store a sign-up (confirmed while there is room, else waitlisted)."""
        return self.client.sign_up(activity_id, SignupCreate(event_id=event_id or new_event_id("signup"),
                                                             resident_id=resident_id))

    def cancel_sign_up(self, *, activity_id: int, resident_id: int, event_id: str | None = None) -> str:
        """Store the withdrawal of a sign-up."""
        return self.client.cancel_sign_up(activity_id, SignupCancel(event_id=event_id or new_event_id("unsign"),
                                                                    resident_id=resident_id))

    def rate(self, *, target_kind: str, target_id: int | None, stars: int, comment: str = "",
             resident_id: int | None = None, event_id: str | None = None) -> str:
        """Store a 1–5 star rating of an order, alert or activity."""
        return self.client.rate(RatingCreate(event_id=event_id or new_event_id("rating"),
                                             target_kind=RATING_TARGETS[target_kind],
                                             target_id=target_id, stars=stars, comment=comment[:500],
                                             resident_id=resident_id))

    def check_in(self, *, resident_id: int, occurred_at: datetime, event_id: str | None = None) -> str:
        """Store the daily check-in (平安打卡, 我今天很好) of an identified resident."""
        return self.client.check_in(CheckinCreate(event_id=event_id or new_event_id("checkin"), resident_id=resident_id,
                                                  occurred_at=occurred_at))

    def open_roll_calls(self, resident_id: int) -> list[dict[str, Any]]:
        """The open roll calls (点名) that list the resident, each with what they answered so far."""
        answer = self.client.open_roll_calls(resident_id)
        return list((answer or {}).get("roll_calls") or [])

    def answer_roll_call(self, *, resident_id: int, answer: str, event_id: str | None = None) -> str:
        """Store the resident's answer to the open roll calls: ``safe`` or ``help``."""
        return self.client.answer_roll_call(RollCallAnswer(event_id=event_id or new_event_id("rollcall"),
                                                           resident_id=resident_id, answer=ROLL_CALL_REPLIES[answer]))

    def report_feedback(self, *, resident_id: int, kind: str, category: str, text: str = "",
                        event_id: str | None = None) -> str:
        """Store a problem or suggestion (反映问题) of an identified resident."""
        return self.client.report_feedback(FeedbackCreate.model_validate({
            "event_id": event_id or new_event_id("feedback"), "resident_id": resident_id,
            "kind": FEEDBACK_KINDS[kind], "category": category, "text": text[:500]}))

    def feedback_replies(self, resident_id: int) -> list[Any]:
        """Replies to the resident's reports not heard yet (``FeedbackReply`` rows)."""
        return self.client.feedback_replies(resident_id)

    def reply_heard(self, feedback_id: int) -> str:
        """Store that the resident heard a reply (safe to repeat)."""
        return self.client.reply_heard(feedback_id)

    def resident_points(self, resident_id: int) -> dict[str, Any] | None:
        """The resident's points, the rewards on offer and those waiting to be handed over."""
        return self.client.resident_points(resident_id)

    def redeem(self, *, resident_id: int, reward_id: int, event_id: str | None = None) -> str:
        """Store the resident's redemption of a reward."""
        return self.client.redeem(RedemptionCreate(event_id=event_id or new_event_id("redeem"),
                                                   resident_id=resident_id, reward_id=reward_id))

    def outcome(self, event_id: str) -> Outcome:
        """Whether the portal has taken a durable request yet (local; never blocks on the network)."""
        state = self.client.outbox_state(event_id) or "unknown"
        answer = self.client.delivery(event_id) if state == "delivered" else None
        return Outcome(state, answer)
