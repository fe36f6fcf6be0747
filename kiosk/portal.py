"""The kiosk's view of the portal client.

The real client is ``caregiver_portal.client.PortalClient`` (see docs/team-contracts.md);
the kiosk only needs the subset in :class:`KioskPortal`, so tests can pass a fake. Besides
help calls, the community services use the client's generic calls: ``submit`` (a durable
POST through the outbox), ``get_json`` (a direct GET), ``outbox_state`` and ``wake``.
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

