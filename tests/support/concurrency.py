"""Run actions at the same moment in threads: two "portal processes" racing for the same rows."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def at_once(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions in threads released together; returns each result or exception."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = action()
        except Exception as exc:  # the test inspects it
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results
