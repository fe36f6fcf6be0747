"""When an unattended kiosk goes back to the home screen, and how taps are debounced.

Seniors need time: we never jump home silently. After ``timeout_s`` without a touch the
kiosk shows and speaks a warning; only ``grace_s`` later does it return home.
"""

from __future__ import annotations

from enum import StrEnum

HOME = "home"
IDLE_WARNING = "idle_warning"
IDLE_WARNING_TEXT = "您还在使用吗？"


class IdleAction(StrEnum):
    """What the idle check asks the app to do."""

    NONE = "none"
    WARN = "warn"
    GO_HOME = "go_home"


def idle_action(
    *,
    screen: str,
    idle_s: float,
    warning_for_s: float,
    timeout_s: float,
    grace_s: float,
    exempt: bool = False,
) -> IdleAction:
    """Decide the idle step; ``warning_for_s`` is how long the warning has been showing."""
    if screen == HOME or exempt:
        return IdleAction.NONE
    if screen == IDLE_WARNING:
        return IdleAction.GO_HOME if warning_for_s >= grace_s else IdleAction.NONE
    return IdleAction.WARN if idle_s >= timeout_s else IdleAction.NONE


def idle_warning_speech(grace_s: float) -> str:
    """What the warning screen says aloud."""
    return f"{IDLE_WARNING_TEXT}如果还要用，请按“我还在”。{int(grace_s)} 秒后会回到首页。"


class TapGuard:
    """Ignores taps for a short time after a screen change and repeated taps (tremor)."""

    def __init__(self, guard_s: float) -> None:
        """``guard_s``: how long taps are ignored after :meth:`block`."""
        self.guard_s = guard_s
        self._blocked_until = float("-inf")

    def block(self, now: float) -> None:
        """Start a new guard period (called on every screen change and accepted tap)."""
        self._blocked_until = now + self.guard_s

    def ready(self, now: float) -> bool:
        """True when a tap at ``now`` would be accepted."""
        return now >= self._blocked_until

    def accept(self, now: float) -> bool:
        """Accept a tap at ``now`` (and start a new guard period) or refuse it."""
        if not self.ready(now):
            return False
        self.block(now)
        return True
