"""When an emergency needs a review, and when an alarm was accidental. Pure: time is passed in.

- **Review**: an emergency that nobody accepted within :data:`REVIEW_AFTER` (180 s, the TEC
  anchor's second target) of when it began. An alert closed (cancelled or resolved) before that
  without being accepted needs none: nobody was left waiting. A fall cancelled on the band is on
  record only and never escalated, so it needs none either.
- **Accidental alarm**: cancelled within :data:`CANCEL_WINDOW` of when it began (by the senior, a
  device or anyone), cancelled on the band, or marked false by a volunteer (cancelled from the
  portal with a reason: the alert page's "误报？取消原因").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

REVIEW_AFTER = timedelta(seconds=180)
CANCEL_WINDOW = timedelta(seconds=60)
REVIEW_REASON = "180 秒内无人接单"


@dataclass(frozen=True)
class AlertTimes:
    """What the rules need of one alert."""

    created_at: datetime
    """When the portal stored it."""
    occurred_at: datetime | None = None
    """When the device says it happened (the press)."""
    accepted_at: datetime | None = None
    closed_at: datetime | None = None
    """Resolved or cancelled."""
    on_record_only: bool = False
    """A fall cancelled on the band: stored, never escalated."""

    @property
    def started_at(self) -> datetime:
        """When the wait began: the press, unless the device's clock puts it after the arrival."""
        if self.occurred_at is not None and self.occurred_at < self.created_at:
            return self.occurred_at
        return self.created_at


def review_due(times: AlertTimes, now: datetime, *, after: timedelta = REVIEW_AFTER) -> bool:
    """True when the emergency was (or still is) not accepted within ``after`` of its start, at ``now``."""
    if times.on_record_only:
        return False
    deadline = times.started_at + after
    if times.accepted_at is not None:
        return times.accepted_at > deadline
    if times.closed_at is not None:
        return times.closed_at > deadline
    return now >= deadline


def waited_seconds(times: AlertTimes) -> int | None:
    """Seconds from the start until accepted, or None when nobody accepted it."""
    if times.accepted_at is None:
        return None
    return max(0, int((times.accepted_at - times.started_at).total_seconds()))


def accidental(times: AlertTimes, *, cancelled: bool, cancelled_by_staff: bool,
               window: timedelta = CANCEL_WINDOW) -> bool:
    """True for an alarm that was a mistake: cancelled within ``window``, on the band, or marked false by staff."""
    if times.on_record_only or (cancelled and cancelled_by_staff):
        return True
    return cancelled and times.closed_at is not None and times.closed_at - times.started_at <= window
