"""What the core asks the runtime to do (:mod:`kiosk.runtime` carries them out).

Results come back as events (:mod:`kiosk.core.events`). Speech is one kind of effect:
:class:`Speak` with ``interrupt`` (the default: a screen that changed makes the old text
untrue) — the one :class:`kiosk.voice.speaker.Speaker` protocol queues, and the runtime
stops it first when ``interrupt`` is set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.state.visitor import Visitor


@dataclass(frozen=True, slots=True)
class Speak:
    """Say ``text``; ``interrupt`` stops what is being said first (else it is queued after it)."""

    text: str
    interrupt: bool = True


@dataclass(frozen=True, slots=True)
class StopSpeaking:
    """Stop speaking now (the person touched the screen)."""


@dataclass(frozen=True, slots=True)
class ApplySpeech:
    """Set the speaker's loudness (0.2–1.0) and speed (words per minute)."""

    volume: float
    rate_wpm: int


@dataclass(frozen=True, slots=True)
class Listen:
    """Open the microphone for one utterance (``stop``: close it, 说完了)."""

    stop: bool = False


@dataclass(frozen=True, slots=True)
class StartTimer:
    """Fire :class:`kiosk.core.events.TimerFired` (``name``, ``serial``) after ``seconds``."""

    name: str
    serial: int
    seconds: float


@dataclass(frozen=True, slots=True)
class RaiseHelpCall:
    """Store a help call in the outbox and follow it.

    ``occurred_at``: when the senior pressed or said it (kept in the outbox, sent to the portal).
    """

    emergency: bool
    occurred_at: datetime
    resident_id: int | None = None


@dataclass(frozen=True, slots=True)
class CancelHelpCall:
    """The senior confirmed 我没事，取消呼叫."""


@dataclass(frozen=True, slots=True)
class FetchCatalog:
    """Refresh the grocery catalog (and its pictures)."""


@dataclass(frozen=True, slots=True)
class FetchActivities:
    """Refresh the upcoming activities."""


@dataclass(frozen=True, slots=True)
class FindNearby:
    """Ask which greetable resident wears the strongest nearby wristband (``declined`` said 不是)."""

    attempt: int
    declined: frozenset[int]


@dataclass(frozen=True, slots=True)
class LookupResident:
    """Look a typed room number / resident code up."""

    code: str


@dataclass(frozen=True, slots=True)
class Remember:
    """Keep the identified resident in the local cache (greetings and the keypad work offline)."""

    visitor: Visitor


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    """Store the order durably and follow it (``items`` as the portal's order lines)."""

    resident_id: int | None
    items: tuple[Mapping[str, Any], ...]
    summary: str


@dataclass(frozen=True, slots=True)
class FollowOrder:
    """Keep following the order with ``event_id`` (``stop``: stop polling it)."""

    event_id: str
    stop: bool = False


@dataclass(frozen=True, slots=True)
class ConfirmReceived:
    """我收到了 for the order with ``event_id`` (durable); ``amount_accepted`` is the senior's yes (True) or no
    (False) to the bill of ``amount_fen`` they were shown, None when it needed no answer."""

    event_id: str
    amount_fen: int | None = None
    amount_accepted: bool | None = None


@dataclass(frozen=True, slots=True)
class AnswerSubstitute:
    """The senior keeps (``accept``) or declines the substitute on ``line_id`` of an order (durable)."""

    event_id: str
    line_id: int
    accept: bool


@dataclass(frozen=True, slots=True)
class SignUp:
    """Sign up (or, ``cancelling``, withdraw) for an activity (durable)."""

    activity_id: int
    resident_id: int
    title: str
    cancelling: bool = False


@dataclass(frozen=True, slots=True)
class FetchRequests:
    """Refresh the person's requests made here, and their sign-ups."""

    resident_id: int


@dataclass(frozen=True, slots=True)
class SubmitRating:
    """Send a rating (durable): ``kind`` order / alert, its id, 1–5 stars, an optional comment."""

    kind: str
    target_id: int
    stars: int
    comment: str
    record_event_id: str | None = None


@dataclass(frozen=True, slots=True)
class CheckIn:
    """Record the daily check-in (平安打卡, durable) of the identified person, tapped at ``occurred_at``."""

    resident_id: int
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class FetchRollCalls:
    """Ask the portal whether an open roll call (点名) lists the identified person."""

    resident_id: int


@dataclass(frozen=True, slots=True)
class AnswerRollCall:
    """The person's answer to the open roll calls (durable): ``safe`` (我平安) or ``help`` (我需要帮助)."""

    resident_id: int
    answer: str


@dataclass(frozen=True, slots=True)
class ReportFeedback:
    """Store a problem or suggestion (反映问题, durable) of the identified person."""

    resident_id: int
    kind: str
    category: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class FetchReplies:
    """Ask the portal for replies to the person's reports that they have not heard yet."""

    resident_id: int


@dataclass(frozen=True, slots=True)
class MarkReplyHeard:
    """The person heard the reply and pressed 知道了 (durable, safe to repeat)."""

    feedback_id: int


@dataclass(frozen=True, slots=True)
class FetchPoints:
    """Ask the portal for the person's time-bank points and the rewards on offer."""

    resident_id: int


@dataclass(frozen=True, slots=True)
class Redeem:
    """Spend the person's points on a reward (durable); the centre hands it over."""

    resident_id: int
    reward_id: int


Effect = (
    Speak | StopSpeaking | ApplySpeech | Listen | StartTimer | RaiseHelpCall | CancelHelpCall | FetchCatalog
    | FetchActivities | FindNearby | LookupResident | Remember | PlaceOrder | FollowOrder | ConfirmReceived
    | AnswerSubstitute | SignUp | FetchRequests | SubmitRating | CheckIn | FetchRollCalls | AnswerRollCall
    | ReportFeedback | FetchReplies | MarkReplyHeard | FetchPoints | Redeem
)


@dataclass(frozen=True, slots=True)
class Then:
    """Inside the core only: tap ``target`` (with ``arg``) next — a confirmed question's answer,
    or what waited for the person to be identified. :func:`kiosk.core.handle` consumes it."""

    target: str
    arg: str = ""


Step = Effect | Then
"""What a flow step returns: effects for the runtime, or the next target for the core."""
