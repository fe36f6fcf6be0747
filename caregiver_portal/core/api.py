"""Shared pieces of the device API routers (under /api/v1): the error answers every route documents and
the path parameters for ids and device event ids."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

from caregiver_portal.core.schemas import ErrorBody

PREFIX = "/api/v1"
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorBody}, 403: {"model": ErrorBody},
                                           404: {"model": ErrorBody}, 409: {"model": ErrorBody},
                                           422: {"model": ErrorBody}}
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
EventIdPath = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]
