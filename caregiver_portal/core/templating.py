"""The Jinja2 environment of the portal's pages (autoescaping on); each feature's ``web`` module adds the
labels its templates read (e.g. ``KIND_LABELS``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates

from caregiver_portal.core.clock import CHINA_TIME

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def local_time(value: datetime | None) -> str:
    """A timestamp in China Standard Time, as volunteers read it."""
    return value.astimezone(CHINA_TIME).strftime("%m-%d %H:%M:%S") if value else ""


def waited(value: datetime, now: datetime | None = None) -> str:
    """How long ago ``value`` was, in words ("3 分 20 秒")."""
    seconds = max(0, int(((now or datetime.now(UTC)) - value).total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} 分 {seconds} 秒" if minutes else f"{seconds} 秒"


templates.env.filters["local_time"] = local_time
templates.env.filters["waited"] = waited
