"""The community device API as the kiosk uses it: typed reads and durable writes.

Reads (catalog, activities, residents, orders) go straight to the portal and raise the
client's ``PortalUnavailable`` when it cannot be reached; callers run them on worker threads
and fall back to their local caches. Writes (orders, receipts, sign-ups, ratings) are stored
in the client's durable outbox first (``client.submit``, urgent) and return their event id
at once; :meth:`CommunityApi.outcome` tells whether the portal took them yet.

Endpoints: docs/team-contracts.md ("Community device API") and docs/device-api.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from kiosk.portal import KioskPortal

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

    def outcome(self, event_id: str) -> Outcome:
        """Whether the portal has taken a durable request yet (local; never blocks on the network)."""
        state = self.client.outbox_state(event_id) or "unknown"
        answer = self.client.delivery(event_id) if state == "delivered" else None
        return Outcome(state, answer)
