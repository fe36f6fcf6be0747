"""Base class of kiosk screens and the actions screens may ask the app for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from kivy.graphics import Color, Rectangle
from kivy.properties import ListProperty
from kivy.uix.screenmanager import Screen

from kiosk import theme as th

if TYPE_CHECKING:
    from datetime import datetime

    from kiosk.activities_desk import ActivityDesk
    from kiosk.config import KioskConfig
    from kiosk.groceries import GroceryDesk
    from kiosk.my_requests import RequestDesk
    from kiosk.speech import SpeechSettings
    from kiosk.state.help_call import HelpCallView
    from kiosk.theme import Theme
    from kiosk.visitors import VisitorDesk


class KioskActions(Protocol):
    """What a screen may ask of the app (implemented by :class:`kiosk.app.KioskApp`)."""

    config: KioskConfig
    speech_settings: SpeechSettings
    visitors: VisitorDesk
    groceries: GroceryDesk
    activities: ActivityDesk
    my_requests: RequestDesk

    def go(self, name: str) -> None:
        """Show the screen called ``name``."""

    def go_home(self) -> None:
        """Show the home screen."""

    def speak(self, text: str) -> None:
        """Say ``text`` aloud."""

    def now_local(self) -> datetime:
        """The site's wall time."""

    def open_help(self) -> None:
        """呼叫帮助 was pressed: confirm a new call, or show the one already running."""

    def raise_help_call(self, *, emergency: bool = True) -> None:
        """The senior confirmed the help call: raise it (or show the one already running)."""

    def request_help_cancel(self) -> None:
        """The senior confirmed "我没事，取消呼叫"."""

    def help_call_view(self) -> HelpCallView | None:
        """The current help call's view model, if any call was made."""

    def change_speech(self, settings: SpeechSettings) -> None:
        """Apply new volume / speed settings and say a sample."""

    def still_here(self) -> None:
        """The senior answered the idle warning: go back to where they were."""

    def help_call_rateable(self) -> bool:
        """The help call was handled and can be rated."""

    def rate_help_call(self) -> None:
        """Open the rating of the handled help call."""

    def voice_ready(self) -> bool:
        """The microphone can be used now."""

    def dictate_comment(self) -> None:
        """Listen once for a rating comment."""


class KioskScreen(Screen):
    """A full-area screen with a flat background that speaks what it shows on entry."""

    bg_rgba = ListProperty(list(th.BACKGROUND))
    show_home_button = True
    """Whether the bottom bar shows 返回首页 on this screen."""
    show_settings_button = False
    """Whether the bottom bar shows 声音设置 on this screen."""

    def __init__(self, *, actions: KioskActions, theme: Theme, **kwargs: Any) -> None:
        """Screens get the app's actions and the window's theme."""
        super().__init__(**kwargs)
        self.actions = actions
        self.theme = theme
        with self.canvas.before:
            Color(rgba=self.bg_rgba)
            self._bg = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._redraw, size=self._redraw)

    def _redraw(self, *_args: Any) -> None:
        self._bg.pos = self.pos
        self._bg.size = self.size

    def speech_text(self) -> str:
        """Everything the screen shows, as one text to speak."""
        raise NotImplementedError

    def refresh(self) -> None:
        """Update texts from the app's state before the screen is shown."""

    def reset(self) -> None:
        """The visit ended: forget what this screen kept of it (pages, typed digits, stars)."""

    def idle_exempt(self) -> bool:
        """True while the idle timer must not send this screen home."""
        return False

    def on_pre_enter(self, *args: Any) -> None:
        """Refresh texts just before the screen appears."""
        self.refresh()

    def on_enter(self, *args: Any) -> None:
        """Speak the screen as soon as it is shown."""
        self.actions.speak(self.speech_text())
