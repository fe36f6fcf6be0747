"""The slice of ``caregiver_portal.client.PortalClient`` the bridge uses (network edge), and the portal's
request models (``caregiver_portal.client``: the API's own schemas) built from the bridge's messages.

One client carries alerts and reading batches. Sending them through two clients (two
outboxes, two sender threads) was measured and made the SOS p99 worse on a SQLite portal:
the two requests then contend for SQLite's write lock, whose busy handler sleeps in growing
steps, where one client simply sends them one after the other (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from caregiver_portal.client import AlertCreate, BandStatusIn, CheckinCreate, ReadingIn, UnknownBandIn
from wearable.messages import AlertOut, CheckInOut, ReadingOut


class PortalSink(Protocol):
    """What the bridge calls on the portal client; each call commits to a durable outbox."""

    def raise_alert(self, alert: AlertCreate) -> str:
        """Queue an alert; returns its event id at once."""
        ...

    def post_readings(self, readings: Sequence[ReadingIn]) -> str:
        """Queue a batch of readings; returns the batch id at once."""
        ...

    def cancel_alert(self, event_id: str, *, reason: str = "") -> str:
        """Queue the cancellation of an alert raised earlier; returns the cancellation's id."""
        ...


class FullPortal(PortalSink, Protocol):
    """The whole client as the runner uses it: durable calls, status reports, the bands and their keys."""

    def report_band_status(self, bands: Sequence[BandStatusIn]) -> dict[str, Any]:
        """Send band statuses now (not durable)."""
        ...

    def report_unknown_bands(self, bands: Sequence[UnknownBandIn]) -> dict[str, Any]:
        """Send the unregistered bands heard now (not durable); the answer lists those registered meanwhile."""
        ...

    def band_keys(self) -> list[dict[str, Any]]:
        """This site's bands as the bridge serves them: ``[{address, scheme, key}]`` (key hex or null)."""
        ...

    def check_in(self, checkin: CheckinCreate) -> str:
        """Queue a band's check-in (a double press) durably: ``POST /api/v1/checkins``."""
        ...


def alert_request(alert: AlertOut) -> AlertCreate:
    """The portal request for an alert the bridge decided to raise."""
    return AlertCreate(event_id=alert.event_id, kind=alert.kind, emergency=alert.emergency,
                       wristband=alert.wristband, occurred_at=alert.occurred_at, details=dict(alert.details))


def reading_request(reading: ReadingOut) -> ReadingIn:
    """The portal request for one measurement."""
    return ReadingIn(wristband=reading.wristband, kind=reading.kind, value=reading.value,
                     measured_at=reading.measured_at)


def checkin_request(checkin: CheckInOut) -> CheckinCreate:
    """The portal request for a band's daily check-in (a double press)."""
    return CheckinCreate(event_id=checkin.event_id, wristband=checkin.wristband, occurred_at=checkin.occurred_at,
                         radio=checkin.radio)
