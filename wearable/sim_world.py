"""What simulated devices and backends need from the simulated world (a protocol: no import cycle)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol


class World(Protocol):
    """The parts of :class:`wearable.simulator.SimulatedWorld` its devices and backends use."""

    seed: int
    reading_interval: float
    mirror_seconds: float
    status_interval: float
    connect_latency: float
    now: Callable[[], float]
    """Wall clock (Unix seconds): the bands' clocks."""
    monotonic: Callable[[], float]
    """Monotonic clock: mirror windows, bursts."""

    @property
    def bands(self) -> Mapping[str, Any]:
        """Devices by address."""
        ...

    def add_scanner(self, scanner: Any) -> None:
        """Start delivering advertisements to a scanner backend."""
        ...

    def remove_scanner(self, scanner: Any) -> None:
        """Stop delivering advertisements to a scanner backend."""
        ...
