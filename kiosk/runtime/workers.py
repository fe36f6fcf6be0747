"""Background polling threads that hand their results to the UI thread.

Network calls never run on the Kivy thread: a :class:`PollingWorker` calls ``fetch`` on
its own daemon thread and passes each result to ``deliver`` through ``ui_call`` (in the
app: ``Clock.schedule_once``, which is thread-safe).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")
UiCall = Callable[[Callable[[], None]], None]


def kivy_ui_call(fn: Callable[[], None]) -> None:
    """Run ``fn`` on the Kivy thread at the next frame."""
    from kivy.clock import Clock

    Clock.schedule_once(lambda _dt: fn(), 0)


class PollingWorker(Generic[T]):
    """Calls ``fetch`` every ``interval_s`` on a daemon thread until stopped or told it is done."""

    def __init__(
        self,
        *,
        name: str,
        fetch: Callable[[], T],
        deliver: Callable[[T], None],
        interval_s: float,
        ui_call: UiCall = kivy_ui_call,
        done: Callable[[T], bool] = lambda _result: False,
    ) -> None:
        """``done(result)`` True ends the loop after delivering that result."""
        self._fetch = fetch
        self._deliver = deliver
        self._interval_s = interval_s
        self._ui_call = ui_call
        self._done = done
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Start polling (the first fetch happens at once)."""
        self._thread.start()

    def wake(self) -> None:
        """Poll now instead of waiting for the interval."""
        self._wake.set()

    def stop(self, timeout: float = 2.0) -> None:
        """Ask the thread to end and wait up to ``timeout`` seconds for it."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        """True while the thread is alive."""
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                result = self._fetch()
            except Exception:  # fetch should handle expected errors; this is a bug: log and go on
                logger.exception("%s: fetch failed", self._thread.name)
            else:
                if self._stop.is_set():
                    break
                self._ui_call(partial(self._deliver, result))
                if self._done(result):
                    break
            self._wake.wait(self._interval_s)
            self._wake.clear()


def run_in_background(
    name: str,
    work: Callable[[], T],
    done: Callable[[T | None], None],
    ui_call: UiCall = kivy_ui_call,
) -> threading.Thread:
    """Run ``work`` once on a daemon thread, then ``done(result)`` on the UI thread.

    An exception in ``work`` is logged and ``done(None)`` still runs, so the screen moves on.
    """

    def run() -> None:
        result: T | None = None
        try:
            result = work()
        except Exception:
            logger.exception("%s failed", name)
        ui_call(lambda: done(result))

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
