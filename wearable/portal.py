"""The slice of ``caregiver_portal.client.PortalClient`` the bridge uses (network edge)."""

from __future__ import annotations

from typing import Any, Protocol


class PortalSink(Protocol):
    """What the bridge calls on the portal client; both calls commit to a durable outbox."""

    def raise_alert(
        self, *, kind: str, event_id: str | None = None, emergency: bool | None = None,
        wristband: str | None = None, details: dict[str, Any] | None = None,
    ) -> str:
        """Queue an alert; returns its event id at once."""
        ...

    def post_readings(self, readings: list[dict[str, Any]]) -> str:
        """Queue a batch of readings; returns the batch id at once."""
        ...

    def cancel_alert(self, event_id: str, *, reason: str = "") -> str:
        """Queue the cancellation of an alert raised earlier; returns the cancellation's id."""
        ...
