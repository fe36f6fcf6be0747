"""Table of uploaded people sheets between preview and confirmation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.models import Base

IMPORT_KINDS = ("residents", "volunteers")
IMPORT_STATES = ("preview", "applied", "discarded")


class ImportBatch(Base):
    """One uploaded sheet: the file, every row's outcome as previewed, then what confirming it did.

    Confirming reads ``content`` again and carries it out only if the outcome is still the one
    previewed. ``content`` and ``plan`` hold personal data: batches are deleted a day after upload;
    ``secrets`` holds the passwords generated for new accounts until the admin has seen them once.
    """

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    state: Mapped[str] = mapped_column(String(12), default="preview")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    plan: Mapped[dict[str, Any]]
    applied_at: Mapped[datetime | None] = mapped_column(default=None)
    secrets: Mapped[dict[str, Any] | None] = mapped_column(default=None)
