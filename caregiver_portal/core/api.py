"""Shared pieces of the device API routers (under /api/v1): the error answers every route documents and
the path parameters for ids and device event ids."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

from caregiver_portal.core.schemas import ConflictBody, ErrorBody, InvalidBody

PREFIX = "/api/v1"
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again", "schema": {"type": "integer"}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "A request the portal cannot read at all (e.g. a broken multipart body)"},
    401: {"model": ErrorBody, "description": "No device token, or one that is unknown or revoked"},
    403: {"model": ErrorBody, "description": "The token is valid but this kind of device may not do this"},
    404: {"model": ErrorBody, "description": "Not found at this device's site"},
    409: {"model": ConflictBody, "description": "Not possible in the current state, or the id names another request"},
    413: {"model": ErrorBody, "description": "The body is larger than the portal takes (also when chunked)"},
    422: {"model": InvalidBody, "description": "Not valid: wrong fields, text with control characters or unpaired "
                                               "surrogates, timestamps outside 2000 .. now + 1 day, not UTF-8"},
    503: {"model": ErrorBody, "headers": RETRY_AFTER,
          "description": "The database or the disk cannot take it now; the same request later will succeed"},
}
"""The error answers every device route documents (and the portal gives: core/error_pages.py)."""


def resent(model: type[Any]) -> dict[int | str, dict[str, Any]]:
    """The 200 a route that creates with 201 gives when the same id comes again: the stored answer, ``duplicate``
    true."""
    return {200: {"model": model, "description": "The same id sent again: what was stored, with duplicate true"}}
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
EventIdPath = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]
