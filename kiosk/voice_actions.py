"""Carries out the voice dialog's actions on the kiosk app (the app side of kiosk.voice).

The pure dialog (:mod:`kiosk.voice.dialog`) turns what was heard into actions;
:class:`VoiceActions` feeds it and maps each action onto the same app methods the touch
screens use, so voice and touch can never disagree about state and can be mixed in one flow
(say the order, tap 是 on the greeting; tap items, say "对"). The dialog is told about the
catalog, the activities and touch changes to the cart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from kiosk.speech import SpeechSettings

logger = logging.getLogger(__name__)

RATE_STEPS_PER_DELTA = 20
SERVICE_ACTIONS = ("SubmitOrder", "SignUp", "CancelSignUp", "RaiseAlert")
"""After these the app shows the result itself, so the dialog's Show("home") is skipped."""


class VoiceActions:
    """Holds the dialog state; ``hear(text)`` parses, advances the dialog and acts."""

    def __init__(
        self,
        app: Any,
        *,
        catalog: Sequence[str] = (),
        now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    ) -> None:
        """``app``: the KioskApp (or a test double); ``catalog``: item names the parser knows."""
        from kiosk.voice.dialog import DialogState

        self._app = app
        self._catalog = tuple(catalog)
        self._now = now
        self.state = DialogState()
        self.heard: list[str] = []
        """Every text heard (for tests and the caption)."""

    # ---- what the dialog should know -----------------------------------------------------------
    def set_catalog(self, names: Sequence[str]) -> None:
        """The grocery item names the parser should recognise."""
        self._catalog = tuple(names)

    def set_activities(self, activities: Sequence[dict[str, Any]]) -> None:
        """Upcoming activities as ``{"id", "title", "starts_at"}``."""
        from kiosk.voice.dialog import ActivitiesChanged

        self.feed(ActivitiesChanged(tuple(activities)))

    def cart_changed(self, items: Sequence[dict[str, Any]]) -> None:
        """The cart was changed (by touch, or emptied by an order)."""
        from kiosk.voice.messages import CartChanged

        self.feed(CartChanged(tuple(items)))

    def reset(self) -> None:
        """Forget the conversation (a new visit), keeping the activities."""
        from kiosk.voice.dialog import DialogState

        self.state = DialogState(activities=self.state.activities)

    # ---- hearing and acting ---------------------------------------------------------------------
    def hear(self, text: str) -> list[Any]:
        """Handle one recognised utterance; returns the actions carried out."""
        from kiosk.voice.dialog import Heard
        from kiosk.voice.intents import parse

        now = self._now()
        self.heard.append(text)
        intent = parse(text, catalog=self._catalog, activities=self.state.activities, now=now)
        logger.info("heard %r -> %s %s", text, intent.name, intent.slots)
        return self.feed(Heard(text, intent, now))

    def touched(self) -> None:
        """The screen was touched: the dialog stops talking."""
        from kiosk.voice.dialog import Touched

        self.feed(Touched())

    def feed(self, event: Any) -> list[Any]:
        """Advance the dialog by ``event`` and carry out the resulting actions in order."""
        from kiosk.voice.dialog import handle

        before = self.state
        self.state, actions = handle(self.state, event)
        done: list[Any] = []
        service_done = False
        for action in actions:
            name = type(action).__name__
            if service_done and name == "Show" and action.screen == "home":
                continue  # the app shows the order / sign-up / help call it just made
            if self.execute(action, dialog=before) is False:
                break  # the app asks who is there first; the dialog's "done" would not be true yet
            service_done = service_done or name in SERVICE_ACTIONS
            done.append(action)
        return done

    def execute(self, action: Any, *, dialog: Any = None) -> bool | None:
        """Carry out one dialog action on the app; False stops the rest of the batch."""
        from kiosk.voice import messages as m

        app = self._app
        if isinstance(action, m.Speak):
            app.speak(action.text)
        elif isinstance(action, m.Show):
            self._show(action.screen, dialog if dialog is not None else self.state)
        elif isinstance(action, m.RaiseAlert):
            app.raise_help_call(emergency=action.emergency)
        elif isinstance(action, m.CancelAlert):
            app.request_help_cancel()
        elif isinstance(action, m.StopSpeaking):
            app.stop_speaking()
        elif isinstance(action, m.ChangeVolume):
            s = app.speech_settings
            app.change_speech(s.louder() if action.direction == "up" else s.softer())
        elif isinstance(action, m.ChangeRate):
            app.change_speech(_rate_changed(app.speech_settings, action.delta))
        elif isinstance(action, m.SubmitOrder):
            return bool(app.groceries.submit_spoken(action.items))
        elif isinstance(action, m.SignUp | m.CancelSignUp):
            return bool(app.activities.spoken(action.activity_id, cancelling=isinstance(action, m.CancelSignUp)))
        elif isinstance(action, m.QueryStatus):
            pass  # the Show("status") that comes with it opens 我的请求
        else:
            logger.warning("voice action %r is not supported by the kiosk", action)
        return None

    def _show(self, screen: str, dialog: Any) -> None:
        app = self._app
        if screen == "home":
            app.go_home()
        elif screen == "emergency":
            app.go("help_status")
        elif screen == "status":
            app.open_status()
        elif screen in ("order", "order_confirm"):
            app.groceries.set_spoken([i for i in self.state.items if i.get("quantity") is not None])
            app.groceries.show_cart()
        elif screen == "activities":
            app.activities.open()
        elif screen == "activity_confirm" and isinstance(self.state.activity_id, int):
            app.activities.open_detail(self.state.activity_id)
        else:
            logger.warning("voice dialog asked for unknown screen %r", screen)


def _rate_changed(settings: SpeechSettings, delta: int) -> SpeechSettings:
    for _ in range(max(1, abs(delta) // RATE_STEPS_PER_DELTA)):
        settings = settings.faster() if delta > 0 else settings.slower()
    return settings
