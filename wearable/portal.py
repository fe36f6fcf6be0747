"""The slice of ``caregiver_portal.client.PortalClient`` the bridge uses (network edge).

One client carries alerts and reading batches. Sending them through two clients (two
outboxes, two sender threads) was measured and made the SOS p99 worse on a SQLite portal:
the two requests then contend for SQLite's write lock, whose busy handler sleeps in growing
steps, where one client simply sends them one after the other (docs/benchmarks.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class PortalSink(Protocol):
    """What the bridge calls on the portal client; both calls commit to a durable outbox."""

    def raise_alert(
        self, *, kind: str, event_id: str | None = None, emergency: bool | None = None,
        wristband: str | None = None, occurred_at: datetime | None = None, details: dict[str, Any] | None = None,
    ) -> str:
        """Queue an alert; returns its event id at once."""
        ...

    def post_readings(self, readings: list[dict[str, Any]]) -> str:
        """Queue a batch of readings; returns the batch id at once."""
        ...

    def cancel_alert(self, event_id: str, *, reason: str = "") -> str:
        """Queue the cancellation of an alert raised earlier; returns the cancellation's id."""
        ...


class FullPortal(PortalSink, Protocol):
    """The whole client as the runner uses it: durable calls, status reports, the bands and their keys."""

    def report_band_status(self, bands: list[dict[str, Any]]) -> dict[str, Any]:
        """Send band statuses now (not durable)."""
        ...

    def report_unknown_bands(self, bands: list[dict[str, Any]]) -> dict[str, Any]:
        """Send the unregistered bands heard now (not durable); the answer lists those registered meanwhile."""
        ...

    def band_keys(self) -> list[dict[str, Any]]:
        """This site's bands as the bridge serves them: ``[{address, scheme, key}]`` (key hex or null)."""
        ...

    def check_in(self, *, wristband: str, event_id: str, occurred_at: datetime, radio: str) -> str:
        """Queue a band's check-in (a double press) durably: ``POST /api/v1/checkins``."""
        ...
