"""Typed settings of the BLE bridge, validated once at start."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BridgeSettings:
    """Tuning knobs of :class:`wearable.bridge.WristbandBridge` (seconds unless noted)."""

    batch_interval: float = 5.0
    """Readings are posted to the portal in one batch this often."""
    fall_cancel_window: float = 30.0
    """A detected fall waits this long for the wearer's cancel before it is forwarded (0: at once)."""
    max_connections: int = 5
    """Simultaneous GATT connections; further bands are covered by their advertisement mirror only."""
    reconnect_initial: float = 1.0
    """First wait after a failed or lost connection."""
    reconnect_max: float = 60.0
    """Upper bound of the exponential reconnect backoff."""
    stable_after: float = 10.0
    """A connection that lasted this long resets the backoff."""
    connect_attempts: int = 2
    """Attempts per ``establish_connection`` call (bleak-retry-connector's ``max_attempts``)."""
    connect_timeout: float = 45.0
    """Upper bound of one ``establish_connection`` call."""
    advert_fresh: float = 10.0
    """Only connect to a band whose advertisement was received this recently."""
    nearby_ttl: float = 30.0
    """``nearby()`` lists devices heard within this time."""
    itag_debounce: float = 2.0
    """iTAG notifications closer than this are one press (also across a restart, see ``wearable.state``)."""
    status_interval: float = 10.0
    """Band statuses (connected, last seen, RSSI, battery) are reported to the portal this often."""
    adapter: str | None = None
    """BlueZ adapter to use (e.g. ``"hci0"``); None lets bleak choose. Ignored by other backends."""
    reorder_window: float = 5.0
    """A frame older than a band's newest is a late copy through a slower radio only this long after
    the newest arrived; later it is a replay (``wearable.replay``)."""

    def __post_init__(self) -> None:
        if self.max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        if self.connect_attempts < 1:
            raise ValueError("connect_attempts must be at least 1")
        for name in ("batch_interval", "reconnect_initial", "reconnect_max", "connect_timeout", "advert_fresh",
                     "status_interval", "reorder_window"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.fall_cancel_window < 0:
            raise ValueError("fall_cancel_window must not be negative")


def backoff_delay(failures: int, *, initial: float, maximum: float, jitter: float = 0.0) -> float:
    """Exponential backoff: ``initial * 2**(failures-1)`` capped at ``maximum``, plus ``jitter``.

    ``jitter`` is a fraction in [0, 1) chosen by the caller (pure: no random source here).
    """
    if failures <= 0:
        return 0.0
    base = min(maximum, initial * 2 ** min(failures - 1, 30))
    return base * (1.0 + 0.25 * jitter)
