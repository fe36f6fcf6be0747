"""The kiosk application: wires config, portal client, speaker, screens and workers.

``run_kiosk(config_path)`` is the entry point the ``anxin kiosk`` command calls. Kivy's
window settings must be in place before ``kivy.core.window`` is imported, which is why
nothing here imports it at module level.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk import theme as th
from kiosk.chrome import Header, NavBar
from kiosk.config import KioskConfig, load_config
from kiosk.errors import ResidentLookupNotAvailable
from kiosk.fonts import register_cjk_font
from kiosk.help_call import HelpCallTracker, remembered_active_call
from kiosk.portal import KioskPortal, lookup_resident, make_portal_client
from kiosk.screens.base import KioskScreen
from kiosk.screens.coming_soon import ComingSoonScreen
from kiosk.screens.confirm_cancel import ConfirmCancelScreen
from kiosk.screens.confirm_help import ConfirmHelpScreen
from kiosk.screens.help_status import HelpStatusScreen
from kiosk.screens.home import HomeScreen
from kiosk.screens.idle_warning import IdleWarningScreen
from kiosk.screens.resident import ResidentScreen
from kiosk.screens.settings import SettingsScreen
from kiosk.site_feed import SiteAlertsFeed, SiteAlertsResult
from kiosk.speech import Speaker, SpeechSettings, apply_settings, load_speaker
from kiosk.state.help_call import HelpCallSnapshot, HelpCallView, help_call_view
from kiosk.state.idle import HOME, IDLE_WARNING, IdleAction, TapGuard, idle_action
from kiosk.state.site_alerts import site_alerts_view
from kiosk.workers import run_in_background

if TYPE_CHECKING:
    from kiosk.voice_actions import VoiceActions

logger = logging.getLogger(__name__)

SCREEN_CLASSES: tuple[type[KioskScreen], ...] = (
    HomeScreen,
    ConfirmHelpScreen,
    HelpStatusScreen,
    ConfirmCancelScreen,
    ComingSoonScreen,
    SettingsScreen,
    IdleWarningScreen,
    ResidentScreen,
)


def configure_kivy(config: KioskConfig) -> None:
    """Set Kivy's window and input options; must run before ``kivy.core.window`` is imported."""
    from kivy.config import Config

    if "kivy.core.window" in sys.modules:
        logger.warning("kivy.core.window already imported: window settings may not apply")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("graphics", "fullscreen", "auto" if config.fullscreen else "0")
    Config.set("graphics", "width", str(config.width))
    Config.set("graphics", "height", str(config.height))
    Config.set("graphics", "show_cursor", "0" if config.hide_cursor else "1")


def run_kiosk(config_path: Path) -> None:
    """Load the config, open the kiosk window and block until it is closed (or SIGTERM/SIGINT)."""
    config = load_config(config_path)
    configure_kivy(config)
    app = KioskApp(config)

    def stop_gracefully(signum: int, _frame: object) -> None:
        logger.info("kiosk: signal %s, stopping", signum)
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop_gracefully)
    app.run()


class KioskApp(App):
    """The kiosk. Screens call the public methods below (see :class:`KioskActions`)."""

    title = "安心服务"

    def __init__(
        self,
        config: KioskConfig,
        *,
        client: KioskPortal | None = None,
        speaker: Speaker | None = None,
        now: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        """Without ``client`` the app builds (and owns) a PortalClient from the config."""
        super().__init__(**kwargs)
        self.config_obj = config  # not ``config``: App.config is Kivy's own ConfigParser
        self.client = client
        self._owns_client = client is None
        self._owns_speaker = speaker is None
        self.speaker = speaker or load_speaker()
        self.speech_settings = SpeechSettings()
        self._now = now
        self.tap_guard = TapGuard(config.tap_guard_s)
        self.help_tracker: HelpCallTracker | None = None
        self.site_feed: SiteAlertsFeed | None = None
        self.last_spoken = ""
        self.resident_code = ""
        self.voice: VoiceActions | None = None
        self._last_touch = now()
        self._warned_at = now()
        self._resume_screen = HOME
        self._tick_event: Any = None

    def build(self) -> BoxLayout:
        """Register the font and build header, screens and bottom bar."""
        from kivy.core.window import Window

        register_cjk_font()
        Window.clearcolor = th.BACKGROUND
        if self.client is None:
            self.client = make_portal_client(self.config_obj)
        self.theme = th.Theme.for_window(*Window.size)
        actions = _Actions(self)
        root = BoxLayout(orientation="vertical")
        self.header = Header(theme=self.theme, site_name=self.config_obj.site_name, place=self.config_obj.place)
        self.screens = ScreenManager(transition=NoTransition())
        for cls in SCREEN_CLASSES:
            self.screens.add_widget(cls(actions=actions, theme=self.theme))
        self.nav = NavBar(theme=self.theme, on_home=self.go_home, on_settings=lambda: self.go("settings"),
                          on_repeat=self.repeat)
        for widget in (self.header, self.screens, self.nav):
            root.add_widget(widget)
        self._update_nav()
        return root

    def on_start(self) -> None:
        """Start the portal client, the site feed and the one-second tick."""
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
        Window.bind(on_touch_down=self._on_any_touch)
        self._tick_event = Clock.schedule_interval(self._tick, 1.0)
        resumed = remembered_active_call(self.config_obj.active_call_path)
        if resumed is not None:
            logger.info("following help call %s raised before the restart", resumed)
            self._start_tracker(resume_event_id=resumed)
            Clock.schedule_once(lambda _dt: self.go("help_status"), 0)
        # The home screen speaks itself from on_enter once it is first shown.
        logger.info("kiosk ready: %s · %s, window %dx%d, speaker %s", self.config_obj.site_name,
                    self.config_obj.place, *Window.size, type(self.speaker).__name__)

    def on_stop(self) -> None:
        """Stop workers, speech and (if we built it) the portal client."""
        from kivy.core.window import Window

        Window.unbind(on_touch_down=self._on_any_touch)
        if self._tick_event is not None:
            self._tick_event.cancel()
        for worker in (self.help_tracker, self.site_feed):
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
    def current_screen(self) -> KioskScreen:
        """The screen on display."""
        screen: KioskScreen = self.screens.current_screen
        return screen

    def go(self, name: str) -> None:
        """Show screen ``name``; taps are ignored briefly so a double tap cannot skip ahead."""
        now = self._now()
        self.tap_guard.block(now)
        self._last_touch = now
        if name == IDLE_WARNING:
            self._warned_at = now
        if self.screens.current == name:
            self.current_screen.refresh()
            self.speak(self.current_screen.speech_text())
        else:
            self.screens.current = name
        self._update_nav()

    def go_home(self) -> None:
        """Show the home screen and forget who was using the kiosk."""
        self.resident_code = ""
        self.go(HOME)

    def open_coming_soon(self, service: str) -> None:
        """Open ``service``: first the resident keypad if configured, then "此功能即将开通"."""
        if self.config_obj.identify_residents and not self.resident_code:
            keypad = self.screens.get_screen("resident")
            assert isinstance(keypad, ResidentScreen)
            keypad.start(service)
            self.go("resident")
            return
        screen = self.screens.get_screen("coming_soon")
        assert isinstance(screen, ComingSoonScreen)
        screen.service = service
        screen.resident_code = self.resident_code
        self.go("coming_soon")

    def submit_resident_code(self, service: str, code: str) -> None:
        """Look the resident up on a worker thread (the portal endpoint does not exist yet)."""
        assert self.client is not None
        client = self.client

        def work() -> None:
            try:
                lookup_resident(client, code=code)
            except ResidentLookupNotAvailable:
                logger.info("resident lookup not available yet; remembering the code for this visit")

        run_in_background("kiosk-resident-lookup", work, lambda _result: self._after_resident_lookup(service, code))

    def _after_resident_lookup(self, service: str, code: str) -> None:
        self.resident_code = code
        self.open_coming_soon(service)

    def still_here(self) -> None:
        """Back from the idle warning to the screen the senior was on."""
        self.go(self._resume_screen)

    def accept_tap(self) -> bool:
        """Tap guard: False for taps right after a screen change or another tap."""
        return self.tap_guard.accept(self._now())

    def _update_nav(self) -> None:
        screen = self.current_screen
        self.nav.show_for(home=screen.show_home_button, settings=screen.show_settings_button)

    # ---- speech -------------------------------------------------------------------------
    def speak(self, text: str) -> None:
        """Say ``text`` instead of whatever is still being said (errors are logged, never raised)."""
        self.last_spoken = text
        try:
            self.speaker.stop()  # the screen changed: the old text is no longer true
            self.speaker.speak(text)
        except Exception:
            logger.exception("speaker failed")

    def stop_speaking(self) -> None:
        """Cut the current utterance off (errors are logged)."""
        try:
            self.speaker.stop()
        except Exception:
            logger.exception("speaker failed to stop")

    def hear(self, text: str) -> None:
        """A recognised utterance (UI thread): the voice dialog decides, the app acts."""
        if self.voice is None:
            from kiosk.voice_actions import VoiceActions

            self.voice = VoiceActions(self)
        self.voice.hear(text)

    def repeat(self) -> None:
        """再听一遍: say the current screen again."""
        self.speak(self.current_screen.speech_text())

    def change_speech(self, settings: SpeechSettings) -> None:
        """Apply new volume / speed, show the levels and say a sample at the new setting."""
        self.speech_settings = settings
        apply_settings(self.speaker, settings)
        self.current_screen.refresh()
        self.speak(f"{settings.volume_text}，{settings.rate_text}。现在的声音是这样的。")

    # ---- help call ----------------------------------------------------------------------
    def open_help(self) -> None:
        """呼叫帮助: ask for confirmation, unless a call is already running (then show it)."""
        running = self.help_tracker is not None and not self.help_tracker.finished
        self.go("help_status" if running else "confirm_help")

    def raise_help_call(self, *, emergency: bool = True) -> None:
        """Raise a help call, unless one is still running (then just show it)."""
        if self.help_tracker is None or self.help_tracker.finished:
            self._start_tracker(emergency=emergency)
        self.go("help_status")

    def _start_tracker(self, resume_event_id: str | None = None, emergency: bool = True) -> None:
        if self.help_tracker is not None:
            self.help_tracker.stop()
        assert self.client is not None
        self.help_tracker = HelpCallTracker(
            client=self.client, place=self.config_obj.place, on_update=self._on_help_update,
            interval_s=self.config_obj.poll_interval_s, now=self._now,
            state_path=self.config_obj.active_call_path, resume_event_id=resume_event_id,
            emergency=emergency,
        )
        self.help_tracker.start()

    def request_help_cancel(self) -> None:
        """Pass the confirmed cancel to the tracker and go back to the status screen."""
        if self.help_tracker is not None:
            self.help_tracker.request_cancel()
        self.go("help_status")

    def help_call_view(self) -> HelpCallView | None:
        """View model of the current help call (None if none was made)."""
        if self.help_tracker is None:
            return None
        return help_call_view(self.help_tracker.snapshot, duty_phone=self.config_obj.duty_phone,
                              offline_after_s=self.config_obj.offline_after_s)

    def _on_help_update(self, _snapshot: HelpCallSnapshot) -> None:
        self._show_help_status()
        if self.site_feed is not None:
            self.site_feed.refresh()

    def _show_help_status(self) -> None:
        screen = self.screens.get_screen("help_status")
        assert isinstance(screen, HelpStatusScreen)
        changed = screen.show(self.help_call_view())
        if changed and self.screens.current == "help_status":
            self.speak(screen.speech_text())
            self._update_nav()

    # ---- site alerts, idle, clock -------------------------------------------------------
    def _on_site_alerts(self, result: SiteAlertsResult) -> None:
        home = self.screens.get_screen(HOME)
        assert isinstance(home, HomeScreen)
        home.show_site_alerts(site_alerts_view(result.alerts, reachable=result.reachable,
                                               fetched_at=result.fetched_at, max_lines=home.max_lines))

    def _on_any_touch(self, *_args: Any) -> None:
        self._last_touch = self._now()

    def _tick(self, _dt: float) -> None:
        self.header.update_clock()
        if self.help_tracker is not None:
            self._show_help_status()  # elapsed time moves the call to "offline" even if a poll hangs
        self.check_idle()

    def check_idle(self) -> None:
        """Warn, then go home, when nobody has touched the kiosk for a while."""
        now = self._now()
        screen = self.current_screen
        action = idle_action(
            screen=screen.name, idle_s=now - self._last_touch, warning_for_s=now - self._warned_at,
            timeout_s=self.config_obj.idle_timeout_s, grace_s=self.config_obj.idle_grace_s,
            exempt=screen.idle_exempt(),
        )
        if action is IdleAction.WARN:
            self._resume_screen = screen.name
            self.go(IDLE_WARNING)
        elif action is IdleAction.GO_HOME:
            self.go_home()


class _Actions:
    """Adapter giving screens the :class:`KioskActions` view of the app."""

    def __init__(self, app: KioskApp) -> None:
        self._app = app

    def __getattr__(self, name: str) -> Any:
        if name == "config":
            return self._app.config_obj
        return getattr(self._app, name)
