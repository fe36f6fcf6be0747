"""The whole kiosk as one frozen value: :class:`KioskState` = site + data + visit + screen.

:class:`Visit` holds everything personal; ending a visit is ``Visit(speech=site default)``,
so nothing of one senior can be left for the next. :class:`Data` is what the portal told the
kiosk (catalog, activities, the running help call and order). Small helpers used by every
flow (:func:`go`, :func:`say`, :func:`ask`) live here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from kiosk.core.effects import Effect
from kiosk.core.idle import HOME, IdleClock
from kiosk.core.settings import SpeechSettings
from kiosk.state.activities import Activity, Signup
from kiosk.state.cart import Cart, CatalogItem
from kiosk.state.feedback import Points, Replies, Report
from kiosk.state.help_call import HelpCallSnapshot
from kiosk.state.keypad import KeypadEntry
from kiosk.state.orders import OrderSnapshot
from kiosk.state.requests import RequestRecord
from kiosk.state.site_alerts import SiteAlertsView, site_alerts_view
from kiosk.state.visitor import Visitor
from kiosk.voice.intents import Intent

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Site:
    """What the core needs of the site's configuration (``kiosk.toml``)."""

    site_name: str = "安心社区"
    place: str = ""
    duty_phone: str = ""
    volume_level: int = 4
    speech_rate: str = "正常"
    offline_after_s: float = 8.0
    idle_timeout_s: float = 90.0
    idle_grace_s: float = 30.0
    greeting_wait_s: float = 1.5
    tap_guard_s: float = 0.6
    portrait: bool = False
    timezone: str = "Asia/Shanghai"
    """The site's time zone: the header clock and activity times are in it, whatever the machine's."""
    voice: bool = True
    """The 说话 button is wanted (it still needs a model: :attr:`Data.voice_ready`)."""

    @property
    def speech(self) -> SpeechSettings:
        """Volume and speed every visit starts with."""
        return SpeechSettings.site_default(self.volume_level, self.speech_rate)


@dataclass(frozen=True, slots=True)
class Question:
    """A yes / no question on the ``question`` screen; the answers tap ``on_yes`` / ``on_no``.

    ``timeout_s`` > 0: silence that long counts as yes (the unsure emergency question).
    """

    key: str
    title: str
    on_yes: str
    on_no: str
    detail: str = ""
    yes: str = "是"
    no: str = "不"
    arg: str = ""
    timeout_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Rating:
    """A rating being given: of an ``order`` or an ``alert`` (help call)."""

    kind: str
    target_id: int
    record_event_id: str | None = None
    stars: int = 0
    comment: str = ""

    @property
    def label(self) -> str:
        """这次代购 / 这次帮忙."""
        return "这次代购" if self.kind == "order" else "这次帮忙"


@dataclass(frozen=True, slots=True)
class Dialog:
    """Where a spoken conversation is: items still waiting for an amount, which list is offered."""

    asking: tuple[tuple[str, float | None, str | None], ...] = ()
    """(name, quantity, unit) of spoken items; the first without quantity is being asked for."""
    choosing: str = ""
    """``signup`` / ``cancel`` while the activity list was offered by voice."""
    clarify: str = ""
    """The text heard at low confidence, waiting for 是 / 不是 (its intent: ``Visit.clarify_intent``)."""
    clarify_text: str = ""
    """What was understood, in words."""


@dataclass(frozen=True, slots=True)
class Visit:
    """Everything personal about the senior at the kiosk now; a new visit is a new Visit."""

    speech: SpeechSettings = field(default_factory=SpeechSettings)
    person: Visitor | None = None
    signups: tuple[Signup, ...] = ()
    requests: tuple[RequestRecord, ...] | None = None
    cart: Cart = field(default_factory=Cart)
    category: str = ""
    line: int | None = None
    activity: int | None = None
    signup_results: tuple[tuple[int, str], ...] = ()
    page: int = 0
    pending: str = ""
    pending_arg: str = ""
    purpose: str = ""
    attempt: int = 0
    candidate: Visitor | None = None
    declined: frozenset[int] = frozenset()
    keypad: KeypadEntry = field(default_factory=KeypadEntry)
    keypad_note: str = ""
    question: Question | None = None
    rating: Rating | None = None
    dictating: bool = False
    notice: tuple[str, str] = ("", "")
    dialog: Dialog = field(default_factory=Dialog)
    clarify_intent: Intent | None = None
    said: str = ""
    said_serial: int = 0
    task_done: bool = False
    resume: str = HOME
    report: Report | None = None
    """A problem or suggestion being made (反映问题)."""
    replies: Replies = ()
    """Replies to the person's reports not heard yet, the one shown first."""
    points: Points | None = None
    """The person's time-bank points as last fetched (None: not yet)."""
    points_offline: bool = False

    @property
    def task_open(self) -> bool:
        """Something not finished: a cart, a question about who is there, a rating."""
        return not self.cart.empty or bool(self.pending) or self.rating is not None or self.report is not None

    def personal(self, site: Site) -> bool:
        """The visit holds something personal (the idle timer must clear it, even at home)."""
        return self.task_open or self.person is not None or self.speech != site.speech

    def result_of(self, activity_id: int) -> str:
        """The last sign-up answer for an activity (empty if none)."""
        return next((text for aid, text in self.signup_results if aid == activity_id), "")


@dataclass(frozen=True, slots=True)
class Data:
    """What the portal told the kiosk, and what the kiosk is following."""

    catalog: tuple[CatalogItem, ...] = ()
    catalog_reachable: bool | None = None
    activities: tuple[Activity, ...] = ()
    activities_reachable: bool | None = None
    alerts: SiteAlertsView = field(default_factory=lambda: site_alerts_view(None, reachable=None, fetched_at=None))
    help: HelpCallSnapshot | None = None
    help_since: datetime = EPOCH
    order: OrderSnapshot | None = None
    order_since: datetime = EPOCH
    rated: frozenset[tuple[str, int]] = frozenset()
    voice_ready: bool = False
    listening: bool = False
    heard: str = ""

    def item(self, item_id: int) -> CatalogItem | None:
        """A catalog item by id."""
        return next((i for i in self.catalog if i.id == item_id), None)

    def activity(self, activity_id: int | None) -> Activity | None:
        """An upcoming activity by id."""
        return next((a for a in self.activities if a.id == activity_id), None)

    @property
    def help_running(self) -> bool:
        """A help call is being followed and is not finished."""
        if self.help is None:
            return False
        state = (self.help.alert or {}).get("state")
        return state not in ("resolved", "cancelled") and not self.help.save_failed


@dataclass(frozen=True, slots=True)
class KioskState:
    """The kiosk: configuration, data, the visit, the screen, the idle clock, the time."""

    site: Site = field(default_factory=Site)
    data: Data = field(default_factory=Data)
    visit: Visit = field(default_factory=Visit)
    screen: str = HOME
    idle: IdleClock = field(default_factory=lambda: IdleClock(last_touch=0.0))
    guard_until: float = 0.0
    serial: int = 0
    now: datetime = EPOCH


Result = tuple[KioskState, tuple[Effect, ...]]


def initial_state(site: Site, now: datetime) -> KioskState:
    """A kiosk that has just started: home screen, a fresh visit at the site's speech settings."""
    return KioskState(site=site, visit=Visit(speech=site.speech), idle=IdleClock(last_touch=now.timestamp()),
                      now=now)


def with_visit(state: KioskState, **changes: object) -> KioskState:
    """``state`` with fields of its visit replaced."""
    return replace(state, visit=replace(state.visit, **changes))  # type: ignore[arg-type]


def with_data(state: KioskState, **changes: object) -> KioskState:
    """``state`` with fields of its data replaced."""
    return replace(state, data=replace(state.data, **changes))  # type: ignore[arg-type]


def go(state: KioskState, screen: str) -> KioskState:
    """Show ``screen``: a new screen starts on its first page, and what was said before is gone."""
    if screen == state.screen:
        return state
    return with_visit(replace(state, screen=screen), page=0, said="")


def say(state: KioskState, text: str) -> KioskState:
    """Show ``text`` as the kiosk's caption (and so say it: it is part of the view)."""
    return with_visit(state, said=text, said_serial=state.visit.said_serial + 1)


def ask(state: KioskState, question: Question) -> KioskState:
    """Ask a yes / no question on the question screen."""
    shown = go(state, "question") if state.screen != "question" else with_visit(state, said="")
    return with_visit(shown, question=question)
