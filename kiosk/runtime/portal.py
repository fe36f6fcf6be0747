"""Every portal call the kiosk makes, in one module (so adopting the typed client SDK is small).

:class:`KioskPortal` is the subset of ``caregiver_portal.client.PortalClient`` the kiosk uses
(tests pass a fake with the same calls). :class:`CommunityApi` gives the community device API
typed reads and durable writes: reads (catalog, activities, residents, orders) raise the
client's ``PortalUnavailable`` when it cannot be reached — callers run them on worker threads
and fall back to their caches; writes (orders, receipts, sign-ups, ratings) go to the durable
outbox first (``client.submit``, urgent) and return their event id at once.
Endpoints: docs/team-contracts.md ("Community device API") and docs/device-api.md.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from kiosk.errors import CancelNotAvailable

if TYPE_CHECKING:
    from kiosk.config import KioskConfig

logger = logging.getLogger(__name__)


class KioskPortal(Protocol):
    """What the kiosk calls on the portal client."""

    def start(self) -> None:
        """Start the background outbox sender."""

    def stop(self) -> None:
        """Stop the sender; pending requests stay on disk."""

    def raise_alert(self, *, kind: str, event_id: str | None = ..., emergency: bool | None = ...,
                    wristband: str | None = ..., resident_id: int | None = ..., occurred_at: datetime | None = ...,
                    details: dict[str, Any] | None = ...) -> str:
        """Commit an alert to the durable outbox and return its event id at once."""

    def delivery(self, event_id: str) -> Mapping[str, Any] | None:
        """The portal's answer once the outbox delivered ``event_id``, else None."""

    def get_alert_for_event(self, event_id: str) -> Mapping[str, Any] | None:
        """Alert JSON for an event id, or None; raises PortalUnavailable when offline."""

    def site_alerts(self) -> list[dict[str, Any]]:
        """Alerts of the kiosk's site, newest first; raises PortalUnavailable when offline."""

    def submit(self, path: str, body: dict[str, Any], *, event_id: str | None = ..., urgent: bool = ...) -> str:
        """Store a device-API POST in the durable outbox and wake the sender; returns its event id."""

    def get_json(self, path: str) -> Any:
        """GET a device-API path: the JSON answer, None for 404; raises PortalUnavailable when offline."""

    def outbox_state(self, event_id: str) -> str | None:
        """``pending``, ``delivered``, ``rejected`` or None when ``event_id`` is not in the outbox."""

    def wake(self) -> None:
        """Ask the outbox sender to try now instead of sleeping out its backoff."""

    def nearby_bands(self, *, within_s: int = ..., limit: int = ...) -> list[dict[str, Any]]:
        """Wristbands heard at the site lately, strongest signal first; PortalUnavailable when offline."""

    def fetch_static(self, path: str) -> bytes:
        """A public portal file (a catalog picture) as bytes; PortalUnavailable when offline."""


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


GREETING_BY_ID = "/api/v1/residents/{resident_id}"
"""Not on the portal yet (asked for): a resident's greeting by id, for wristband greetings.
Until it exists the portal answers 404 and the kiosk uses the residents it has met before."""


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
    def catalog(self) -> list[dict[str, Any]]:
        """The site's grocery catalog, by category."""
        return list(self.client.get_json("/api/v1/catalog") or [])

    def activities(self) -> list[dict[str, Any]]:
        """Upcoming activities of the site, soonest first."""
        return list(self.client.get_json("/api/v1/activities") or [])

    def lookup_resident(self, code: str) -> dict[str, Any] | None:
        """``{"id", "polite_name", "room"}`` for a resident code, or None when unknown."""
        answer = self.client.get_json(f"/api/v1/residents/lookup?code={quote(code)}")
        return dict(answer) if isinstance(answer, Mapping) else None

    def greeting_for(self, resident_id: int) -> dict[str, Any] | None:
        """A resident's greeting by id, where the portal offers it (None otherwise)."""
        answer = self.client.get_json(GREETING_BY_ID.format(resident_id=int(resident_id)))
        ok = isinstance(answer, Mapping) and answer.get("polite_name")
        return dict(answer) if ok else None

    def nearby(self, *, within_s: int = 30, limit: int = 5) -> list[dict[str, Any]]:
        """Wristbands heard lately at the site, strongest signal first."""
        return list(self.client.nearby_bands(within_s=within_s, limit=limit))

    def resident_activities(self, resident_id: int) -> list[dict[str, Any]]:
        """The resident's live sign-ups (confirmed or waitlisted)."""
        return list(self.client.get_json(f"/api/v1/residents/{int(resident_id)}/activities") or [])

    def order(self, event_id: str) -> dict[str, Any] | None:
        """The order placed with ``event_id`` (None until delivered)."""
        answer = self.client.get_json(f"/api/v1/orders/by-event/{event_id}")
        return dict(answer) if isinstance(answer, Mapping) else None

    def alert(self, event_id: str) -> dict[str, Any] | None:
        """The help call raised with ``event_id`` (None until delivered)."""
        answer = self.client.get_alert_for_event(event_id)
        return dict(answer) if isinstance(answer, Mapping) else None

    # ---- durable writes ------------------------------------------------------------------
    def place_order(self, *, resident_id: int | None, items: Sequence[Mapping[str, Any]], note: str = "",
                    event_id: str | None = None) -> str:
        """Store a grocery order (``items``: ``{"item_id"|"name", "quantity", "unit"}``)."""
        event_id = event_id or new_event_id("order")
        body: dict[str, Any] = {"event_id": event_id, "items": [dict(i) for i in items], "note": note}
        if resident_id is not None:
            body["resident_id"] = resident_id
        return self.client.submit("/api/v1/orders", body, event_id=event_id)

    def confirm_received(self, order_event_id: str) -> str:
        """Store "the goods arrived" for an order (safe to repeat)."""
        return self.client.submit(f"/api/v1/orders/by-event/{order_event_id}/confirm-received", {},
                                  event_id=f"received-{order_event_id}"[:100])

    def sign_up(self, *, activity_id: int, resident_id: int, event_id: str | None = None) -> str:
        """Store a sign-up (confirmed while there is room, else waitlisted)."""
        event_id = event_id or new_event_id("signup")
        return self.client.submit(f"/api/v1/activities/{int(activity_id)}/signups",
                                  {"event_id": event_id, "resident_id": resident_id}, event_id=event_id)

    def cancel_sign_up(self, *, activity_id: int, resident_id: int, event_id: str | None = None) -> str:
        """Store the withdrawal of a sign-up."""
        event_id = event_id or new_event_id("unsign")
        return self.client.submit(f"/api/v1/activities/{int(activity_id)}/signups/cancel",
                                  {"event_id": event_id, "resident_id": resident_id}, event_id=event_id)

    def rate(self, *, target_kind: str, target_id: int | None, stars: int, comment: str = "",
             resident_id: int | None = None, event_id: str | None = None) -> str:
        """Store a 1–5 star rating of an order, alert or activity."""
        event_id = event_id or new_event_id("rating")
        body: dict[str, Any] = {"event_id": event_id, "target_kind": target_kind, "target_id": target_id,
                                "stars": stars, "comment": comment[:500]}
        if resident_id is not None:
            body["resident_id"] = resident_id
        return self.client.submit("/api/v1/ratings", body, event_id=event_id)

    def check_in(self, *, resident_id: int, occurred_at: datetime, event_id: str | None = None) -> str:
        """Store the daily check-in (平安打卡, 我今天很好) of an identified resident."""
        event_id = event_id or new_event_id("checkin")
        return self.client.submit("/api/v1/checkins", {"event_id": event_id, "resident_id": resident_id,
                                                       "occurred_at": occurred_at.isoformat()}, event_id=event_id)

    def open_roll_calls(self, resident_id: int) -> list[dict[str, Any]]:
        """The open roll calls (点名) that list the resident, each with what they answered so far."""
        answer = self.client.get_json(f"/api/v1/roll-calls/open?resident_id={int(resident_id)}")
        return list((answer or {}).get("roll_calls") or [])

    def answer_roll_call(self, *, resident_id: int, answer: str, event_id: str | None = None) -> str:
        """Store the resident's answer to the open roll calls: ``safe`` or ``help``."""
        event_id = event_id or new_event_id("rollcall")
        return self.client.submit("/api/v1/roll-calls/answers", {"event_id": event_id, "resident_id": resident_id,
                                                                 "answer": answer}, event_id=event_id)

    def outcome(self, event_id: str) -> Outcome:
        """Whether the portal has taken a durable request yet (local; never blocks on the network)."""
        state = self.client.outbox_state(event_id) or "unknown"
        answer = self.client.delivery(event_id) if state == "delivered" else None
        return Outcome(state, answer)
