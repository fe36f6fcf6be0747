"""The kiosk's view of the portal client, and small helpers the client does not offer yet.

The real client is ``caregiver_portal.client.PortalClient`` (see docs/team-contracts.md);
the kiosk only needs the subset in :class:`KioskPortal`, so tests can pass a fake.

The community services (groceries, activities, ratings) need a generic durable POST and a
generic GET, which ``PortalClient`` has no public method for yet. Until it has,
:func:`durable_post` stores the request in the client's outbox (``client.outbox.put``) and
wakes its sender, and :func:`portal_get` uses the client's own GET (same token, same error
mapping). A client (or test fake) that offers ``post_durable`` / ``get_json`` is used as is.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

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

    def raise_alert(self, *, kind: str, emergency: bool = ..., details: Mapping[str, Any] | None = ...,
                    resident_id: int | None = ...) -> str:
        """Commit an alert to the durable outbox and return its event id at once."""

    def delivery(self, event_id: str) -> Mapping[str, Any] | None:
        """The portal's answer once the outbox delivered ``event_id``, else None."""

    def get_alert_for_event(self, event_id: str) -> Mapping[str, Any] | None:
        """Alert JSON for an event id, or None; raises PortalUnavailable when offline."""

    def site_alerts(self) -> list[Mapping[str, Any]]:
        """Alerts of the kiosk's site, newest first; raises PortalUnavailable when offline."""


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


def durable_post(client: Any, *, event_id: str, path: str, body: Mapping[str, Any], priority: int = 0) -> str:
    """Store a POST in the client's durable outbox and wake its sender; returns ``event_id``.

    Stored before anything is sent, so a request survives a portal outage and a kiosk restart;
    the outbox sends it exactly once per ``event_id`` (the portal is idempotent on it).
    """
    post = getattr(client, "post_durable", None)
    if callable(post):
        return str(post(event_id=event_id, path=path, body=dict(body), priority=priority))
    client.outbox.put(event_id=event_id, method="POST", path=path, body=dict(body), priority=priority)
    wake = getattr(client, "_wake", None)  # PortalClient has no public "send now" yet
    if wake is not None:
        wake.set()
    return event_id


def portal_get(client: Any, path: str) -> Any:
    """GET ``path`` of the device API: the JSON answer, None for 404; PortalUnavailable when offline."""
    get = getattr(client, "get_json", None)
    if callable(get):
        return get(path)
    return client._get(path)  # PortalClient's GET: bearer token, 404 -> None, errors mapped


def outbox_state(client: Any, event_id: str) -> str | None:
    """``pending``, ``delivered``, ``rejected`` or None (unknown) for a durable request."""
    state = getattr(client, "outbox_state", None)
    if callable(state):
        return state(event_id)  # type: ignore[no-any-return]
    outbox = getattr(client, "outbox", None)
    return outbox.state(event_id) if outbox is not None else None


def wake_sender(client: Any) -> None:
    """Ask the client's outbox sender to try now (the portal answered again after an outage),
    instead of sleeping out its backoff (up to 30 s). No-op for clients without a sender."""
    wake = getattr(client, "wake", None)
    if callable(wake):
        wake()
        return
    event = getattr(client, "_wake", None)  # PortalClient has no public "send now" yet
    if event is not None:
        event.set()
