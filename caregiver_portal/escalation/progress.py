"""Where an alert stands on its ladder, for the board card: the step reached, the next one and when. Pure.

The durable state is the ``escalations`` row (phase, anchor, steps fired); the policy gives the
labels and offsets. Nothing here reads the clock or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from caregiver_portal.escalation.policy import Audience, Phase, Policy, Step


@dataclass(frozen=True)
class Progress:
    """The step an alert is on and the one that comes next."""

    current: str | None
    """"第2级：60 秒无人接单，通知全站值班志愿者和护理员" (None before the first step fired)."""
    next_label: str | None
    """What the next step does (None when the ladder has nothing more)."""
    next_at: datetime | None
    """When the next step fires."""
    contacts_reached: bool
    """The open ladder has reached the resident's emergency contacts (volunteers should phone them)."""


def _title(number: int, step: Step, repeat: bool) -> str:
    return f"{'再次' if repeat else f'第{number + 1}级'}：{step.label}"


def progress(policy: Policy, *, phase: Phase, anchor: datetime, fired: int, open_fired: int | None = None) -> Progress:
    """The card's view of ``fired`` steps of ``policy``'s ``phase`` ladder anchored at ``anchor``.

    ``open_fired``: steps the open ladder fired before the alert was accepted (for an accepted alert).
    """
    ladder = policy.ladder(phase)
    current = ladder.entry(fired - 1) if fired > 0 else None
    upcoming = ladder.entry(fired)
    reached = fired if phase == "open" else (open_fired or 0)
    contacts = any(Audience.CONTACTS in step.audiences for step in policy.open.steps[:reached])
    return Progress(
        current=_title(fired - 1, current[1], current[2]) if current is not None else None,
        next_label=_title(fired, upcoming[1], upcoming[2]) if upcoming is not None else None,
        next_at=anchor + upcoming[0] if upcoming is not None else None,
        contacts_reached=contacts,
    )
