"""The declarative base every feature's tables derive from (each feature keeps its tables in its own
``models.py``; :mod:`caregiver_portal.tables` imports them all)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer
from sqlalchemy.orm import DeclarativeBase

from caregiver_portal.core.db import UTCDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base of every portal table."""

    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}
