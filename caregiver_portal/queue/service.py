"""Recording queue events and telling the volunteers' bots, in the caller's transaction.

Order and activity services call :func:`order_changed` / :func:`signed_up`; the row wakes the live queue
after commit (``EventHub.follow_commits``). A new order or sign-up also becomes a bot notice to every
enabled bot of the site that carries volunteers' messages (a grid's bot only for its own grid) when the site
has ``bot_requests`` on, through the same outbox as alarms.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Site
from caregiver_portal.notifications.models import NotificationChannel
from caregiver_portal.notifications.outbox import enqueue
from caregiver_portal.queue.models import QueueEvent

EVENT = "queue_notice"


def record(session: Session, *, site_id: int, subject: str, subject_id: int, type: str,
           now: datetime | None = None) -> None:
    """One queue event (the live queue pages re-read the queue when it arrives); ``now`` defaults to the clock."""
    session.add(QueueEvent(site_id=site_id, subject=subject, subject_id=subject_id, type=type,
                           **({"at": now} if now is not None else {})))


def volunteer_channels(session: Session, *, site_id: int, grid_id: int | None) -> list[NotificationChannel]:
    """Enabled bots of the site that carry volunteers' messages: whole-site ones and the grid's own."""
    channels = session.scalars(select(NotificationChannel).where(NotificationChannel.site_id == site_id,
                                                                  NotificationChannel.enabled.is_(True))
                               .order_by(NotificationChannel.id))
    return [channel for channel in channels if "volunteer" in (channel.audience or [])
            and (channel.grid_id is None or channel.grid_id == grid_id)]


def tell_volunteers(session: Session, *, site: Site, grid_id: int | None, text: str, title: str, path: str,
                    now: datetime) -> int:
    """Queue ``text`` for the volunteers' bots when the site wants kiosk requests there; returns how many."""
    if not site.bot_requests:
        return 0
    channels = volunteer_channels(session, site_id=site.id, grid_id=grid_id)
    for channel in channels:
        enqueue(session, alert=None, channel_id=channel.id, event=EVENT, now=now,
                payload={"text": text, "title": title, "path": path})
    return len(channels)
