"""Kiosk ratings of services (1–5 stars), stored once per device event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Device
from caregiver_portal.activities.models import Activity
from caregiver_portal.alerts.models import Alert
from caregiver_portal.core.errors import NotFound
from caregiver_portal.core.uow import insert_once, transactional
from caregiver_portal.orders.models import GroceryOrder
from caregiver_portal.ratings.models import Rating
from caregiver_portal.residents.service import resident_of_site

TARGET_LABELS = {"order": "代购", "activity": "活动", "alert": "求助处理", "visit": "走访", "service": "社区服务"}
_TARGET_MODELS: dict[str, type[Activity] | type[GroceryOrder] | type[Alert]] = {
    "order": GroceryOrder, "activity": Activity, "alert": Alert}


@dataclass(frozen=True)
class RatingResult:
    """The stored rating and whether the event was stored before."""

    rating: Rating
    duplicate: bool


@transactional
def record_rating(*, session: Session, device: Device, client_event_id: str, target_kind: str, target_id: int | None,
                  stars: int, comment: str, resident_id: int | None, now: datetime) -> RatingResult:
    """Store a rating once per (device, event id); the rated order, activity or alert must be of the device's site."""
    def stored() -> Rating | None:
        return session.scalar(select(Rating).where(Rating.source_device_id == device.id,
                                                   Rating.client_event_id == client_event_id))

    earlier = stored()
    if earlier is not None:
        return RatingResult(earlier, duplicate=True)
    model = _TARGET_MODELS.get(target_kind)
    if model is not None and target_id is not None:
        target_site = session.scalar(select(model.site_id).where(model.id == target_id))
        if target_site != device.site_id:  # None: no such target
            raise NotFound("找不到要评价的服务")
    if resident_id is not None:
        resident_of_site(session, resident_id, device.site_id)
    rating = Rating(site_id=device.site_id, source_device_id=device.id, client_event_id=client_event_id,
                    target_kind=target_kind, target_id=target_id, resident_id=resident_id, stars=stars,
                    comment=comment.strip()[:500], created_at=now)
    rating, created = insert_once(session, rating, stored)
    return RatingResult(rating, duplicate=not created)
