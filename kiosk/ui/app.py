"""The kiosk application: one state, one ``handle``, one renderer, one runtime (:class:`KioskApp`).

Every input — a tap, a touch anywhere, an utterance, a second passing, a portal answer — is
an event for :func:`kiosk.core.handle.handle`; the new view is drawn and the effects are
handed to :class:`kiosk.runtime.executor.Runtime`. Kivy's window settings must be in place
before ``kivy.core.window`` is imported, which is why nothing here imports it at module level.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout

from kiosk.config import KioskConfig
from kiosk.core.events import Event, Restored, Tapped, Tick, Touched
from kiosk.core.handle import handle, view_of
from kiosk.core.state import KioskState, Site, initial_state
from kiosk.core.view import Choice, View
from kiosk.runtime.executor import Runtime
from kiosk.runtime.portal import KioskPortal, make_portal_client
from kiosk.runtime.speech import Speaker, apply_settings, load_speaker
from kiosk.runtime.voice_listener import VoiceContext
from kiosk.ui import theme as th
from kiosk.ui.chrome import Header, NavBar
from kiosk.ui.fonts import register_cjk_font
from kiosk.ui.render import ViewScreen

logger = logging.getLogger("kiosk.app")


def site_of(config: KioskConfig) -> Site:
    """What the core needs of the configuration."""
    return Site(site_name=config.site_name, place=config.place, duty_phone=config.duty_phone,
                volume_level=config.volume_level, speech_rate=config.speech_rate,
                offline_after_s=config.offline_after_s, idle_timeout_s=config.idle_timeout_s,
                idle_grace_s=config.idle_grace_s, greeting_wait_s=config.greeting_wait_s,
                tap_guard_s=config.tap_guard_s, portrait=config.orientation == "portrait",
                timezone=config.timezone, voice=config.voice)


class KioskApp(App):
    """The kiosk window: header, the current view, the bottom bar."""

    title = "安心服务"

    def __init__(self, config: KioskConfig, *, client: KioskPortal | None = None, speaker: Speaker | None = None,
                 clock: Callable[[], datetime] | None = None, **kwargs: Any) -> None:
        """Without ``client`` the app builds (and owns) a PortalClient; ``clock`` gives the site's time."""
        super().__init__(**kwargs)
        self.config_obj = config  # not ``config``: App.config is Kivy's own ConfigParser
        self.client = client
        self._owns_client = client is None
        self._owns_speaker = speaker is None
        self.speaker = speaker or load_speaker()
        self.clock = clock or (lambda: datetime.now(config.tzinfo))
        self.state: KioskState = initial_state(site_of(config), self.clock())
        self.view: View = view_of(self.state)
        self.runtime: Runtime | None = None
        self._tick_event: Any = None
        self._draw_later = Clock.create_trigger(lambda _dt: self._draw(), -1)

    def build(self) -> BoxLayout:
        """Register the font; build the header, the view area and the bottom bar."""
        from kivy.core.window import Window

        register_cjk_font()
        Window.clearcolor = th.BACKGROUND
        if self.client is None:
            self.client = make_portal_client(self.config_obj)
        self.theme = th.Theme.for_window(*Window.size)
        self.runtime = Runtime(config=self.config_obj, client=self.client, speaker=self.speaker, post=self.emit,
                               clock=self.clock, schedule=lambda s, fn: Clock.schedule_once(lambda _dt: fn(), s))
        root = BoxLayout(orientation="vertical")
        self.header = Header(theme=self.theme)
        self.screen = ViewScreen(theme=self.theme, portrait=self.config_obj.orientation == "portrait",
                                 emit=self.tap, pictures=self.runtime.pictures.path_for)
        self.nav = NavBar(theme=self.theme, emit=self.tap)
        for widget in (self.header, self.screen, self.nav):
            root.add_widget(widget)
        self._draw()
        return root

    def on_start(self) -> None:
        """Start the portal client and the runtime, the one-second tick, a call from before a restart."""
        from kivy.core.window import Window

        assert self.client is not None and self.runtime is not None
        if self._owns_client:
            self.client.start()
        apply_settings(self.speaker, self.state.visit.speech)
        self.runtime.start()
        Window.bind(on_touch_down=self._on_any_touch)
        self._tick_event = Clock.schedule_interval(lambda _dt: self.emit(Tick(self.clock())), 1.0)
        resumed = self.runtime.resumed_help_call()
        if resumed is not None:
            logger.info("following help call %s raised before the restart", resumed)
            self.runtime.follow_help_call(resumed)
            self.emit(Restored(resumed, self.clock(), self.runtime.requests.rated()))
        self.emit(Tick(self.clock()))
        logger.info("kiosk ready: %s · %s, window %dx%d, speaker %s", self.config_obj.site_name,
                    self.config_obj.place, *Window.size, type(self.speaker).__name__)

    def on_stop(self) -> None:
        """Stop the runtime, speech and (if we built it) the portal client."""
        from kivy.core.window import Window

        Window.unbind(on_touch_down=self._on_any_touch)
        if self._tick_event is not None:
            self._tick_event.cancel()
        if self.runtime is not None:
            self.runtime.stop()
        if self._owns_speaker:
            self.speaker.close()
        if self._owns_client and self.client is not None:
            self.client.stop()
            close = getattr(self.client, "close", None)
            if callable(close):
                close()

    # ---- the loop ------------------------------------------------------------------------------
    def emit(self, event: Event, *, draw: bool = True) -> None:
        """One event through the core: new state, new view, the effects carried out.

        ``draw=False`` draws the new view just before the next frame instead of now.
        """
        before = self.state
        self.state, effects = handle(self.state, event)
        if draw:
            self._draw()
        else:
            self._draw_later()
        if self.state.data.catalog != before.data.catalog or self.state.data.activities != before.data.activities:
            self._voice_context()
        if self.runtime is not None:
            self.runtime.run(effects)

    def tap(self, choice: Choice) -> None:
        """A button was released."""
        self.emit(Tapped(choice.id, self.clock(), choice.arg))

    def show(self, state: KioskState) -> None:
        """Draw ``state`` as it is (screenshots and the accessibility walk over the core's samples)."""
        self.state = state
        self._draw()

    def _on_any_touch(self, *_args: Any) -> None:
        # The window hears a touch before its buttons do: what the touch itself changes (the idle
        # countdown, the header's minute) is drawn after the touch has reached the button under the
        # finger, which must not be replaced by a new one (not laid out yet) in the meantime.
        self.emit(Touched(self.clock()), draw=False)

    def _draw(self) -> None:
        self.view = view_of(self.state)
        if hasattr(self, "screen"):
            self.header.show(self.view.bar)
            self.screen.render(self.view)
            self.nav.show(self.view.bar)

    def _voice_context(self) -> None:
        if self.runtime is None:
            return
        data = self.state.data
        self.runtime.voice.context = VoiceContext(
            catalog=[i.name for i in data.catalog], synonyms=[s for i in data.catalog for s in i.synonyms],
            activities=[a.for_dialog() for a in data.activities if a.starts_at > self.state.now])
