"""Everything that happens to the kiosk, as one union :data:`Event` for :func:`kiosk.core.handle`.

Touch and voice alike: a tap on a choice is :class:`Tapped` (with the choice's id and arg),
an utterance is :class:`Heard`. Results of effects come back as events too. Each event
carries ``now`` (aware, the site's time) — the core never reads a clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.state.activities import Activity, Signup
from kiosk.state.cart import CatalogItem
from kiosk.state.feedback import Points, Reply
from kiosk.state.help_call import HelpCallSnapshot
from kiosk.state.orders import OrderSnapshot
from kiosk.state.requests import RequestRecord
from kiosk.state.visitor import Visitor
from kiosk.voice.intents import Intent


@dataclass(frozen=True, slots=True)
class Tapped:
    """A choice was tapped: ``target`` is its id (``home.help``, ``nav.repeat``), ``arg`` its value."""

    target: str
    now: datetime
    arg: str = ""


@dataclass(frozen=True, slots=True)
class Touched:
    """The screen was touched anywhere (stops speech, restarts the idle timer)."""

    now: datetime


@dataclass(frozen=True, slots=True)
class Heard:
    """An utterance: the recogniser's ``text`` and its parsed ``intent`` (with its confidence)."""

    text: str
    intent: Intent
    now: datetime


@dataclass(frozen=True, slots=True)
class Listening:
    """The microphone is open (``partial``: what was understood so far) or closed (``done``)."""

    now: datetime
    partial: str = ""
    done: bool = False


@dataclass(frozen=True, slots=True)
class Tick:
    """Once a second: idle timer, countdowns, the clock in the header."""

    now: datetime


@dataclass(frozen=True, slots=True)
class TimerFired:
    """A timer started by :class:`kiosk.core.effects.StartTimer` ran out."""

    name: str
    serial: int
    now: datetime


@dataclass(frozen=True, slots=True)
class VoiceReady:
    """Whether speech recognition can be used (a model is installed and loaded)."""

    ready: bool
    now: datetime


@dataclass(frozen=True, slots=True)
class CatalogLoaded:
    """The grocery catalog (``reachable`` False: the portal could not be asked; items are the cache)."""

    items: tuple[CatalogItem, ...]
    reachable: bool
    now: datetime


@dataclass(frozen=True, slots=True)
class ActivitiesLoaded:
    """Upcoming activities (``reachable`` False: the cached list)."""

    activities: tuple[Activity, ...]
    reachable: bool
    now: datetime


@dataclass(frozen=True, slots=True)
class SiteAlertsLoaded:
    """The 社区动态 strip: the site's active alerts as the portal gave them."""

    alerts: tuple[Mapping[str, Any], ...]
    reachable: bool
    now: datetime
    fetched_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NearbyAnswered:
    """The strongest nearby wristband's wearer whom the kiosk can greet (or None), for ``attempt``."""

    attempt: int
    visitor: Visitor | None
    signups: tuple[Signup, ...]
    now: datetime


@dataclass(frozen=True, slots=True)
class LookupAnswered:
    """A keypad lookup: ``outcome`` found / unknown / offline."""

    code: str
    outcome: str
    now: datetime
    visitor: Visitor | None = None
    signups: tuple[Signup, ...] = ()


@dataclass(frozen=True, slots=True)
class HelpCallChanged:
    """What is known of the running help call (``elapsed_s`` is computed by the runtime)."""

    snapshot: HelpCallSnapshot
    now: datetime


@dataclass(frozen=True, slots=True)
class OrderChanged:
    """What is known of the followed order."""

    snapshot: OrderSnapshot
    now: datetime


@dataclass(frozen=True, slots=True)
class SignupAnswered:
    """A sign-up or cancellation: its outbox ``state`` and the portal's answer when delivered."""

    activity_id: int
    state: str
    cancelling: bool
    now: datetime
    answer: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class RequestsLoaded:
    """The person's requests made here (refreshed from the portal) and their sign-ups."""

    resident_id: int
    records: tuple[RequestRecord, ...]
    now: datetime
    signups: tuple[Signup, ...] | None = None
    reachable: bool = True


@dataclass(frozen=True, slots=True)
class Restored:
    """At start: a help call raised before a restart is still followed (its event id)."""

    help_event_id: str
    now: datetime
    rated: frozenset[tuple[str, int]] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class RollCallsLoaded:
    """The open roll calls that list a resident: the reasons (高温, 台风, 停电, 其他) of those not yet answered."""

    resident_id: int
    reasons: tuple[str, ...]
    now: datetime


@dataclass(frozen=True, slots=True)
class RepliesLoaded:
    """Replies to a resident's reports that they have not heard (none when offline: they hear them next time)."""

    resident_id: int
    replies: tuple[Reply, ...]
    now: datetime


@dataclass(frozen=True, slots=True)
class PointsLoaded:
    """A resident's time-bank points and the rewards on offer; ``points`` None: the portal cannot be reached."""

    resident_id: int
    points: Points | None
    now: datetime


Event = (
    Tapped | Touched | Heard | Listening | Tick | TimerFired | VoiceReady | CatalogLoaded | ActivitiesLoaded
    | SiteAlertsLoaded | NearbyAnswered | LookupAnswered | HelpCallChanged | OrderChanged | SignupAnswered
    | RequestsLoaded | Restored | RollCallsLoaded | RepliesLoaded | PointsLoaded
)
