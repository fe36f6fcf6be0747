"""The kiosk application: wires config, portal client, speaker, screens, services and voice.

``run_kiosk(config_path)`` is the entry point the ``anxin kiosk`` command calls. Kivy's
window settings must be in place before ``kivy.core.window`` is imported, which is why
nothing here imports it at module level. The help call lives in :mod:`kiosk.app_help`, the
microphone and dialog in :mod:`kiosk.app_voice`, the services in their desks
(:mod:`kiosk.visitors`, :mod:`kiosk.groceries`, :mod:`kiosk.activities_desk`,
:mod:`kiosk.my_requests`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk import theme as th
from kiosk.activities_desk import ActivityDesk
from kiosk.app_help import HelpCallMixin
from kiosk.app_speech import SpeechMixin
from kiosk.app_voice import VoiceMixin
from kiosk.chrome import Header, NavBar
from kiosk.community import CommunityApi
from kiosk.config import KioskConfig
from kiosk.core.idle import (
    HOME,
    IDLE_WARNING,
    IdleAction,
    IdleClock,
    TapGuard,
    idle_action,
    seconds_left,
    speech_seconds,
)
from kiosk.fonts import register_cjk_font
from kiosk.groceries import GroceryDesk
from kiosk.help_call import HelpCallTracker, remembered_active_call
from kiosk.launch import configure_kivy, logger, run_kiosk
from kiosk.my_requests import RequestDesk
from kiosk.portal import KioskPortal, make_portal_client
from kiosk.screens.base import KioskScreen
from kiosk.screens.registry import SCREEN_CLASSES
from kiosk.site_feed import SiteAlertsFeed, SiteAlertsResult
from kiosk.speech import Speaker, SpeechSettings, apply_settings, load_speaker
from kiosk.state.site_alerts import site_alerts_view
from kiosk.visitors import VisitorDesk

if TYPE_CHECKING:
    from kiosk.voice_actions import VoiceActions
    from kiosk.voice_input import VoiceInput

__all__ = ["KioskApp", "configure_kivy", "run_kiosk"]


class KioskApp(HelpCallMixin, VoiceMixin, SpeechMixin, App):
    """The kiosk. Screens call the public methods below and the desks' (see :class:`KioskActions`)."""

    title = "安心服务"

    def __init__(
        self,
        config: KioskConfig,
        *,
        client: KioskPortal | None = None,
        speaker: Speaker | None = None,
        now: Callable[[], float] = time.monotonic,
        clock: Callable[[], datetime] | None = None,
        **kwargs: Any,
    ) -> None:
        """Without ``client`` the app builds (and owns) a PortalClient; ``clock`` gives local wall time."""
        super().__init__(**kwargs)
        self.config_obj = config  # not ``config``: App.config is Kivy's own ConfigParser
        self.client = client
        self._owns_client = client is None
        self._owns_speaker = speaker is None
        self.speaker = speaker or load_speaker()
        self.speech_settings = self.site_speech()
        self._now = now
        self._clock = clock or (lambda: datetime.now(config.tzinfo))
        self.tap_guard = TapGuard(config.tap_guard_s)
        self.help_tracker: HelpCallTracker | None = None
        self.site_feed: SiteAlertsFeed | None = None
        self.voice: VoiceActions | None = None
        self.voice_input: VoiceInput | None = None
        self._caption_clear: Any = None
        self.last_spoken = ""
        self._preface = ""
        self.idle = IdleClock(last_touch=now())
        self._task_done = False
        self._resume_screen = HOME
        self._tick_event: Any = None

    def build(self) -> BoxLayout:
        """Register the font and build the services, header, screens and bottom bar."""
        from kivy.core.window import Window

        register_cjk_font()
        Window.clearcolor = th.BACKGROUND
        if self.client is None:
            self.client = make_portal_client(self.config_obj)
        self.community = CommunityApi(self.client)
        self.visitors = VisitorDesk(self)
        self.my_requests = RequestDesk(self)
        self.groceries = GroceryDesk(self)
        self.activities = ActivityDesk(self)
        self.theme = th.Theme.for_window(*Window.size)
        actions = _Actions(self)
        root = BoxLayout(orientation="vertical")
        self.header = Header(theme=self.theme, site_name=self.config_obj.site_name, place=self.config_obj.place)
        self.screens = ScreenManager(transition=NoTransition())
        for cls in SCREEN_CLASSES:
            self.screens.add_widget(cls(actions=actions, theme=self.theme))
        self.nav = NavBar(theme=self.theme, on_home=self.go_home, on_settings=lambda: self.go("settings"),
                          on_repeat=self.repeat, on_mic=self.press_mic)
        for widget in (self.header, self.screens, self.nav):
            root.add_widget(widget)
        self._update_nav()
        return root

    def on_start(self) -> None:
        """Start the portal client, the site feed, the voice model and the one-second tick."""
        from kivy.core.window import Window

        assert self.client is not None
        if self._owns_client:
            self.client.start()
        apply_settings(self.speaker, self.speech_settings)
        self.site_feed = SiteAlertsFeed(client=self.client, cache_path=self.config_obj.site_cache_path,
                                        on_update=self._on_site_alerts,
                                        interval_s=self.config_obj.site_poll_interval_s)
        self._on_site_alerts(self.site_feed.last)
        self.site_feed.start()
        self.groceries.refresh_catalog()  # so the catalog and the voice bias are ready offline later
        self.activities.refresh()
        self.setup_voice()
        Window.bind(on_touch_down=self._on_any_touch)
        self._tick_event = Clock.schedule_interval(self._tick, 1.0)
        resumed = remembered_active_call(self.config_obj.active_call_path)
        if resumed is not None:
            logger.info("following help call %s raised before the restart", resumed)
            self._start_tracker(resume_event_id=resumed)
            Clock.schedule_once(lambda _dt: self.go("help_status"), 0)
        logger.info("kiosk ready: %s · %s, window %dx%d, speaker %s, voice %s", self.config_obj.site_name,
                    self.config_obj.place, *Window.size, type(self.speaker).__name__,
                    self.voice_input.state if self.voice_input else "off")

    def on_stop(self) -> None:
        """Stop workers, speech, listening and (if we built it) the portal client."""
        from kivy.core.window import Window

        Window.unbind(on_touch_down=self._on_any_touch)
        if self._tick_event is not None:
            self._tick_event.cancel()
        if self.voice_input is not None:
            self.voice_input.stop_listening()
        for worker in (self.help_tracker, self.site_feed, self.activities, self.groceries.tracker):
            if worker is not None:
                worker.stop()
        try:
            self.speaker.stop()
            close = getattr(self.speaker, "close", None)
            if self._owns_speaker and callable(close):
                close()
        except Exception:
            logger.exception("speaker did not stop cleanly")
        if self._owns_client and self.client is not None:
            self.client.stop()
            close = getattr(self.client, "close", None)
            if callable(close):
                close()

    # ---- navigation -------------------------------------------------------------------
    @property
    def current_screen(self) -> Any:
        """The screen on display."""
        return self.screens.current_screen

    def screen(self, name: str) -> Any:
        """The screen called ``name``."""
        return self.screens.get_screen(name)

    def now_local(self) -> datetime:
        """The wall time at the site (for activity times in words)."""
        return self._clock()

    def go(self, name: str) -> None:
        """Show screen ``name``; taps are ignored briefly so a double tap cannot skip ahead."""
        now = self._now()
        self.tap_guard.block(now)
        self.idle = self.idle.touched(now) if name == IDLE_WARNING else self.idle.dismissed(now)
        if self.screens.current == name:
            self.current_screen.refresh()
            self.speak(self.current_screen.speech_text())
        else:
            self.screens.current = name
        self._update_nav()

    def go_home(self) -> None:
        """返回首页: the home screen; a finished task also ends the visit (see :meth:`end_visit`).

        Before any task is done, or with things still in the cart (or a question about who is
        there open), the visit goes on so the person can come back to them; the idle timer ends it
        if they walk away.
        """
        if self._task_done and not self.task_open():
            self.end_visit()
        elif self.voice is not None:
            self.voice.reset()
        self.go(HOME)

    def task_done(self) -> None:
        """A task of this visit was carried out (order placed, sign-up sent, rating given, list seen)."""
        self._task_done = True

    def monotonic(self) -> float:
        """The app's monotonic clock (injectable; taps, idle and timeouts use it)."""
        return self._now()

    def site_speech(self) -> SpeechSettings:
        """The site's volume and speed, where every visit starts."""
        return SpeechSettings.site_default(self.config_obj.volume_level, self.config_obj.speech_rate)

    def task_open(self) -> bool:
        """Something of the visit is not finished: a cart, a pending identification, a rating."""
        return (not self.groceries.cart.empty or self.visitors.waiting or self.my_requests.rating is not None)

    def visit_active(self) -> bool:
        """The visit holds something personal (the idle timer must clear it, even on the home screen)."""
        return self.task_open() or self.visitors.visitor is not None or self.speech_settings != self.site_speech()

    def end_visit(self) -> None:
        """The visit is over: forget everything personal and go back to the site's defaults.

        Cart, identified person, pending confirmations and sign-up answers, pages, the rating in
        progress, the conversation and the volume and speed chosen during the visit.
        """
        self._task_done = False
        self.visitors.forget()
        self.groceries.forget()
        self.activities.forget()
        self.my_requests.rating = None
        if self.voice is not None:
            self.voice.reset()
        for screen in self.screens.screens:
            screen.reset()
        if self.speech_settings != self.site_speech():
            self.speech_settings = self.site_speech()
            apply_settings(self.speaker, self.speech_settings)

    def open_status(self) -> None:
        """"我的请求" by voice: the running help call if there is one, else the person's requests."""
        if self.help_tracker is not None and not self.help_tracker.finished:
            self.go("help_status")
        else:
            self.my_requests.open()

    def confirm(self, **question: Any) -> None:
        """Ask a yes / no question on the confirmation screen (see ConfirmScreen.ask)."""
        self.screen("confirm").ask(**question)
        self.go("confirm")

    def notice(self, title: str, detail: str) -> None:
        """Show a short message."""
        self.screen("notice").show(title, detail)
        self.go("notice")

    def still_here(self) -> None:
        """Back from the idle warning to the screen the senior was on."""
        self.go(self._resume_screen)

    def repeat(self) -> None:
        """再听一遍: say the current screen and the bottom bar again (during the idle warning its grace restarts)."""
        text = self.current_screen.speech_text() + self.nav.speech_text()
        self.speak(text)
        if self.screens.current == IDLE_WARNING:
            self.idle = self.idle.repeated(self._now(), speech_seconds(text, self.speech_settings.rate_wpm))

    def accept_tap(self) -> bool:
        """Tap guard: False for taps right after a screen change or another tap."""
        return self.tap_guard.accept(self._now())

    def _update_nav(self) -> None:
        screen: KioskScreen = self.current_screen
        self.nav.show_for(home=screen.show_home_button, settings=screen.show_settings_button,
                          mic=self.config_obj.voice)

    # ---- site alerts, idle, clock -------------------------------------------------------
    def _on_site_alerts(self, result: SiteAlertsResult) -> None:
        home = self.screen(HOME)
        home.show_site_alerts(site_alerts_view(result.alerts, reachable=result.reachable,
                                               fetched_at=result.fetched_at, max_lines=home.max_lines))

    def _on_any_touch(self, *_args: Any) -> None:
        self.idle = self.idle.touched(self._now())

    def _tick(self, _dt: float) -> None:
        self.header.update_clock()
        if self.help_tracker is not None:
            self._show_help_status()  # elapsed time moves the call to "offline" even if a poll hangs
        if self.screens.current == "order_status":
            self.groceries.tick()
        self.check_idle()

    def check_idle(self) -> None:
        """Warn, count down, then end the visit, when nobody has touched the kiosk for a while."""
        now = self._now()
        screen = self.current_screen
        config = self.config_obj
        action = idle_action(self.idle, now=now, at_home=screen.name == HOME, visit_active=self.visit_active(),
                             exempt=screen.idle_exempt(), timeout_s=config.idle_timeout_s, grace_s=config.idle_grace_s)
        if action is IdleAction.WARN:
            self._resume_screen = screen.name
            self.screen(IDLE_WARNING).reset()
            self.go(IDLE_WARNING)
            spoken = speech_seconds(self.current_screen.speech_text(), self.speech_settings.rate_wpm)
            self.idle = self.idle.warned(now, spoken)
        elif action is IdleAction.END_VISIT:
            self.end_visit()
            self.go(HOME)
        if self.screens.current == IDLE_WARNING:
            self.current_screen.show_countdown(seconds_left(self.idle, now=now, grace_s=config.idle_grace_s))


class _Actions:
    """Adapter giving screens the :class:`KioskActions` view of the app."""

    def __init__(self, app: KioskApp) -> None:
        self._app = app

    def __getattr__(self, name: str) -> Any:
        if name == "config":
            return self._app.config_obj
        return getattr(self._app, name)
