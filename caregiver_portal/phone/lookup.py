"""Find what a phone-recorded request became, by its token (what a kiosk follows it by)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.orders.models import GroceryOrder
from caregiver_portal.phone.models import PhoneRequest


def find_request(session: Session, *, token: str) -> PhoneRequest | None:
    """The phone request stored under ``token``, if any."""
    return session.scalar(select(PhoneRequest).where(PhoneRequest.token == token))


def recorded_order(session: Session, *, site_id: int, token: str) -> GroceryOrder | None:
    """The grocery order the duty worker recorded under ``token`` for a resident of ``site_id``."""
    request = find_request(session, token=token)
    if request is None or request.kind != "order" or request.site_id != site_id or request.target_id is None:
        return None
    return session.get(GroceryOrder, request.target_id)
