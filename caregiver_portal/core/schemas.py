"""Types shared by every device API schema and browser form: the one text type (:data:`PlainText`), the one
timestamp type (:data:`DeviceTimestamp`), event ids, the error body."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

UNSAFE_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (tab, newline and carriage return are fine) and UTF-16 surrogates: a str holding a
surrogate code point cannot be encoded as UTF-8, so no database or page could take it."""
EARLIEST_TIMESTAMP = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_AHEAD = timedelta(days=1)


def check_text(value: str) -> str:
    """``value`` unchanged, or ValueError when it holds a control character or an unpaired surrogate."""
    found = UNSAFE_CHARACTERS.search(value)
    if found is not None:
        what = "an unpaired UTF-16 surrogate" if "\ud800" <= found.group() <= "\udfff" else "a control character"
        raise ValueError(f"text must not contain {what} (U+{ord(found.group()):04X})")
    return value


def check_timestamp(value: datetime, *, now: datetime | None = None,
                    ahead: timedelta | None = LATEST_AHEAD) -> datetime:
    """``value`` unchanged, or ValueError when it is before 2000 (a clock never set) or more than ``ahead`` after
    ``now`` (default: a day after the portal's clock; None: no upper bound) — including dates that do not exist
    in UTC (year 9999 at -12:00, year 1 at +08:00)."""
    try:
        in_utc = value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(_OUT_OF_RANGE[value.year < 2000]) from exc
    if in_utc < EARLIEST_TIMESTAMP:
        raise ValueError(_OUT_OF_RANGE[True])
    if ahead is not None and in_utc > (now or datetime.now(UTC)) + ahead:
        raise ValueError(_OUT_OF_RANGE[False])
    return value


_OUT_OF_RANGE = {True: "timestamp before 2000-01-01: the device clock is not set",
                 False: "timestamp more than a day in the future: the device clock is wrong"}


SAFE_TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
"""The control characters :data:`UNSAFE_CHARACTERS` refuses, as the JSON Schema ``pattern`` /openapi.json gives for
every text (unpaired surrogates cannot be named in a JSON Schema regex; the 422 description says so)."""


class _DocumentedTextRule:
    """Puts :data:`SAFE_TEXT_PATTERN` into the JSON schema of a text (the rule itself is :func:`check_text`)."""

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler.resolve_ref_schema(handler(core_schema))
        schema.setdefault("pattern", SAFE_TEXT_PATTERN)  # a field's own pattern is stricter (and keeps to it)
        return schema


PlainText = Annotated[str, AfterValidator(check_text), _DocumentedTextRule()]
"""Every text a person or device sends, in a device-API body or a browser form: any characters but control
characters and unpaired surrogates (refused with 422)."""

def check_json_number(value: Any) -> Any:
    """``value`` unchanged when it is a JSON number, else ValueError (``false`` and ``"5"`` are no numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number, not text or true/false")
    return value


WholeNumber = Annotated[int, Field(ge=-2**31, le=2**31 - 1), BeforeValidator(check_json_number)]
"""A 32-bit JSON integer as JSON Schema means it: ``5`` and ``5.0`` are one number; ``5.5``, ``false`` and ``"5"``
are 422 (so are numbers no database column holds)."""

DeviceTimestamp = Annotated[AwareDatetime, AfterValidator(check_timestamp)]
"""Every timestamp a device or form sends: with a time zone, from 2000 to a day after now (else 422)."""

MeasuredAt = Annotated[AwareDatetime, AfterValidator(partial(check_timestamp, ahead=None))]
"""The time of one measurement in a batch (a reading, a band status): the same rule, but one too far ahead is
not a 422 for the whole batch: the ingest applies :func:`check_timestamp` (or a stricter skew) to each item and
counts the refused ones as ``rejected``."""

EventId = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")
"""A device-chosen id that makes re-sending a write harmless."""


class ErrorBody(BaseModel):
    """Every error answer of the API."""

    detail: Any


class Problem(BaseModel):
    """One thing wrong with a request (a 422 answer lists them)."""

    loc: list[str | int]
    """Where: ``["body", "readings", 0, "value"]``, ``["query", "within_s"]``, ``["body"]`` for a body not in UTF-8."""
    msg: str
    type: str


class InvalidBody(BaseModel):
    """422: the request is not what the route takes; every problem found."""

    detail: list[Problem]


class Digests(BaseModel):
    """The two requests under one id."""

    event_id: str
    stored_digest: str
    """``sha256:…`` of the request stored under ``event_id``."""
    request_digest: str
    """``sha256:…`` of the refused one."""


class ConflictBody(BaseModel):
    """409: the change is not possible in the current state, or (with ``conflict``) the id already names a
    different request and nothing was stored."""

    detail: str
    conflict: Digests | None = None

