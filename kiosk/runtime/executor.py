"""Carries out the core's effects and feeds what happens back as events (:class:`Runtime`).

Everything here runs on the UI thread except the worker threads it starts (their results come
back through ``ui_call``). Timers are scheduled through ``schedule`` (Kivy's Clock in the app,
the only place the runtime meets Kivy), so this module imports no Kivy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from kiosk.config import KioskConfig
from kiosk.core import effects as fx
from kiosk.core.events import (
    Event,
    HelpCallChanged,
    OrderChanged,
    SignupAnswered,
    SiteAlertsLoaded,
    TimerFired,
)
from kiosk.runtime import jobs
from kiosk.runtime.followers import OrderTracker, SignupFollower
from kiosk.runtime.help_call import HelpCallTracker, remembered_active_call
from kiosk.runtime.pictures import PictureCache
from kiosk.runtime.portal import CommunityApi, KioskPortal
from kiosk.runtime.records import RequestLog, Residents
from kiosk.runtime.site_feed import SiteAlertsFeed, SiteAlertsResult
from kiosk.runtime.speech import Speaker, apply_levels
from kiosk.runtime.store import JsonStore
from kiosk.runtime.voice_listener import VoiceListener
from kiosk.runtime.workers import UiCall, kivy_ui_call, run_in_background
from kiosk.state.help_call import HelpCallSnapshot
from kiosk.state.orders import OrderSnapshot

logger = logging.getLogger(__name__)
T = TypeVar("T")
Schedule = Callable[[float, Callable[[], None]], Any]


class Runtime:
    """The kiosk's hands: portal, speech, microphone, timers and caches."""

    def __init__(self, *, config: KioskConfig, client: KioskPortal, speaker: Speaker, post: Callable[[Event], None],
                 clock: Callable[[], datetime], schedule: Schedule, ui_call: UiCall = kivy_ui_call) -> None:
        """``post`` hands an event to the core (UI thread); ``clock`` is the site's wall time."""
        self.config = config
        self.client = client
        self.api = CommunityApi(client)
        self.speaker = speaker
        self.post = post
        self.clock = clock
        self.schedule = schedule
        self.ui_call = ui_call
        self.catalog_store = JsonStore(config.data_path("catalog.json"))
        self.activities_store = JsonStore(config.data_path("activities.json"))
        self.residents = Residents(JsonStore(config.data_path("residents.json")))
        self.requests = RequestLog(JsonStore(config.data_path("requests.json")))
        self.pictures = PictureCache(config.data_path("pictures"), getattr(client, "fetch_static", None))
        self.help_tracker: HelpCallTracker | None = None
        self.order_tracker: OrderTracker | None = None
        self.signup: SignupFollower | None = None
        self.site_feed: SiteAlertsFeed | None = None
        self.voice = VoiceListener(config, post=post, clock=clock, ui_call=ui_call)
        self._resident: int | None = None

    # ---- life ------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the site feed, the voice model and the first reads."""
        self.site_feed = SiteAlertsFeed(client=self.client, cache_path=self.config.site_cache_path,
                                        on_update=self._site_alerts, interval_s=self.config.site_poll_interval_s,
                                        ui_call=self.ui_call)
        self._site_alerts(self.site_feed.last)
        self.site_feed.start()
        self.voice.start()
        self.run((fx.FetchCatalog(), fx.FetchActivities()))

    def resumed_help_call(self) -> str | None:
        """The event id of a help call raised before a restart, still worth following."""
        return remembered_active_call(self.config.active_call_path)

    def follow_help_call(self, event_id: str) -> None:
        """Keep following a call raised before a restart."""
        self._start_help(resume=event_id)

    def stop(self) -> None:
        """Stop every worker, speech and listening."""
        self.voice.stop()
        for worker in (self.help_tracker, self.site_feed, self.order_tracker, self.signup):
            if worker is not None:
                worker.stop()
        try:
            self.speaker.stop()
        except Exception:
            logger.exception("speaker did not stop cleanly")

    # ---- effects ---------------------------------------------------------------------------
    def run(self, effects: tuple[fx.Effect, ...]) -> None:
        """Carry out effects in order (one failing is logged; the others still run)."""
        for effect in effects:
            handler = _HANDLERS.get(type(effect))
            if handler is None:
                logger.error("no runtime handler for %r", effect)
                continue
            try:
                handler(self, effect)
            except Exception:
                logger.exception("effect %r failed", effect)

    def _speak(self, effect: fx.Speak) -> None:
        if effect.interrupt:
            self.speaker.stop()
        self.speaker.speak(effect.text)

    def _timer(self, effect: fx.StartTimer) -> None:
        self.schedule(effect.seconds, lambda: self.post(TimerFired(effect.name, effect.serial, self.clock())))

    def _background(self, name: str, work: Callable[[], T]) -> None:
        run_in_background(name, work, lambda event: self.post(event) if event is not None else None,  # type: ignore[arg-type]
                          ui_call=self.ui_call)

    # ---- help calls ------------------------------------------------------------------------
    def _raise(self, effect: fx.RaiseHelpCall) -> None:
        self._resident = effect.resident_id
        self._start_help(emergency=effect.emergency, resident_id=effect.resident_id, occurred_at=effect.occurred_at)

    def _start_help(self, *, resume: str | None = None, emergency: bool = True, resident_id: int | None = None,
                    occurred_at: datetime | None = None) -> None:
        if self.help_tracker is not None:
            self.help_tracker.stop()
        self.help_tracker = HelpCallTracker(
            client=self.client, place=self.config.place, on_update=self._help_changed,
            interval_s=self.config.poll_interval_s, state_path=self.config.active_call_path,
            resume_event_id=resume, emergency=emergency, resident_id=resident_id, occurred_at=occurred_at,
            on_raised=lambda event_id: self.requests.note("help", event_id, resident_id, "", self.clock()),
            ui_call=self.ui_call)
        self.help_tracker.start()

    def _help_changed(self, snapshot: HelpCallSnapshot) -> None:
        self.post(HelpCallChanged(snapshot, self.clock()))
        if self.site_feed is not None:
            self.site_feed.refresh()

    def _cancel(self, _effect: fx.CancelHelpCall) -> None:
        if self.help_tracker is not None:
            self.help_tracker.request_cancel()

    # ---- community -------------------------------------------------------------------------
    def _place_order(self, effect: fx.PlaceOrder) -> None:
        event_id = self.api.place_order(resident_id=effect.resident_id, items=effect.items)
        logger.info("order saved as event %s", event_id)
        self.requests.note("order", event_id, effect.resident_id, effect.summary, self.clock())
        self._follow_order(fx.FollowOrder(event_id), summary=effect.summary)

    def _follow_order(self, effect: fx.FollowOrder, summary: str = "") -> None:
        if self.order_tracker is not None:
            self.order_tracker.stop()
            self.order_tracker = None
        if effect.stop:
            return
        record = next((r for r in self.requests.records if r.event_id == effect.event_id), None)
        self.order_tracker = OrderTracker(api=self.api, event_id=effect.event_id,
                                          summary=summary or (record.summary if record else ""),
                                          interval_s=self.config.poll_interval_s, on_update=self._order_changed,
                                          ui_call=self.ui_call)
        self.post(OrderChanged(self.order_tracker.snapshot, self.clock()))
        self.order_tracker.start()

    def _order_changed(self, snapshot: OrderSnapshot) -> None:
        order = snapshot.order or {}
        if order:
            self.requests.update(snapshot.event_id, state=str(order.get("state")),
                                 detail=str(order.get("state_label") or ""), target_id=order.get("id"))
        self.post(OrderChanged(snapshot, self.clock()))

    def _received(self, effect: fx.ConfirmReceived) -> None:
        self.api.confirm_received(effect.event_id, amount_fen=effect.amount_fen, amount_accepted=effect.amount_accepted)
        self.requests.update(effect.event_id, state="received", detail="老人已确认收货")
        if self.order_tracker is not None:
            self.order_tracker.wake()

    def _answer_substitute(self, effect: fx.AnswerSubstitute) -> None:
        self.api.answer_substitute(effect.event_id, line_id=effect.line_id, accept=effect.accept)
        if self.order_tracker is not None:
            self.order_tracker.wake()

    def _sign_up(self, effect: fx.SignUp) -> None:
        if effect.cancelling:
            event_id = self.api.cancel_sign_up(activity_id=effect.activity_id, resident_id=effect.resident_id)
        else:
            event_id = self.api.sign_up(activity_id=effect.activity_id, resident_id=effect.resident_id)
            self.requests.note("signup", event_id, effect.resident_id, effect.title, self.clock(),
                               activity_id=effect.activity_id)
        if self.signup is not None:
            self.signup.stop()
        online = lambda: getattr(self.client, "online", None) is not False  # noqa: E731
        self.signup = SignupFollower(
            api=self.api, event_id=event_id, interval_s=self.config.poll_interval_s,
            offline_after_s=self.config.offline_after_s, online=online, ui_call=self.ui_call,
            on_update=partial(self._signup_answered, effect))
        self.signup.start()

    def _signup_answered(self, effect: fx.SignUp, state: str, answer: Mapping[str, Any] | None) -> None:
        self.post(SignupAnswered(effect.activity_id, state, effect.cancelling, self.clock(), answer))
        if state == "delivered":
            self.run((fx.FetchActivities(),))

    def _rate(self, effect: fx.SubmitRating) -> None:
        self.api.rate(target_kind=effect.kind, target_id=effect.target_id, stars=effect.stars,
                      comment=effect.comment, resident_id=self._resident,
                      event_id=f"rating-{effect.kind}-{effect.target_id}")
        if effect.record_event_id:
            self.requests.update(effect.record_event_id, rated=True)

    def _check_in(self, effect: fx.CheckIn) -> None:
        self.api.check_in(resident_id=effect.resident_id, occurred_at=effect.occurred_at)

    def _answer_roll_call(self, effect: fx.AnswerRollCall) -> None:
        self.api.answer_roll_call(resident_id=effect.resident_id, answer=effect.answer)

    def _report(self, effect: fx.ReportFeedback) -> None:
        self.api.report_feedback(resident_id=effect.resident_id, kind=effect.kind, category=effect.category,
                                 text=effect.text)

    def _reply_heard(self, effect: fx.MarkReplyHeard) -> None:
        self.api.reply_heard(effect.feedback_id)

    def _redeem(self, effect: fx.Redeem) -> None:
        self.api.redeem(resident_id=effect.resident_id, reward_id=effect.reward_id)

    def _remember(self, effect: fx.Remember) -> None:
        self.residents.remember(effect.visitor)
        self._resident = effect.visitor.resident_id

    def _site_alerts(self, result: SiteAlertsResult) -> None:
        self.post(SiteAlertsLoaded(tuple(result.alerts or ()), bool(result.reachable), self.clock(),
                                   result.fetched_at))


def _jobs(runtime: Runtime, effect: fx.Effect) -> None:
    """The effects that read the portal on a worker thread and answer with one event."""
    api, clock, config = runtime.api, runtime.clock, runtime.config
    if isinstance(effect, fx.FetchCatalog):
        runtime._background("kiosk-catalog", lambda: jobs.catalog(api, runtime.catalog_store, runtime.pictures, clock))
    elif isinstance(effect, fx.FetchActivities):
        runtime._background("kiosk-activities", lambda: jobs.activities(api, runtime.activities_store, clock))
    elif isinstance(effect, fx.FindNearby):
        runtime._background("kiosk-nearby", lambda: jobs.nearby(api, runtime.residents, effect.attempt,
                                                                 effect.declined, within_s=config.nearby_within_s,
                                                                 now=clock))
    elif isinstance(effect, fx.LookupResident):
        runtime._background("kiosk-lookup", lambda: jobs.lookup(api, runtime.residents, effect.code, clock))
    elif isinstance(effect, fx.FetchRequests):
        visitor = runtime.residents.known(effect.resident_id)
        records = runtime.requests.of(effect.resident_id)
        if visitor is not None:
            runtime._resident = visitor.resident_id
            runtime._background("kiosk-requests", lambda: jobs.requests(api, runtime.residents, visitor, records,
                                                                         clock))
    elif isinstance(effect, fx.FetchRollCalls):
        runtime._background("kiosk-roll-calls", lambda: jobs.roll_calls(api, effect.resident_id, clock))
    elif isinstance(effect, fx.FetchReplies):
        runtime._background("kiosk-replies", lambda: jobs.replies(api, effect.resident_id, clock))
    elif isinstance(effect, fx.FetchPoints):
        runtime._background("kiosk-points", lambda: jobs.points(api, effect.resident_id, clock))


_HANDLERS: dict[type, Callable[[Runtime, Any], None]] = {
    fx.Speak: Runtime._speak,
    fx.StopSpeaking: lambda rt, _e: rt.speaker.stop(),
    fx.ApplySpeech: lambda rt, e: apply_levels(rt.speaker, e.volume, e.rate_wpm),
    fx.Listen: lambda rt, e: rt.voice.listen(stop=e.stop),
    fx.StartTimer: Runtime._timer,
    fx.RaiseHelpCall: Runtime._raise,
    fx.CancelHelpCall: Runtime._cancel,
    fx.Remember: Runtime._remember,
    fx.PlaceOrder: Runtime._place_order,
    fx.FollowOrder: Runtime._follow_order,
    fx.ConfirmReceived: Runtime._received,
    fx.AnswerSubstitute: Runtime._answer_substitute,
    fx.SignUp: Runtime._sign_up,
    fx.SubmitRating: Runtime._rate,
    fx.CheckIn: Runtime._check_in,
    fx.AnswerRollCall: Runtime._answer_roll_call,
    fx.ReportFeedback: Runtime._report,
    fx.MarkReplyHeard: Runtime._reply_heard,
    fx.Redeem: Runtime._redeem,
    **{kind: _jobs for kind in (fx.FetchCatalog, fx.FetchActivities, fx.FindNearby, fx.LookupResident,
                                fx.FetchRequests, fx.FetchRollCalls, fx.FetchReplies, fx.FetchPoints)},
}
