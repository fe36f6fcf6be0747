"""One id, one request: the digest of every idempotent device write, kept under (device, kind, event id).

A device re-sends a write under the same id after a lost answer; the portal answers it as a duplicate.
A *different* request under a used id (a re-flashed kiosk whose counter started again, a bug) must not be
answered "duplicate" with the first one's result: :func:`claim_request` raises
:class:`~caregiver_portal.core.errors.IdempotencyConflict` (HTTP 409 naming both digests) and nothing is
stored. Routes call it first, in the transaction that stores the write, so the digest and the write are
committed together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from caregiver_portal.core.errors import IdempotencyConflict
from caregiver_portal.core.models import Base
from caregiver_portal.core.uow import insert_once


class DeviceRequest(Base):
    """The digest of an idempotent write a device sent, one row per (device, kind, event id)."""

    __tablename__ = "device_requests"
    __table_args__ = (UniqueConstraint("device_id", "kind", "event_id", name="uq_device_request"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]


def request_digest(body: BaseModel, **context: Any) -> str:
    """``sha256:…`` of the validated ``body`` (and path parameters in ``context``) as canonical JSON: the same
    request gives the same digest however its JSON was spaced or ordered."""
    content = {**body.model_dump(mode="json"), **context}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(canonical.encode("ascii")).hexdigest()


def claim_request(session: Session, *, device_id: int, kind: str, event_id: str, digest: str,
                  now: datetime) -> None:
    """Record ``digest`` as the request under ``event_id``, or raise :class:`IdempotencyConflict` when that id
    already names a different request. A re-sent identical request passes (its route answers it as a
    duplicate); the claim joins the transaction of the service the route calls next."""
    def stored() -> DeviceRequest | None:
        return session.scalar(select(DeviceRequest).where(
            DeviceRequest.device_id == device_id, DeviceRequest.kind == kind, DeviceRequest.event_id == event_id))

    # the same id sent twice at once: insert_once answers with the one stored first
    claim = stored() or insert_once(session, DeviceRequest(device_id=device_id, kind=kind, event_id=event_id,
                                                           digest=digest, created_at=now), stored)[0]
    if claim.digest != digest:
        raise IdempotencyConflict(event_id=event_id, stored_digest=claim.digest, request_digest=digest)
