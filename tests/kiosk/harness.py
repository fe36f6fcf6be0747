"""Drive the real kiosk app offscreen, synchronously, in the current process.

For the kiosk's own tests and for end-to-end tests next to Playwright's sync API::

    from tests.kiosk.harness import KioskHarness

    harness = KioskHarness(config)            # builds a PortalClient from the config
    try:
        harness.tap("呼叫帮助")                # by button text or kiosk_id ("home.help")
        harness.tap("confirm_help.yes")
        assert harness.wait_for_text("志愿者已接单", timeout=30)
        harness.screenshot(Path("docs/screenshots/kiosk-accepted.png"))
    finally:
        harness.close()

Everything runs on the calling thread: ``pump`` advances Kivy's clock and frames (so the
kiosk's worker threads' results reach the UI); nothing happens between calls. Kivy has one
window per process: create harnesses one after another, each closed before the next.

Importing this module prepares the environment for headless Kivy (``KIVY_NO_ARGS``,
``KIVY_HOME``, ``KIVY_NO_FILELOG``, ``SDL_AUDIODRIVER=dummy``, ``DISPLAY`` removed unless
``ANXIN_KIOSK_SHOW=1``) — import it before anything imports kivy.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any


def prepare_kivy_environment() -> None:
    """Set the environment headless Kivy needs; call before the first ``import kivy``."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_USE_DEFAULTCONFIG", "1")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    if "KIVY_HOME" not in os.environ:
        os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="anxin-kivy-home-")
    if os.environ.get("ANXIN_KIOSK_SHOW") != "1":
        os.environ.pop("DISPLAY", None)
        os.environ.pop("WAYLAND_DISPLAY", None)
    if os.environ.get("KIVY_GL_BACKEND") == "mock":
        raise RuntimeError("KIVY_GL_BACKEND=mock draws nothing; unset it for kiosk tests")


prepare_kivy_environment()

from kiosk.config import KioskConfig  # noqa: E402
from kiosk.runtime.portal import KioskPortal  # noqa: E402
from kiosk.runtime.speech import LoggingSpeaker, Speaker  # noqa: E402
from kiosk.ui.app import KioskApp  # noqa: E402  (needs the environment above)


def _window(size: tuple[int, int]) -> Any:
    """Create (once per process) or resize the offscreen window and start the event loop.

    The window is first created square and large (1920x1920 or more): SDL's offscreen
    surface does not grow when the window is later resized, so a portrait harness after a
    landscape one would otherwise render only its lower part.
    """
    from kivy.config import Config

    side = max(1920, *size)
    Config.set("graphics", "width", str(side))
    Config.set("graphics", "height", str(side))
    for key, _value in Config.items("input"):
        Config.remove_option("input", key)  # no real mouse or touch devices in tests
    from kivy.base import EventLoop
    from kivy.core.window import Window

    EventLoop.ensure_window()
    if tuple(Window.size) != tuple(size):
        Window.size = size
    if EventLoop.status != "started":
        EventLoop.start()
    return Window


class KioskHarness:
    """The kiosk app in this process, offscreen, driven by simulated touches."""

    def __init__(
        self,
        config: KioskConfig,
        *,
        client: KioskPortal | None = None,
        speaker: Speaker | None = None,
        size: tuple[int, int] | None = None,
        clock: Any = None,
        frozen: bool = False,
        **app_kwargs: Any,
    ) -> None:
        """Build and start the app; without ``client`` it builds a PortalClient from ``config``.

        ``size`` defaults to the config's width and height. ``speaker`` defaults to a
        :class:`LoggingSpeaker`, whose ``spoken`` list the test can read. ``clock`` gives the wall
        time the kiosk starts at (e.g. ``lambda: NOW``); either way the kiosk's clock then runs
        with real time, and :meth:`advance` moves it on (idle timers without waiting). With
        ``frozen`` it stands still except for :meth:`advance` (and :meth:`tap`, which moves it past
        the tap guard): what a test sees then cannot depend on how fast the machine is.
        """
        self.window = _window(size or (config.width, config.height))
        self.speaker = speaker if speaker is not None else LoggingSpeaker()
        start_wall = (clock or (lambda: datetime.now(config.tzinfo)))()
        start = time.monotonic()
        self.offset = 0.0
        self.frozen = frozen
        self.clock = lambda: start_wall + timedelta(seconds=self.offset + (0.0 if frozen else time.monotonic() - start))
        self.app = KioskApp(config, client=client, speaker=self.speaker, clock=self.clock, **app_kwargs)
        self.app.root = self.app.build()
        self.app.built = True
        self.window.add_widget(self.app.root)
        self.app.dispatch("on_start")
        self._closed = False
        self.pump(0.2)

    # ---- time ---------------------------------------------------------------------------
    def pump(self, seconds: float = 0.0) -> None:
        """Run Kivy frames (clock, input, layout, drawing) for ``seconds`` (at least one frame)."""
        from kivy.base import EventLoop

        end = time.monotonic() + seconds
        while True:
            EventLoop.idle()
            if time.monotonic() >= end:
                break

    def wait_until(self, predicate: Any, timeout: float) -> bool:
        """Pump until ``predicate()`` is true; False after ``timeout`` seconds."""
        end = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= end:
                return False
            self.pump(0.05)
        return True

    def advance(self, seconds: float) -> None:
        """Move the kiosk's clock ``seconds`` ahead, then let a tick see it."""
        self.offset += seconds
        self.pump(1.1)

    # ---- looking ------------------------------------------------------------------------
    def widgets(self) -> Iterator[Any]:
        """Visible widgets of the whole window (hidden subtrees skipped)."""
        from kiosk.ui.a11y import visible_widgets

        yield from visible_widgets(self.app.root)

    def texts(self) -> list[str]:
        """All visible texts, top to bottom as laid out in the tree."""
        return [w.text for w in self.widgets() if getattr(w, "text", "")]

    def has_text(self, text: str) -> bool:
        """True if some visible widget's text contains ``text``."""
        return any(text in t for t in self.texts())

    def wait_for_text(self, text: str, timeout: float = 10.0) -> bool:
        """Pump until a visible widget shows ``text`` (substring); False after ``timeout``."""
        return self.wait_until(lambda: self.has_text(text), timeout)

    def find(self, text_or_id: str, *, buttons_only: bool = False) -> Any:
        """The visible widget whose kiosk_id, text or first line (a tile's or card's name) is ``text_or_id``."""
        for widget in self.widgets():
            if buttons_only and not callable(getattr(widget, "trigger_action", None)):
                continue
            text = str(getattr(widget, "text", "") or "")
            first_line = re.sub(r"\[/?b\]", "", text).split("\n")[0]
            if getattr(widget, "kiosk_id", None) == text_or_id or text_or_id in (text, first_line):
                if not getattr(widget, "disabled", False):
                    return widget
        raise LookupError(f"no visible widget {text_or_id!r}; visible texts: {self.texts()}")

    def _button_or_none(self, text_or_id: str) -> Any:
        try:
            return self.find(text_or_id, buttons_only=True)
        except LookupError:
            return None

    def find_or_none(self, text_or_id: str) -> Any:
        """Like :meth:`find`, but None instead of LookupError (for ``wait_until`` predicates)."""
        try:
            return self.find(text_or_id)
        except LookupError:
            return None

    @property
    def screen(self) -> str:
        """Name of the screen on display."""
        return str(self.app.view.screen)

    @property
    def spoken(self) -> list[str]:
        """What the speaker was asked to say (when it is a LoggingSpeaker)."""
        return list(getattr(self.speaker, "spoken", []))

    # ---- acting -------------------------------------------------------------------------
    def tap(self, text_or_id: str, *, hold: float = 0.06) -> None:
        """Touch a button's centre and lift the finger, like a person (waits up to 30 s for the button to
        show, e.g. data still loading, and for the tap guard; the button is looked up again right before
        the touch, after the last frame, so its place is where it is drawn now)."""
        from kivy.tests.common import UnitTestTouch

        self.pump(0)
        self.wait_until(lambda: self._button_or_none(text_or_id) is not None, timeout=30)
        if self.frozen:
            self.offset += max(0.0, self.app.state.guard_until - self.clock().timestamp())
        self.wait_until(lambda: self.app.state.guard_until <= self.clock().timestamp(), timeout=30)
        button = self.find(text_or_id, buttons_only=True)
        x, y = button.to_window(button.center_x, button.center_y)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(hold)
        touch.touch_up()
        self.pump(0.05)

    def hear(self, text: str) -> None:
        """The recogniser heard ``text`` (what its final result does), then a frame."""
        assert self.app.runtime is not None
        self.app.runtime.voice.heard(text)
        self.pump(0.05)

    def tap_at(self, x: float, y: float) -> None:
        """Touch window position (x, y) without waiting for anything (e.g. a tremor's second tap)."""
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(0.02)
        touch.touch_up()
        self.pump(0.02)

    def screenshot(self, path: Path) -> Path:
        """Save the window as PNG at exactly ``path`` (taken inside ``on_flip``, as Kivy needs)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        shot: dict[str, str] = {}
        stem = str(path.with_suffix("")) + "-shot.png"

        def on_flip(window: Any) -> None:
            if "file" not in shot:
                shot["file"] = window.screenshot(name=stem)

        self.pump(0.05)
        self.window.bind(on_flip=on_flip)
        try:
            self.window.canvas.ask_update()
            self.wait_until(lambda: "file" in shot, timeout=30)
        finally:
            self.window.unbind(on_flip=on_flip)
        if "file" not in shot:
            raise RuntimeError("no frame was drawn; cannot take a screenshot")
        os.replace(shot["file"], path)
        return path

    def close(self) -> None:
        """Stop the app's workers and client and take it off the window (the window stays)."""
        if self._closed:
            return
        self._closed = True
        from kivy.base import EventLoop

        try:
            self.app.dispatch("on_stop")
        finally:
            if self.app.root is not None and self.app.root.parent is not None:
                self.window.remove_widget(self.app.root)
            EventLoop.touches.clear()
            self.pump(0.05)

    def __enter__(self) -> KioskHarness:
        """Use as a context manager: closes on exit."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close the harness."""
        self.close()
