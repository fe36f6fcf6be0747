"""The slots of an intent, filled by rules from the cleaned, homophone-repaired text. Pure."""

from __future__ import annotations

from .activities import match_activity
from .grocery import order_items
from .rules import Context, report_kind, volume_direction


def slots_for(name: str, ctx: Context) -> tuple[str, dict] | None:
    """(intent name, slots) for model class *name*, or None when its slots cannot be filled."""
    if name in ("emergency", "help"):
        return "help", {"emergency": name == "emergency"}
    if name == "volume":
        return "volume", {"direction": volume_direction(ctx.text) or "up"}
    if name == "grocery_order":
        items = order_items(ctx.text, ctx.aliases)
        return ("grocery_order", {"items": items}) if items else ("unknown", {})
    if name in ("activity_signup", "activity_cancel"):
        return name, {"activity_id": match_activity(ctx.text, ctx.activities, ctx.now)}
    if name == "report_problem":
        return name, {"kind": report_kind(ctx.text)}
    return name, {}
