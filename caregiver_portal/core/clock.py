"""The portal's clocks: UTC for storage, China Standard Time for what people read.

:func:`utcnow` is the only place the portal reads the clock; services take ``now`` as an argument.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

CHINA_TIME = timezone(timedelta(hours=8), "CST")
"""The community centres' clock: days, weeks, months and reminder texts are in China Standard Time."""


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (the only place the portal reads the clock)."""
    return datetime.now(UTC)
